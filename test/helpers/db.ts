import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';

/** A database of its own for one test file, on the suite's real MongoDB-wire server. */
export async function connectTestDb(): Promise<{ name: string; uri: string; drop(): Promise<void> }> {
  const base = process.env.MONGODB_URI;
  if (!base)
    throw new Error(
      'MONGODB_URI is not set: run the tests through jest (its global setup starts the database)',
    );
  const name = `t_${randomBytes(5).toString('hex')}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  const uri = url.toString();
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  // Unique indexes must exist before tests rely on them.
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  return {
    name,
    uri,
    async drop() {
      await mongoose.connection.dropDatabase().catch(() => undefined);
      await mongoose.disconnect();
    },
  };
}
