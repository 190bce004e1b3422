/**
 * Starts the local servers provisioned by scripts/provision.sh: FerretDB (MongoDB wire protocol on
 * SQLite) and the Temporal dev server. Used by `npm start` and by the test suite's global setup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const TOOLS_BIN = join(ROOT, '.tools', 'bin');

export function toolPath(name: 'temporal' | 'ferretdb' | 'temporal-test-server'): string {
  const p = join(TOOLS_BIN, name);
  if (!existsSync(p)) {
    throw new Error(
      `${name} is not provisioned at ${p}. Run: npm run provision (builds it from the package registries).`,
    );
  }
  return p;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

export async function waitForPort(
  port: number,
  what: string,
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`${what} exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${what} did not listen on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Running {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((res) => {
      if (child.exitCode !== null || child.signalCode !== null) return res();
      child.once('exit', () => res());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    });
}

export async function startFerretDb(opts: {
  dataDir: string;
  port?: number;
  quiet?: boolean;
}): Promise<Running> {
  mkdirSync(opts.dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const child = spawn(
    toolPath('ferretdb'),
    [
      '--handler=sqlite',
      `--sqlite-url=file:${opts.dataDir.replace(/\/?$/, '/')}`,
      `--state-dir=${opts.dataDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: opts.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] },
  );
  await waitForPort(port, 'FerretDB', child);
  return { child, port, stop: stopper(child) };
}

export async function startTemporalDev(opts: {
  dbFile?: string;
  port?: number;
  uiPort?: number;
  quiet?: boolean;
}): Promise<Running & { uiPort?: number }> {
  const port = opts.port ?? (await freePort());
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'error'];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  const child = spawn(toolPath('temporal'), args, {
    stdio: opts.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
  });
  await waitForPort(port, 'Temporal dev server', child);
  return { child, port, uiPort: opts.uiPort, stop: stopper(child) };
}
