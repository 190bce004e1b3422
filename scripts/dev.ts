/**
 * `npm start`: the whole stack on one machine. Starts FerretDB and the Temporal dev server (unless
 * MONGODB_URI / TEMPORAL_ADDRESS point elsewhere), seeds the demo on first run, then runs the worker
 * and the API. Ctrl-C stops everything, children first. State lives in data/, so nothing is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../config';
import { createTemporalHandle } from '../services/temporal-client';
import { ROOT, startFerretDb, startTemporalDev, waitForPort, type Running } from './servers';
import { seedDemo } from './seed-demo';
import { ensureCycle } from '../services/cycles';
import { Compound } from '../models/compound';

const servers: Running[] = [];
const children: ChildProcess[] = [];

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' };
  if (!process.env.MONGODB_URI) {
    const port = Number(process.env.FERRETDB_PORT ?? 27017);
    console.log(`[dev] starting FerretDB (SQLite files in data/ferretdb) on 127.0.0.1:${port}…`);
    servers.push(await startFerretDb({ dataDir: join(ROOT, 'data', 'ferretdb'), port, quiet: true }));
    env.MONGODB_URI = `mongodb://127.0.0.1:${port}/gongzhi`;
  }
  if (!process.env.TEMPORAL_ADDRESS) {
    const port = Number(process.env.TEMPORAL_PORT ?? 7233);
    const uiPort = Number(process.env.TEMPORAL_UI_PORT ?? 8233);
    console.log(
      `[dev] starting Temporal dev server (data/temporal.db) on 127.0.0.1:${port}, Web UI http://localhost:${uiPort}…`,
    );
    servers.push(
      await startTemporalDev({ dbFile: join(ROOT, 'data', 'temporal.db'), port, uiPort, quiet: true }),
    );
    env.TEMPORAL_ADDRESS = `127.0.0.1:${port}`;
  }
  const config = loadConfig(env);

  const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
  const run = (name: string, file: string) => {
    const child = spawn(tsx, [join(ROOT, file)], { env, stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[dev] ${name} exited (${signal ?? code}); stopping everything`);
        void stop(1);
      }
    });
    children.push(child);
    return child;
  };
  run('worker', 'worker.ts');

  await mongoose.connect(config.mongodbUri);
  const temporal = createTemporalHandle(config.temporal);
  try {
    await seedDemo(temporal);
    // Each compound's four-meeting cycle runs from its first start; starting again is harmless.
    for (const c of await Compound.find({}, { _id: 1 }).lean()) await ensureCycle(temporal, c._id);
  } finally {
    await temporal.close();
    await mongoose.disconnect();
  }

  const api = run('api', 'api/server.ts');
  await waitForPort(config.port, 'API', api);
  console.log(`
  共治 gongzhi is running
    API           http://localhost:${config.port}/api/v1   (health: http://localhost:${config.port}/healthz)
    Temporal UI   ${process.env.TEMPORAL_ADDRESS ? '(external Temporal)' : `http://localhost:${process.env.TEMPORAL_UI_PORT ?? 8233}`}
    Demo users    staff / branch / owners / supervisor / selfmgmt / council / leader1 / resident — password gongzhi2026
  Ctrl-C stops it all.
`);
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n[dev] stopping…');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          c.once('exit', () => res());
          c.kill('SIGINT');
          setTimeout(() => c.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await Promise.all(servers.map((s) => s.stop()));
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  console.error('[dev]', err instanceof Error ? err.message : err);
  void stop(1);
});
