import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { createNotifier, type NotificationInput } from '../../activities/notifications';
import { connectTestDb } from './db';
import { createTimeSkippingEnv, uniqueTaskQueue, workflowBundle } from './temporal';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** Every notification sent, as the capturing channel saw it. */
  sent: NotificationInput[];
  stop(): Promise<void>;
}

/**
 * For workflow tests: the time-skipping server, a database of the test file's own, and a worker with
 * the real activities (notifications captured, workflows started through the test server's client).
 */
export async function startTimeSkippingStack(
  prefix: string,
  opts: { startAt?: Date } = {},
): Promise<TimeSkippingStack> {
  const db = await connectTestDb();
  const env = await createTimeSkippingEnv(opts);
  const sent: NotificationInput[] = [];
  const notifier = createNotifier({
    channels: [{ name: 'capture', deliver: async (n) => void sent.push(n) }],
  });
  const taskQueue = uniqueTaskQueue(prefix);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities: createActivities({ notifier, temporal: async () => env.client }),
  });
  const running = worker.run();
  return {
    env,
    taskQueue,
    sent,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
      await db.drop();
    },
  };
}
