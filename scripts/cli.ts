import mongoose from 'mongoose';
import { loadConfig } from '../config';
import { setDefaultTimeZone } from '../models/compound';

/**
 * Runs a command-line tool against the configured database: `body` answers the exit code
 * (0 fine, 1 a finding, 2 a usage error); a thrown error prints its message and exits 2.
 */
export function runWithDatabase(body: () => Promise<number>): void {
  const run = async () => {
    const config = loadConfig();
    setDefaultTimeZone(config.defaultTimeZone);
    await mongoose.connect(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 });
    try {
      return await body();
    } finally {
      await mongoose.disconnect();
    }
  };
  run().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
