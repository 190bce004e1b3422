/**
 * The whole stack as separate processes, as it runs in production — FerretDB, the Temporal dev server
 * (state in a file, so it survives a restart), the worker and the API — for benchmarks and fault tests
 * that kill and restart any of them. Each part keeps its port across restarts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, freePort, startFerretDb, startTemporalDev, waitForPort, type Running } from './servers';

/** Signals a part's whole process group where it has one (worker, API), else the process. */
function signal(child: ChildProcess, sig: NodeJS.Signals) {
  try {
    if (child.pid && child.spawnargs[0]?.endsWith('tsx')) process.kill(-child.pid, sig);
    else child.kill(sig);
  } catch {
    child.kill(sig);
  }
}

export type Part = 'database' | 'temporal' | 'worker' | 'api';

export interface StackOptions {
  /** Data directory (a fresh temporary one by default). */
  dir?: string;
  /** Extra environment for the worker and the API. */
  env?: NodeJS.ProcessEnv;
  /** Node flags for the worker and the API (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Where the worker's and the API's output goes (default: dropped). */
  log?: (part: Part, line: string) => void;
}

export class Stack {
  readonly dir: string;
  dbPort = 0;
  temporalPort = 0;
  apiPort = 0;
  private db?: Running;
  private temporal?: Running;
  private procs: Partial<Record<'worker' | 'api', ChildProcess>> = {};
  readonly secret = `bench-${Math.random().toString(16).slice(2)}-secret`;

  constructor(private readonly opts: StackOptions = {}) {
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'gongzhi-stack-'));
  }

  get mongodbUri() {
    return `mongodb://127.0.0.1:${this.dbPort}/gongzhi`;
  }
  get temporalAddress() {
    return `127.0.0.1:${this.temporalPort}`;
  }
  get apiUrl() {
    return `http://127.0.0.1:${this.apiPort}/api/v1`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'test',
      MONGODB_URI: this.mongodbUri,
      TEMPORAL_ADDRESS: this.temporalAddress,
      JWT_SECRET: this.secret,
      PORT: String(this.apiPort),
      NOTIFY_LOG: 'false',
      // One machine plays every client of a load or fault test: per-address and per-user limits would
      // refuse the burst the test is about.
      RATE_LIMITS: 'off',
      ...this.opts.env,
    };
  }

  async start(): Promise<this> {
    this.dbPort ||= await freePort();
    this.temporalPort ||= await freePort();
    this.apiPort ||= await freePort();
    await this.startPart('database');
    await this.startPart('temporal');
    await this.startPart('worker');
    await this.startPart('api');
    return this;
  }

  async startPart(part: Part): Promise<void> {
    if (part === 'database') {
      this.db = await startFerretDb({ dataDir: join(this.dir, 'ferretdb'), port: this.dbPort, quiet: true });
    } else if (part === 'temporal') {
      this.temporal = await startTemporalDev({
        dbFile: join(this.dir, 'temporal.db'),
        port: this.temporalPort,
        quiet: true,
      });
    } else {
      const file = part === 'worker' ? 'worker.ts' : join('api', 'server.ts');
      const child = spawn(
        join(ROOT, 'node_modules', '.bin', 'tsx'),
        [...(this.opts.nodeArgs ?? []), join(ROOT, file)],
        // Its own process group: tsx runs node as a child and does not pass SIGKILL on, so a kill
        // goes to the whole group (else the real worker would live on, polling with its cache).
        { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
      );
      const forward = (buf: Buffer) => {
        for (const line of buf.toString().split('\n')) if (line.trim()) this.opts.log?.(part, line);
      };
      child.stdout?.on('data', forward);
      child.stderr?.on('data', forward);
      this.procs[part] = child;
      if (part === 'api') await waitForPort(this.apiPort, 'API', child);
      else await this.waitForLine(child, /running on task queue/);
    }
  }

  private waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${re.source}" within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = (buf: Buffer) => {
        if (re.test(buf.toString())) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited (${code}) before "${re.source}"`));
      });
    });
  }

  /** The process id of a part (for CPU figures). */
  pid(part: Part): number | undefined {
    if (part === 'database') return this.db?.child.pid;
    if (part === 'temporal') return this.temporal?.child.pid;
    return this.procs[part]?.pid;
  }

  /** kill -9: no chance to finish anything. */
  async kill(part: Part): Promise<void> {
    const child =
      part === 'database' ? this.db?.child : part === 'temporal' ? this.temporal?.child : this.procs[part];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((r) => {
      child.once('exit', () => r());
      signal(child, 'SIGKILL');
    });
  }

  async restart(part: Part): Promise<void> {
    await this.kill(part);
    await this.startPart(part);
  }

  async stop(): Promise<void> {
    for (const part of ['api', 'worker'] as const) {
      const c = this.procs[part];
      if (c && c.exitCode === null && c.signalCode === null) {
        await new Promise<void>((r) => {
          c.once('exit', () => r());
          signal(c, 'SIGTERM');
          setTimeout(() => signal(c, 'SIGKILL'), 10_000).unref();
        });
      }
    }
    await this.temporal?.stop();
    await this.db?.stop();
  }
}
