import mongoose from 'mongoose';
import { loadConfig } from '../config';
import { createTemporalHandle } from '../services/temporal-client';
import { printingSender, templateSmsSender } from '../services/one-time-codes';
import { createApp } from './app';
import { setDefaultTimeZone } from '../models/compound';

async function main() {
  const config = loadConfig();
  setDefaultTimeZone(config.defaultTimeZone);
  await mongoose.connect(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  const temporal = createTemporalHandle(config.temporal);
  if (!config.rateLimits) console.warn('[api] RATE_LIMITS=off: no request is rate-limited (load tests only)');
  // Registration codes: the SMS gateway when configured; printed in development; otherwise none (503).
  const oneTimeCodes = config.sms
    ? templateSmsSender(config.sms)
    : config.env === 'development'
      ? printingSender()
      : undefined;
  const app = createApp({
    config,
    temporal,
    rateLimits: config.rateLimits,
    oneTimeCodes,
    log: (m) => console.warn(m),
  });
  const server = app.listen(config.port, config.host, () => {
    console.log(`[api] 共治 API listening on http://${config.host}:${config.port}/api/v1`);
  });
  const stop = () => {
    server.close(() => {
      void Promise.allSettled([temporal.close(), mongoose.disconnect()]).then(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
