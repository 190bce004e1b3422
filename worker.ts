import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import mongoose from 'mongoose';
import { loadConfig, type Config } from './config';
import { createTemporalHandle } from './services/temporal-client';
import { createActivities } from './activities';
import {
  createNotifier,
  logChannel,
  webhookChannel,
  type NotificationChannel,
} from './activities/notifications';
import { flushRobotDigests, robotChannels } from './activities/robots';
import { sweepVoiceStarts } from './services/voice-drift';
import { ensureCycle } from './services/cycles';
import { Compound, setDefaultTimeZone } from './models/compound';
import { ensureProjections, foldPending } from './activities/projections';
import { ensureSearchAttributes } from './temporal-search';

export function notificationChannels(config: Config): NotificationChannel[] {
  const channels: NotificationChannel[] = [];
  if (config.notify.log) channels.push(logChannel());
  if (config.notify.webhookUrl) channels.push(webhookChannel(config.notify.webhookUrl));
  return channels;
}

async function main() {
  const config = loadConfig();
  setDefaultTimeZone(config.defaultTimeZone);
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  await mongoose.connect(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const temporal = createTemporalHandle(config.temporal);
  const activities = createActivities({
    temporal: () => temporal.client(),
    // Notifications to a body also go to the group robots its compound set (settings.robots).
    notifier: createNotifier({ channels: notificationChannels(config), route: robotChannels() }),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities,
    maxCachedWorkflows: config.workerMaxCachedWorkflows,
  });

  await ensureSearchAttributes(await temporal.client());
  if (await ensureProjections()) console.log('[worker] read projections built over the existing records');

  // Voices accepted while Temporal was unreachable get their workflow here; every compound runs its cycle.
  const ensureCycles = async () => {
    for (const c of await Compound.find({}, { _id: 1 }).lean()) await ensureCycle(temporal, c._id);
  };
  const sweep = setInterval(() => {
    sweepVoiceStarts(temporal).catch((err: unknown) => console.warn('[worker] sweep failed:', err));
  }, 5_000);
  // The read projections follow the records off the hot path: what is marked is folded every moment.
  let folding = false;
  const fold = setInterval(() => {
    if (folding) return;
    folding = true;
    foldPending()
      .catch((err: unknown) => console.warn('[worker] fold failed:', err))
      .finally(() => (folding = false));
  }, 250);
  // A robot's digest of a full minute goes out once the minute has passed, even if nothing else is sent.
  let flushing = false;
  const digests = setInterval(() => {
    if (flushing) return;
    flushing = true;
    flushRobotDigests(new Date())
      .catch((err: unknown) => console.warn('[worker] robot digests:', err))
      .finally(() => (flushing = false));
  }, 10_000);
  const cycles = setInterval(
    () => void ensureCycles().catch((err: unknown) => console.warn('[worker] cycles:', err)),
    300_000,
  );
  void ensureCycles().catch((err: unknown) => console.warn('[worker] cycles:', err));

  console.log(`[worker] running on task queue '${config.temporal.taskQueue}'`);
  await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks finish
  clearInterval(sweep);
  clearInterval(fold);
  clearInterval(digests);
  clearInterval(cycles);
  await Promise.allSettled([temporal.close(), connection.close(), mongoose.disconnect()]);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
