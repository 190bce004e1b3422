/**
 * FerretDB's two backends side by side (`npm run bench -- backends`): the same FerretDB v1.24 binary once
 * on SQLite (with the flags scripts/servers.ts starts it with) and once on PostgreSQL 15 (a throwaway
 * cluster run as the `postgres` user, default settings: fsync and synchronous_commit on, as SQLite's WAL
 * syncs each commit). Both are seeded alike with BENCH_BACKEND_DOCS voice-like documents in a collection
 * carrying the Voice model's indexes; then, in alternating rounds (the backend that goes first swaps):
 *   1. insertOne of small voice-like documents, 32 at a time (into a second collection, same indexes);
 *   2. updateOne by _id the way the voice workflow writes (activities/voices.ts): a revision
 *      compare-and-set, `$set` of the state and `$push` of a timeline entry, 32 at a time, each to another
 *      document of the seeded collection;
 *   3. a filtered find typical of a staff list, `{compoundId, status}` newest first, 20 at most (the
 *      model declares an index on {compoundId, status, createdAt}), and the lookup by _id the app reads
 *      its records with, as a control;
 *   4. atomicity of single-document updates: 50 concurrent `$inc: {n: 1}` on one document, then 20
 *      concurrent `$push` of distinct elements on another, BENCH_ATOMIC_TRIALS times; an update is lost
 *      when the server acknowledged it (modifiedCount 1) but the final document lacks it. A trial whose
 *      updates are not all answered within BENCH_ATOMIC_TIMEOUT_S has hung: it is counted as such and that
 *      FerretDB is restarted (on PostgreSQL, FerretDB v1 holds a pooled connection for an update's read
 *      while it waits for another for its write, so 50 at once can take all 50 of its pool and wait
 *      forever);
 *   5. CPU seconds of the FerretDB process, and of the PostgreSQL cluster (the postmaster, its live
 *      processes and those it has reaped, e.g. autovacuum workers), per 1,000 operations of 1–3.
 * Prints each round, then min / median / max over the rounds for each backend and the PostgreSQL ÷ SQLite
 * ratio of the medians, and how PostgreSQL reached FerretDB's tables (sequential or index scans).
 * Everything it starts is stopped and its temporary directory removed, also when it fails or is
 * interrupted; the servers are tied to this process (setpriv --pdeathsig), so even a SIGKILL of it stops
 * them, and a directory left by a run that was killed is removed by the next. The defaults keep a run to
 * about 6 minutes on 2 cores: on SQLite the filtered find reads and decodes the whole collection in
 * FerretDB (seconds of CPU each at 20,000 documents), hence few of them.
 * Env: BENCH_ROUNDS (3), BENCH_BACKEND_DOCS (20,000), BENCH_BACKEND_N (600 inserts and 600 updates per
 * round and backend), BENCH_BACKEND_FINDS (4 filtered finds per round and backend), BENCH_BACKEND_LOOKUPS
 * (200 lookups by _id), BENCH_BACKEND_FIND_C (both 4 at a time), BENCH_ATOMIC_TRIALS (3 per round and
 * backend), BENCH_ATOMIC_TIMEOUT_S (30), BENCH_BACKEND_TIMEOUT_S (600, any other operation), BENCH_LOG
 * (the servers' own output).
 */
import mongoose from 'mongoose';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CATEGORIES, CHANNELS, VOICE_KINDS, VOICE_STATUSES } from '../domain/voices';
import { Voice } from '../models/voice';
import { freePort, toolPath, waitForPort, type Running } from '../scripts/servers';
import { cpuSeconds, line, pool, spread, type Run } from './lib';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DOCS = Number(process.env.BENCH_BACKEND_DOCS ?? 20_000);
const N = Number(process.env.BENCH_BACKEND_N ?? 600);
const FINDS = Number(process.env.BENCH_BACKEND_FINDS ?? 4);
const LOOKUPS = Number(process.env.BENCH_BACKEND_LOOKUPS ?? 200);
const FIND_C = Number(process.env.BENCH_BACKEND_FIND_C ?? 4);
const TRIALS = Number(process.env.BENCH_ATOMIC_TRIALS ?? 3);
const ATOMIC_TIMEOUT_MS = Number(process.env.BENCH_ATOMIC_TIMEOUT_S ?? 30) * 1000;
const OP_TIMEOUT_MS = Number(process.env.BENCH_BACKEND_TIMEOUT_S ?? 600) * 1000;
const LOG = Boolean(process.env.BENCH_LOG);
const C = 32;
const INCS = 50;
const PUSHES = 20;
const COMPOUNDS = 50;
const SEED_BATCH = 1000;
const PG_BIN = '/usr/lib/postgresql/15/bin';
const DIR_PREFIX = 'gongzhi-backends-';

type Name = 'SQLite' | 'PostgreSQL';
const NAMES: Name[] = ['SQLite', 'PostgreSQL'];

interface TimelineEntry {
  eventId: string;
  type: string;
  at: Date;
  message: string;
}
interface VoiceLike {
  _id: string;
  compoundId: string;
  kind: string;
  channel: string;
  category: string;
  buildingId: string;
  text: string;
  anonymous: boolean;
  residentName: string;
  submittedBy: string;
  idempotencyKey: string;
  requestHash: string;
  status: string;
  rev: number;
  assignee: string;
  escalationLevel: number;
  overdue: boolean;
  reopened: boolean;
  timeline: TimelineEntry[];
  createdAt: Date;
  updatedAt: Date;
}
interface Scratch {
  _id: string;
  n: number;
  xs: number[];
}
type Coll<T extends { _id: string }> = mongoose.mongo.Collection<T>;

interface Backend {
  name: Name;
  server: Running;
  /** Starts (or restarts, on the same data) this backend's FerretDB. */
  start: () => Promise<Running>;
  /** The postmaster (PostgreSQL only). */
  pg?: ChildProcess;
  conn?: mongoose.Connection;
  voices?: Coll<VoiceLike>;
  intake?: Coll<VoiceLike>;
  scratch?: Coll<Scratch>;
  restarts: number;
}
type Ready = Required<Backend>;

const TEXTS = [
  '号楼门口的垃圾三天没人清运了，气味很大，希望尽快处理',
  '号楼电梯这周坏了两次，老人上下楼很不方便，请物业检修',
  '小区东门晚上路灯不亮，回家路上看不清，存在安全隐患',
  '地下车库有人长期占用消防通道停车，希望管一管',
];
const BODIES = ['selfManagementCommittee', 'ownersCommittee', 'partyBranch', 'staff'];
const at = <T>(xs: readonly T[], k: number): T => xs[k % xs.length]!;
const hex = (k: number) => (k * 2654435761).toString(16).padStart(8, '0').repeat(8).slice(0, 64);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/** Voice k, deterministic, so both backends hold the same documents. */
function voice(k: number, prefix = 'v'): VoiceLike {
  const createdAt = new Date(Date.UTC(2025, 0, 1) + k * 97_000);
  return {
    _id: `${prefix}-${k}`,
    compoundId: `c${k % COMPOUNDS}`,
    kind: at(VOICE_KINDS, k),
    channel: at(CHANNELS, k * 7),
    category: at(CATEGORIES, k * 3),
    buildingId: `b${k % 17}`,
    text: `${(k % 30) + 1}${at(TEXTS, k)}`,
    anonymous: k % 9 === 0,
    residentName: '王小明',
    submittedBy: `r-${k % 997}`,
    idempotencyKey: `${prefix}-key-${k}`,
    requestHash: hex(k),
    status: at(VOICE_STATUSES, (k * 5) >> 1),
    rev: 0,
    assignee: at(BODIES, k),
    escalationLevel: 0,
    overdue: false,
    reopened: false,
    timeline: [{ eventId: `${prefix}-${k}:0`, type: 'received', at: createdAt, message: '已受理' }],
    createdAt,
    updatedAt: createdAt,
  };
}

/** The `postgres` user's ids (postgres refuses to run as root). */
function postgresUser(): { uid: number; gid: number } {
  const row = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!row) throw new Error('no postgres user: install PostgreSQL 15 (apt-get install postgresql-15)');
  const [, , uid, gid] = row.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** CPU seconds of the children a process has reaped (cutime + cstime). */
function reapedCpu(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes the directories of earlier runs that were killed before they could clean up. */
function removeStale() {
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))) {
    try {
      const owner = Number(readFileSync(join(tmpdir(), d, 'owner'), 'utf8'));
      if (owner && !alive(owner)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
    } catch {
      // not ours, or being set up by a run that is still starting
    }
  }
}

/**
 * Spawns a server that gets `deathSignal` should this process die, even by SIGKILL (setpriv sets
 * PR_SET_PDEATHSIG, kept across exec), optionally as the `postgres` user.
 */
function spawnTied(cmd: string, args: string[], deathSignal: string, asPostgres = false, cwd?: string) {
  const user = asPostgres ? ['--reuid=postgres', '--regid=postgres', '--init-groups'] : [];
  return spawn('setpriv', [`--pdeathsig=${deathSignal}`, ...user, '--', cmd, ...args], {
    cwd,
    env: asPostgres ? { ...process.env, HOME: cwd, LC_ALL: 'C' } : process.env,
    stdio: LOG ? ['ignore', 'inherit', 'inherit'] : 'ignore',
  });
}

function stop(child: ChildProcess | undefined, signal: NodeJS.Signals, timeoutMs = 20_000): Promise<void> {
  return new Promise((res) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return res();
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
    child.kill(signal);
  });
}

async function startPostgres(dir: string): Promise<{ child: ChildProcess; port: number }> {
  const { uid, gid } = postgresUser();
  chownSync(dir, uid, gid);
  const data = join(dir, 'pgdata');
  const init = spawnSync(
    join(PG_BIN, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { uid, gid, cwd: dir, env: { ...process.env, HOME: dir, LC_ALL: 'C' }, encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
  const port = await freePort();
  // SIGQUIT: immediate shutdown, which also ends the backends.
  const child = spawnTied(
    join(PG_BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
    'SIGQUIT',
    true,
    dir,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
    const r = spawnSync(join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
    if (r.status === 0) break;
    if (Date.now() > deadline) throw new Error('postgres did not become ready within 60 s');
    await sleep(200);
  }
  const db = spawnSync(
    join(PG_BIN, 'createdb'),
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'ferretdb'],
    { encoding: 'utf8' },
  );
  if (db.status !== 0) throw new Error(`createdb failed: ${db.stderr || db.error}`);
  return { child, port };
}

/** Sequential and index scans PostgreSQL made of FerretDB's tables, by collection. */
function pgScans(port: number): string {
  const r = spawnSync(
    join(PG_BIN, 'psql'),
    [
      ...['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'ferretdb', '-At', '-c'],
      `SELECT relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0) FROM pg_stat_user_tables
       WHERE schemaname = 'bench' AND relname NOT LIKE '\\_ferretdb%' ORDER BY relname`,
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return `(psql failed: ${r.stderr})`;
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const [rel, seq, read, idx] = l.split('|');
      return `\n  ${rel}: ${seq} sequential scans (${Number(read).toLocaleString('en')} rows read), ${idx} index scans`;
    })
    .join('');
}

/** FerretDB with the flags scripts/servers.ts uses, on SQLite or (given its port) on PostgreSQL. */
async function startFerretDb(stateDir: string, pgPort?: number): Promise<Running> {
  mkdirSync(stateDir, { recursive: true });
  const port = await freePort();
  const handler = pgPort
    ? ['--handler=postgresql', `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/ferretdb`]
    : ['--handler=sqlite', `--sqlite-url=file:${stateDir}/`];
  const child = spawnTied(
    toolPath('ferretdb'),
    [
      ...handler,
      `--state-dir=${stateDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    'SIGKILL',
  );
  await waitForPort(port, `FerretDB (${pgPort ? 'PostgreSQL' : 'SQLite'})`, child);
  return { child, port, stop: () => stop(child, 'SIGTERM', 10_000) };
}

async function connect(b: Backend): Promise<Ready> {
  const conn = await mongoose
    .createConnection(`mongodb://127.0.0.1:${b.server.port}/bench`, { maxPoolSize: 100 })
    .asPromise();
  // The Voice model's schema, so both collections carry the app's seven secondary indexes.
  const models = [conn.model('Voice', Voice.schema, 'voices'), conn.model('Intake', Voice.schema, 'intake')];
  await Promise.all(models.map((m) => m.init()));
  const db = conn.db!;
  Object.assign(b, {
    conn,
    voices: db.collection<VoiceLike>('voices'),
    intake: db.collection<VoiceLike>('intake'),
    scratch: db.collection<Scratch>('scratch'),
  });
  // Open the client's connections before anything is timed.
  await pool(400, 64, () => db.command({ ping: 1 }));
  return b as Ready;
}

/** A FerretDB that stopped answering: dropped and started again on the same data. */
async function restart(b: Backend) {
  await b.conn?.close(true).catch(() => undefined);
  await stop(b.server.child, 'SIGKILL');
  b.server = await b.start();
  b.restarts++;
  await connect(b);
}

async function seed(b: Ready): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < DOCS; k += SEED_BATCH) {
    const batch = Array.from({ length: Math.min(SEED_BATCH, DOCS - k) }, (_, j) => voice(k + j));
    await b.voices.insertMany(batch, { ordered: false });
  }
  const count = await b.voices.countDocuments();
  if (count !== DOCS) throw new Error(`${b.name}: seeded ${count} documents, not ${DOCS}`);
  return (DOCS / (performance.now() - t0)) * 1000;
}

/** CPU seconds so far: FerretDB's, and the PostgreSQL cluster's (0 for SQLite: it runs inside FerretDB). */
const cpuOf = (b: Backend) => ({
  ferret: cpuSeconds(b.server.child.pid),
  pg: b.pg ? cpuSeconds(b.pg.pid) + reapedCpu(b.pg.pid) : 0,
});

class Hung extends Error {}

/**
 * Runs one timed phase (`n` operations, `c` at a time) and the CPU it cost; an operation unanswered
 * after OP_TIMEOUT_MS counts as hung (and as an error), and then that FerretDB is restarted.
 */
async function measured(b: Backend, n: number, c: number, task: (i: number) => Promise<unknown>) {
  let hung = 0;
  const c0 = cpuOf(b);
  const run = await pool(n, c, (i) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Hung()), OP_TIMEOUT_MS);
    });
    return Promise.race([task(i), timeout])
      .catch((err: unknown) => {
        if (err instanceof Hung) hung++;
        throw err;
      })
      .finally(() => clearTimeout(timer));
  });
  const c1 = cpuOf(b);
  if (hung) {
    console.log(`  ${b.name}: ${hung} operations unanswered after ${OP_TIMEOUT_MS / 1000} s; restarting it`);
    await restart(b);
  }
  const done = n - run.errors;
  return {
    run,
    hung,
    ferret: done ? ((c1.ferret - c0.ferret) / done) * 1000 : NaN,
    pg: done ? ((c1.pg - c0.pg) / done) * 1000 : NaN,
  };
}

/** Settles all, or gives up after `ms` (null). */
async function settleWithin<T>(ps: Promise<T>[], ms: number): Promise<PromiseSettledResult<T>[] | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(ps), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Trial {
  hung: boolean;
  n: number;
  len: number;
  incLost: number;
  pushLost: number;
  failed: number;
}

/** Concurrent single-document updates on one document each: how many acknowledged ones are missing. */
async function atomicity(b: Ready, round: number, trial: number): Promise<Trial> {
  const incId = `inc-${round}-${trial}-${b.restarts}`;
  const pushId = `push-${round}-${trial}-${b.restarts}`;
  const hung: Trial = { hung: true, n: NaN, len: NaN, incLost: 0, pushLost: 0, failed: 0 };
  await b.scratch.insertMany([
    { _id: incId, n: 0, xs: [] },
    { _id: pushId, n: 0, xs: [] },
  ]);
  const acked = (rs: PromiseSettledResult<mongoose.mongo.UpdateResult>[]) =>
    rs.filter((r) => r.status === 'fulfilled' && r.value.modifiedCount === 1).length;
  const incs = await settleWithin(
    Array.from({ length: INCS }, () => b.scratch.updateOne({ _id: incId }, { $inc: { n: 1 } })),
    ATOMIC_TIMEOUT_MS,
  );
  if (!incs) return hung;
  const pushes = await settleWithin(
    Array.from({ length: PUSHES }, (_, k) => b.scratch.updateOne({ _id: pushId }, { $push: { xs: k } })),
    ATOMIC_TIMEOUT_MS,
  );
  if (!pushes) return hung;
  const inc = await b.scratch.findOne({ _id: incId });
  const push = await b.scratch.findOne({ _id: pushId });
  const n = inc?.n ?? 0;
  const len = push?.xs.length ?? 0;
  return {
    hung: false,
    n,
    len,
    incLost: acked(incs) - n,
    pushLost: acked(pushes) - new Set(push?.xs ?? []).size,
    failed: INCS - acked(incs) + PUSHES - acked(pushes),
  };
}

type Figures = Record<string, number[]>;

async function runRound(b: Backend, round: number, f: Figures) {
  const put = (k: string, v: number) => (f[k] ??= []).push(v);
  const ready = () => b as Ready; // after a restart, b holds the new connection
  const now = new Date();

  // 1. insertOne, 32 at a time.
  const ins = await measured(b, N, C, (i) =>
    ready().intake.insertOne(voice((round - 1) * N + i, `in-${b.name}`)),
  );
  put('insert/s', ins.run.rate);
  put('insert p50', ins.run.p50);
  put('insert p99', ins.run.p99);
  put('insert errors', ins.run.errors);
  put('insert cpu ferret', ins.ferret);
  put('insert cpu pg', ins.pg);

  // 2. updateOne by _id: the workflow's write, each to another document.
  const upd = await measured(b, N, C, async (i) => {
    const op = (round - 1) * N + i;
    const rev = op + 1;
    const id = `v-${op % DOCS}`;
    const res = await ready().voices.updateOne(
      { _id: id, $or: [{ rev: { $lt: rev } }, { rev: { $exists: false } }] },
      {
        $set: { rev, status: 'inProgress', updatedAt: now },
        $push: { timeline: { eventId: `${id}:${rev}`, type: 'accepted', at: now, message: '已接单' } },
      },
    );
    if (res.modifiedCount !== 1) throw new Error(`modified ${res.modifiedCount}`);
  });
  put('update/s', upd.run.rate);
  put('update p50', upd.run.p50);
  put('update p99', upd.run.p99);
  put('update errors', upd.run.errors);
  put('update cpu ferret', upd.ferret);
  put('update cpu pg', upd.pg);

  // 3. The filtered find of a staff list, and the lookup by _id as a control.
  let rows = 0;
  const find = await measured(b, FINDS, FIND_C, async (i) => {
    const filter = { compoundId: `c${(i * 7 + round) % COMPOUNDS}`, status: at(VOICE_STATUSES, i + round) };
    rows += (await ready().voices.find(filter).sort({ createdAt: -1 }).limit(20).toArray()).length;
  });
  put('find p50', find.run.p50);
  put('find p99', find.run.p99);
  put('find/s', find.run.rate);
  put('find errors', find.run.errors);
  put('find cpu ferret', find.ferret);
  put('find cpu pg', find.pg);
  const byId = await measured(b, LOOKUPS, FIND_C, async (i) => {
    if (!(await ready().voices.findOne({ _id: `v-${(i * 7919 + round) % DOCS}` })))
      throw new Error('not found');
  });
  put('byId p50', byId.run.p50);
  put('byId p99', byId.run.p99);
  put('byId errors', byId.run.errors);
  put('byId cpu ferret', byId.ferret);
  put('byId cpu pg', byId.pg);

  // 4. Atomicity of single-document updates.
  let incLost = 0;
  let pushLost = 0;
  let failed = 0;
  let hung = 0;
  const finals: string[] = [];
  for (let t = 1; t <= TRIALS; t++) {
    const a = await atomicity(ready(), round, t);
    if (a.hung) {
      hung++;
      finals.push('hung');
      await restart(b);
      continue;
    }
    incLost += a.incLost;
    pushLost += a.pushLost;
    failed += a.failed;
    finals.push(`${a.n}/${INCS}, ${a.len}/${PUSHES}`);
  }
  put('inc lost', incLost);
  put('push lost', pushLost);
  put('atomic failed', failed);
  put('atomic hung', hung);
  put('atomic done', TRIALS - hung);

  const r = (x: Run) =>
    `${x.rate.toFixed(0)}/s (p50 ${x.p50.toFixed(0)}, p99 ${x.p99.toFixed(0)} ms, ${x.errors} err)`;
  console.log(
    `  round ${round} ${b.name}: insert ${r(ins.run)}, update ${r(upd.run)}, ` +
      `find p50/p99 ${find.run.p50.toFixed(0)}/${find.run.p99.toFixed(0)} ms (${(rows / FINDS).toFixed(1)} rows), ` +
      `by _id p50/p99 ${byId.run.p50.toFixed(1)}/${byId.run.p99.toFixed(1)} ms; ` +
      `final n, length: ${finals.join(' | ')} (load ${loads()})`,
  );
}

export async function benchBackends(): Promise<void> {
  removeStale();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  const backends: Backend[] = [];
  let postgres: ChildProcess | undefined;
  // Interrupted: stop what was started, remove the directory, and go.
  const onSignal = (signal: NodeJS.Signals) => {
    for (const b of backends) b.server.child.kill('SIGKILL');
    postgres?.kill('SIGQUIT');
    setTimeout(() => {
      postgres?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as Record<string, number>)[signal]!);
    }, 1000);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.once(s, onSignal);
  try {
    console.log(
      `backends benchmark: FerretDB v1.24 on SQLite and on PostgreSQL 15, ${ROUNDS} alternating rounds, ` +
        `${DOCS.toLocaleString('en')} documents; per round and backend ${N} inserts and ${N} updates ` +
        `${C} at a time, ${FINDS} filtered finds and ${LOOKUPS} lookups by _id ${FIND_C} at a time, ` +
        `${TRIALS} atomicity trials (load average ${loads()})`,
    );
    const sqliteDir = join(dir, 'sqlite');
    const startSqlite = () => startFerretDb(sqliteDir);
    backends.push({ name: 'SQLite', server: await startSqlite(), start: startSqlite, restarts: 0 });
    const pg = await startPostgres(dir);
    postgres = pg.child;
    const pgDir = join(dir, 'ferretdb-pg');
    const startPg = () => startFerretDb(pgDir, pg.port);
    backends.push({ name: 'PostgreSQL', server: await startPg(), start: startPg, pg: pg.child, restarts: 0 });

    for (const b of backends) {
      const rate = await seed(await connect(b));
      console.log(`  seeded ${b.name}: ${DOCS.toLocaleString('en')} documents at ${rate.toFixed(0)}/s`);
    }

    const figures: Record<Name, Figures> = { SQLite: {}, PostgreSQL: {} };
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? backends : [...backends].reverse();
      for (const b of order) await runRound(b, round, figures[b.name]);
    }

    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const sum = (xs: number[] = []) => xs.reduce((a, x) => a + x, 0);
    const show = (what: string, key: string, digits = 0, ratio = true) => {
      const [s, p] = NAMES.map((n) => figures[n][key] ?? [NaN]);
      const r = median(p!) / median(s!);
      line(
        what,
        `${spread(s!, digits).padEnd(22)} | ${spread(p!, digits).padEnd(22)}` +
          (ratio ? ` | ${Number.isFinite(r) ? r.toFixed(2) : '—'}` : ''),
      );
    };
    for (const n of NAMES) {
      const fs = figures[n];
      for (const k of ['insert', 'update', 'find', 'byId'])
        fs[`${k} cpu total`] = fs[`${k} cpu ferret`]!.map((x, i) => x + fs[`${k} cpu pg`]![i]!);
    }
    console.log(`\nmin / median / max over the rounds: SQLite | PostgreSQL | PostgreSQL ÷ SQLite (medians)`);
    show(`1. insertOne, ${C} at a time: docs/s`, 'insert/s');
    show('   insertOne: p50 ms', 'insert p50', 1);
    show('   insertOne: p99 ms', 'insert p99', 1);
    show('   insertOne: errors', 'insert errors', 0, false);
    show(`2. updateOne by _id ($set + $push), ${DOCS.toLocaleString('en')} docs: updates/s`, 'update/s');
    show('   updateOne: p50 ms', 'update p50', 1);
    show('   updateOne: p99 ms', 'update p99', 1);
    show('   updateOne: errors (not modified, failed or hung)', 'update errors', 0, false);
    show(`3. find {compoundId, status} newest 20, ${FIND_C} at a time: p50 ms`, 'find p50');
    show(`   find {compoundId, status}: p99 ms (of ${FINDS} a round)`, 'find p99');
    show('   find {compoundId, status}: finds/s', 'find/s', 2);
    show('   control: findOne by _id: p50 ms', 'byId p50', 1);
    show('   control: findOne by _id: p99 ms', 'byId p99', 1);
    show(`4. ${INCS} concurrent $inc on one doc: lost (all trials of a round)`, 'inc lost', 0, false);
    show(`   ${PUSHES} concurrent $push on one doc: lost (all trials of a round)`, 'push lost', 0, false);
    show('   updates that failed outright', 'atomic failed', 0, false);
    show(
      `   trials that hung (no answer in ${ATOMIC_TIMEOUT_MS / 1000} s) of ${TRIALS}`,
      'atomic hung',
      0,
      false,
    );
    for (const [what, key] of [
      ['inserts', 'insert'],
      ['updates', 'update'],
      ['filtered finds', 'find'],
      ['lookups by _id', 'byId'],
    ] as const) {
      show(`5. CPU-s per 1,000 ${what}: FerretDB`, `${key} cpu ferret`, 2);
      show(`   CPU-s per 1,000 ${what}: postgres processes`, `${key} cpu pg`, 2, false);
      show(`   CPU-s per 1,000 ${what}: FerretDB + postgres`, `${key} cpu total`, 2);
    }
    console.log(`\nPostgreSQL's scans of FerretDB's tables:${pgScans(pg.port)}`);
    console.log('\natomicity over all rounds:');
    for (const n of NAMES) {
      const fs = figures[n];
      const done = sum(fs['atomic done']);
      console.log(
        `  ${n}: ${sum(fs['inc lost'])} of ${done * INCS} acknowledged $inc and ${sum(fs['push lost'])} of ` +
          `${done * PUSHES} acknowledged $push lost in ${done} trials; ${sum(fs['atomic hung'])} of ` +
          `${TRIALS * ROUNDS} trials hung (FerretDB restarts: ${backends.find((b) => b.name === n)!.restarts})`,
      );
    }
    console.log(`(load average ${loads()})`);
  } finally {
    for (const s of signals) process.off(s, onSignal);
    for (const b of backends) await b.conn?.close(true).catch(() => undefined);
    for (const b of backends) await b.server.stop().catch(() => undefined);
    await stop(postgres, 'SIGINT'); // fast shutdown
    rmSync(dir, { recursive: true, force: true });
  }
}
