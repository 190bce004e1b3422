import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { toolPath } from '../../scripts/servers';
import { pinnedInstant } from './clock';
import { startTestServer } from '../../scripts/test-server';

let runtimeInstalled = false;
/** Keeps workers quiet in test output except for real errors. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    const level = process.env.TEST_LOG_LEVEL === 'WARN' ? 'WARN' : 'ERROR';
    // The native side logs to the console by itself unless told its level (e.g. the test server's age).
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
    });
  } catch {
    // already installed in this process
  }
}

export function workflowBundle(): { codePath: string } {
  const codePath = process.env.GONGZHI_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('GONGZHI_WORKFLOW_BUNDLE is not set: run the tests through jest');
  return { codePath };
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * The time-skipping test server (Java, from Maven Central), started by @temporalio/testing. Its clock
 * starts at `startAt` (our launcher's --initial-time), by default the run's pinned instant if any.
 */
export async function createTimeSkippingEnv(opts: { startAt?: Date } = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const startAt = opts.startAt ?? pinnedInstant();
  return startTestServer({
    path: process.env.TEST_SERVER_PATH ?? toolPath('temporal-test-server'),
    startAt,
  });
}

/** A worker and client on the suite's real Temporal dev server. */
export async function startDevWorker(activities: object, taskQueue = uniqueTaskQueue('e2e')) {
  quietRuntime();
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run the tests through jest');
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    client,
    taskQueue,
    address,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
    },
  };
}

export const HISTORIES_DIR = join(__dirname, '..', 'replay', 'histories');

/**
 * With RECORD_HISTORIES=1, stores a finished workflow's history for the replay test, so later code
 * changes are replayed against what running workflows have already done.
 */
export async function recordHistory(
  handle: { fetchHistory(): Promise<temporal.api.history.v1.IHistory> },
  name: string,
) {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const bytes = temporal.api.history.v1.History.encode(history).finish();
  writeFileSync(join(HISTORIES_DIR, `${name}.bin`), bytes);
}
