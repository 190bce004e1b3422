/**
 * Starts the real servers the suite runs against, once: FerretDB (or the MONGODB_URI given) and the
 * Temporal dev server (or the TEMPORAL_ADDRESS given), and bundles the workflows once for all files.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startFerretDb, startTemporalDev, type Running } from '../../scripts/servers';

/** Bundles the workflows once, for every worker of the run (and for the replay test). */
export async function bundleWorkflows(dir: string): Promise<string> {
  const bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  return bundlePath;
}

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gongzhi-test-'));
  const running: Running[] = [];
  if (!process.env.MONGODB_URI) {
    const db = await startFerretDb({ dataDir: join(dir, 'ferretdb'), quiet: true });
    running.push(db);
    process.env.MONGODB_URI = `mongodb://127.0.0.1:${db.port}/gongzhi`;
  }
  if (!process.env.TEMPORAL_ADDRESS) {
    const temporal = await startTemporalDev({ quiet: true });
    running.push(temporal);
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${temporal.port}`;
  }
  // The date check runs jest several times over one bundle (and one pair of servers) it made itself.
  if (!process.env.GONGZHI_WORKFLOW_BUNDLE) {
    process.env.GONGZHI_WORKFLOW_BUNDLE = await bundleWorkflows(dir);
  }
  (globalThis as { __GONGZHI_SERVERS__?: Running[] }).__GONGZHI_SERVERS__ = running;
}
