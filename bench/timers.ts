/**
 * Timers under load (`npm run bench -- timers`), on the stack as it runs in production (FerretDB, the
 * Temporal dev server, the worker and the API as separate processes). Each round, on a fresh stack:
 *   - a compound whose complaints must be accepted BENCH_TIMERS_DEADLINE_S (180) seconds after intake,
 *     with the reminder BENCH_TIMERS_REMIND_S (60) seconds before (set in the database: fractional
 *     hours), and BENCH_TIMERS_N (10,000) complaints raised over HTTP as Poisson arrivals at
 *     BENCH_TIMERS_RATE (25) a second — so intake, reminders and escalations run at the same time, at
 *     the same rate, as in a steady state where every voice goes overdue;
 *   - for each voice, how late its escalation (the acknowledge deadline missed: the 'escalated' step)
 *     came: by the workflow's clock (the 'escalated' timeline entry's `at`, which is the start of the
 *     workflow task that ran the step, from Temporal's history) and as the read model got it (the voice
 *     record's updatedAt: the escalation is its last write); for a sample, from the history itself
 *     (how late the timer was set, how late it fired, how long until a worker took the task);
 *   - the control, in the same run: a bare workflow (bench/sleeper-workflow.ts) per voice, on a worker of
 *     its own in this process, same dev server, sleeping to the same instant (to within the request's
 *     latency) and reporting its clock on waking through a local activity;
 *   - the worker's RSS with N open voices and its configured cache (WORKER_MAX_CACHED_WORKFLOWS passes
 *     through to it), and the replay cost: queries on cached voices, then, after a worker restart
 *     (an empty cache), on evicted ones — round trip and worker CPU per query.
 * Env: BENCH_ROUNDS (1), BENCH_TIMERS_SAMPLE (200 histories), BENCH_TIMERS_QUERIES (200),
 * BENCH_TIMERS_GRACE_S (120: how long past the last deadline to wait), BENCH_LOG (worker/API output),
 * BENCH_PROFILE (a directory for the worker's and the API's CPU profiles).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import mongoose from 'mongoose';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { hashPassword } from '../services/passwords';
import { DEFAULT_VOICE_SETTINGS, type VoiceSettings } from '../domain/voices';
import { Community, Compound } from '../models/compound';
import { User } from '../models/user';
import { Voice } from '../models/voice';
import { Stack } from '../scripts/stack';
import { voiceStatusQuery, voiceWorkflowId } from '../workflows/contract';
import { loadConfig } from '../config';
import { children, cpuSeconds, line, loginToken, percentile, pool, random, rssMiB, spread } from './lib';
import type { SleeperActivities } from './sleeper-workflow';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const N = Number(process.env.BENCH_TIMERS_N ?? 10_000);
const RATE = Number(process.env.BENCH_TIMERS_RATE ?? 25);
const DEADLINE_S = Number(process.env.BENCH_TIMERS_DEADLINE_S ?? 180);
const REMIND_S = Number(process.env.BENCH_TIMERS_REMIND_S ?? 60);
const SAMPLE = Number(process.env.BENCH_TIMERS_SAMPLE ?? 200);
const QUERIES = Number(process.env.BENCH_TIMERS_QUERIES ?? 200);
const GRACE_S = Number(process.env.BENCH_TIMERS_GRACE_S ?? 120);
/** Each of the phases after the timers (histories, each batch of queries) stops after this long. */
const BUDGET_MS = 90_000;
const CONTROL_QUEUE = 'bench-timers-control';
const COMPOUND = 'bench-t';
/** As the compound stores them: hours, here fractions of one (the API would take them too). */
const ACK_HOURS = DEADLINE_S / 3600;
const REMIND_HOURS = REMIND_S / 3600;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A promise, or an error once `ms` have passed (a saturated database can stop answering). */
const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms).unref(),
    ),
  ]);
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const num = (x: unknown) => Number(String(x));
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** p50 / p99 / max of some latencies, ms. */
const tail = (xs: number[]) => {
  const s = sorted(xs);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s.at(-1) ?? NaN, n: s.length };
};
type Tail = ReturnType<typeof tail>;
const fmt = (t: Tail) => `${t.p50.toFixed(0)} / ${t.p99.toFixed(0)} / ${t.max.toFixed(0)}`;

/**
 * From a workflow's history, the timer meant to fire at `target`: how late it was set (its planned
 * fire time past the target), how late it fired, how long until a worker started the next workflow
 * task, and how long that task took (to its completion: the step's local activities included).
 */
function timerSteps(events: temporal.api.history.v1.IHistoryEvent[], target: number) {
  let best: { id: number; planned: number } | undefined;
  for (const e of events) {
    const a = e.timerStartedEventAttributes;
    if (!a) continue;
    const planned = tsToMs(e.eventTime) + tsToMs(a.startToFireTimeout);
    if (!best || Math.abs(planned - target) < Math.abs(best.planned - target))
      best = { id: num(e.eventId), planned };
  }
  if (!best) return undefined;
  const i = events.findIndex((e) => num(e.timerFiredEventAttributes?.startedEventId) === best.id);
  if (i < 0) return undefined;
  const fired = tsToMs(events[i]!.eventTime);
  const after = events.slice(i);
  const started = after.find((e) => e.workflowTaskStartedEventAttributes);
  const completed = after.find((e) => e.workflowTaskCompletedEventAttributes);
  if (!started || !completed) return undefined;
  return {
    set: best.planned - target,
    fire: fired - best.planned,
    pickup: tsToMs(started.eventTime) - fired,
    task: tsToMs(completed.eventTime) - tsToMs(started.eventTime),
    events: events.length,
  };
}

interface Steps {
  set: Tail;
  fire: Tail;
  pickup: Tail;
  task: Tail;
  events: number;
  /** Histories read. */
  n: number;
}

/** Histories fetched 8 at a time, each within 10 s, all within BUDGET_MS (a loaded server answers slowly). */
async function historySteps(
  connection: Connection,
  client: Client,
  items: { workflowId: string; target: number }[],
) {
  const rows: NonNullable<ReturnType<typeof timerSteps>>[] = [];
  const until = Date.now() + BUDGET_MS;
  await pool(items.length, 8, async (i) => {
    if (Date.now() > until) return;
    const it = items[i]!;
    const history = await connection.withDeadline(Date.now() + 10_000, () =>
      client.workflow.getHandle(it.workflowId).fetchHistory(),
    );
    const r = timerSteps(history.events ?? [], it.target);
    if (r) rows.push(r);
  });
  const col = (k: 'set' | 'fire' | 'pickup' | 'task') => tail(rows.map((r) => r[k]));
  return {
    set: col('set'),
    fire: col('fire'),
    pickup: col('pickup'),
    task: col('task'),
    events: percentile(sorted(rows.map((r) => r.events)), 50),
    n: rows.length,
  } satisfies Steps;
}

/**
 * Restarts the worker with an empty cache. Stack.restart SIGKILLs only the tsx launcher, which does not
 * pass that on: the old worker would go on polling beside the new one, its cache intact. So its node
 * process is stopped first (SIGTERM: it shuts down as in production, and writes its CPU profile).
 */
async function restartWorker(stack: Stack): Promise<void> {
  const inner = children(stack.pid('worker'));
  const alive = () => inner.filter((pid) => existsSync(`/proc/${pid}`));
  for (const pid of inner) process.kill(pid, 'SIGTERM');
  for (let t = 0; alive().length && t < 300; t++) await sleep(100);
  for (const pid of alive()) process.kill(pid, 'SIGKILL');
  while (alive().length) await sleep(100);
  await stack.restart('worker');
}

/** Evenly spaced picks. */
const pick = <T>(xs: T[], k: number) =>
  xs.length <= k ? xs : Array.from({ length: k }, (_, i) => xs[Math.floor((i * xs.length) / k)]!);

interface Round {
  intakeRate: number;
  post: Tail;
  postErrors: number;
  controlErrors: number;
  voices: Tail;
  visible: Tail;
  reminders: Tail;
  missing: number;
  control: Tail;
  controlVisible: Tail;
  controlMissing: number;
  voiceSteps: Steps;
  controlSteps: Steps;
  cache: number;
  rssBefore: number;
  rssPeak: number;
  rssOpen: number;
  workerCpuPerVoice: number;
  temporalCpuPerVoice: number;
  cached: Tail;
  cachedCpu: number;
  evicted: Tail;
  evictedCpu: number;
  warm: Tail;
  warmCpu: number;
  queryErrors: number;
  loadBefore: string;
  loadAfter: string;
}

async function round(no: number): Promise<Round> {
  const loadBefore = load();
  // BENCH_PROFILE=<dir>: CPU profiles of the worker and the API, written when they stop.
  const profile = process.env.BENCH_PROFILE;
  const stack = await new Stack({
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    log: process.env.BENCH_LOG ? (p, l) => console.log(`[${p}] ${l}`) : undefined,
  }).start();
  const closers: (() => Promise<unknown>)[] = [];
  // Interrupted (a long run), the stack's processes stop too.
  const interrupted = () => void stack.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await measure(no, stack, closers, loadBefore);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await stack.stop();
  }
}

async function measure(
  no: number,
  stack: Stack,
  closers: (() => Promise<unknown>)[],
  loadBefore: string,
): Promise<Round> {
  const cache = loadConfig().workerMaxCachedWorkflows;
  const workerPid = () => stack.pid('worker');
  await mongoose.connect(stack.mongodbUri);
  closers.push(() => mongoose.disconnect());
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));

  const voices: VoiceSettings = {
    ...structuredClone(DEFAULT_VOICE_SETTINGS),
    reminderLeadHours: {
      acknowledge: REMIND_HOURS,
      resolve: DEFAULT_VOICE_SETTINGS.reminderLeadHours.resolve,
    },
  };
  voices.deadlines.complaint = { acknowledgeHours: ACK_HOURS, resolveHours: 7 * 24 };
  await Community.create({ _id: 'bench', name: '基准社区' });
  await Compound.create({
    _id: COMPOUND,
    name: '基准小区',
    communityId: 'bench',
    buildings: [{ _id: 'b1', name: '1号楼' }],
    settings: { voices },
  });
  await User.create({
    _id: 'bench-r',
    username: 'bench-r',
    name: '王小明',
    passwordHash: await hashPassword('bench-password'),
    memberships: [{ compoundId: COMPOUND, roles: ['resident'] }],
  });
  const token = await loginToken(stack.apiUrl, 'bench-r', 'bench-password');

  const connection = await Connection.connect({ address: stack.temporalAddress });
  closers.push(() => connection.close());
  const client = new Client({ connection });

  // The control's worker, in this process; it keeps every sleeper cached (they are tiny), so it never replays.
  const woke = new Map<string, { target: number; clock: number; wall: number }>();
  const activities: SleeperActivities = {
    async woke(workflowId, target, clock) {
      if (!woke.has(workflowId)) woke.set(workflowId, { target, clock, wall: Date.now() });
    },
  };
  const native = await NativeConnection.connect({ address: stack.temporalAddress });
  closers.push(() => native.close());
  const controlWorker = await Worker.create({
    connection: native,
    taskQueue: CONTROL_QUEUE,
    workflowsPath: require.resolve('./sleeper-workflow'),
    activities,
    maxCachedWorkflows: Math.max(N + 100, 200),
  });
  const controlRun = controlWorker.run();
  closers.push(async () => {
    controlWorker.shutdown();
    await controlRun;
  });

  let rssPeak = 0;
  const rssBefore = rssMiB(workerPid());
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(workerPid()))), 2_000);
  closers.push(async () => clearInterval(sampler));
  const cpu0 = { worker: cpuSeconds(workerPid()), temporal: cpuSeconds(stack.pid('temporal')) };

  // Intake: Poisson arrivals, each a real POST; its control starts at the same moment.
  const rand = random(no * 7919);
  const raised: { id: string; sent: number }[] = [];
  const controls: { workflowId: string; target: number }[] = [];
  const postLat: number[] = [];
  let postErrors = 0;
  let controlErrors = 0;
  const inflight: Promise<void>[] = [];
  const t0 = Date.now();
  let due = t0;
  for (let i = 0; i < N; i++) {
    due += (-Math.log(1 - rand()) / RATE) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
    const sent = Date.now();
    const workflowId = `sleeper-${no}-${i}`;
    const target = sent + DEADLINE_S * 1000;
    inflight.push(
      fetch(`${stack.apiUrl}/compounds/${COMPOUND}/voices`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': `bench-timers-${no}-${i}`,
        },
        body: JSON.stringify({ kind: 'complaint', text: '3号楼门口的垃圾三天没人清运了', buildingId: 'b1' }),
      })
        .then(async (res) => {
          if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
          const { voice } = (await res.json()) as { voice: { id: string } };
          raised.push({ id: voice.id, sent });
          postLat.push(Date.now() - sent);
        })
        .catch(() => void postErrors++),
      client.workflow
        .start('benchSleeper', { workflowId, taskQueue: CONTROL_QUEUE, args: [target] })
        .then(() => void controls.push({ workflowId, target }))
        .catch((err: unknown) => {
          if (!controlErrors++) console.warn(`  control ${workflowId} did not start: ${String(err)}`);
        }),
    );
  }
  await Promise.all(inflight);
  const intakeRate = (raised.length / (Date.now() - t0)) * 1000;
  console.log(
    `  round ${no}: ${raised.length} voices raised in ${((Date.now() - t0) / 1000).toFixed(0)} s (${intakeRate.toFixed(1)}/s, ${postErrors} errors), ${controls.length} sleepers started (${controlErrors} failed); load ${load()}`,
  );

  // Until every voice has escalated and every sleeper woke, or GRACE_S past the last deadline.
  const lastDeadline = Math.max(...raised.map((r) => r.sent), t0) + DEADLINE_S * 1000;
  let escalated = 0;
  let said = Date.now();
  while (Date.now() < lastDeadline + GRACE_S * 1000) {
    escalated = await within(
      30_000,
      'counting escalations',
      Voice.countDocuments({ compoundId: COMPOUND, escalationLevel: { $gte: 1 } }).exec(),
    ).catch(() => escalated);
    if (escalated >= raised.length && woke.size >= controls.length) break;
    if (Date.now() - said > 60_000) {
      said = Date.now();
      console.log(
        `  … ${escalated} escalated, ${woke.size} sleepers woke, ${((lastDeadline - Date.now()) / 1000).toFixed(0)} s to the last deadline; worker RSS ${rssMiB(workerPid()).toFixed(0)} MiB; load ${load()}`,
      );
    }
    await sleep(5_000);
  }
  const rssOpen = rssMiB(workerPid());
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, rssOpen);
  const workerCpuPerVoice = ((cpuSeconds(workerPid()) - cpu0.worker) / raised.length) * 1000;
  const temporalCpuPerVoice = ((cpuSeconds(stack.pid('temporal')) - cpu0.temporal) / raised.length) * 1000;
  console.log(
    `  round ${no}: ${escalated}/${raised.length} escalated, ${woke.size}/${controls.length} sleepers woke; load ${load()}`,
  );

  // The voices' deadlines, computed as the workflow computes them (voiceDeadline: hours after intake).
  // A step still missing counts as late as the end of the wait (a lower bound).
  const end = Date.now();
  const docs = await within(
    BUDGET_MS,
    'reading the voices',
    Voice.find({ compoundId: COMPOUND }, { createdAt: 1, updatedAt: 1, timeline: 1 }).lean().exec(),
  );
  const late: number[] = [];
  const visible: number[] = [];
  const reminders: number[] = [];
  const byEscalation: { id: string; at: number; deadline: number }[] = [];
  for (const v of docs) {
    const deadline = new Date(v.createdAt.getTime() + ACK_HOURS * 3_600_000).getTime();
    const reminder = v.timeline.find((e) => e.type === 'reminderSent');
    reminders.push((reminder?.at.getTime() ?? end) - (deadline - REMIND_S * 1000));
    const esc = v.timeline.find((e) => e.type === 'escalated');
    if (!esc) {
      late.push(end - deadline);
      visible.push(end - deadline);
      continue;
    }
    late.push(esc.at.getTime() - deadline);
    visible.push(v.updatedAt.getTime() - deadline);
    byEscalation.push({ id: v._id, at: esc.at.getTime(), deadline });
  }
  byEscalation.sort((a, b) => a.at - b.at);
  const woken = controls.map(
    ({ workflowId, target }) => woke.get(workflowId) ?? { target, clock: end, wall: end },
  );

  const voiceSteps = await historySteps(
    connection,
    client,
    pick(byEscalation, SAMPLE).map((v) => ({ workflowId: voiceWorkflowId(v.id), target: v.deadline })),
  );
  const controlSteps = await historySteps(connection, client, pick(controls, SAMPLE));

  // Replay cost: queries one at a time, on the voices touched last (cached), then after a restart of
  // the worker (its cache empty: each query replays the voice's history), then on those again.
  let queryErrors = 0;
  const queries = async (ids: string[]) => {
    // What the worker spends idle (folding, sweeping) is measured first and taken off.
    const i0 = cpuSeconds(workerPid());
    await sleep(5_000);
    const idleRate = (cpuSeconds(workerPid()) - i0) / 5_000;
    const lat: number[] = [];
    const c = cpuSeconds(workerPid());
    const s = performance.now();
    let done = 0;
    for (const id of ids) {
      if (performance.now() - s > BUDGET_MS) break;
      done++;
      const q = performance.now();
      try {
        await connection.withDeadline(Date.now() + 10_000, () =>
          client.workflow.getHandle(voiceWorkflowId(id)).query(voiceStatusQuery),
        );
        lat.push(performance.now() - q);
      } catch {
        queryErrors++;
      }
    }
    const busy = cpuSeconds(workerPid()) - c - idleRate * (performance.now() - s);
    return { lat: tail(lat), cpu: (Math.max(busy, 0) / Math.max(done, 1)) * 1000 };
  };
  const k = Math.min(QUERIES, Math.floor(cache / 2) || 1, byEscalation.length);
  const cached = await queries(byEscalation.slice(-k).map((v) => v.id));
  await restartWorker(stack);
  // The dead worker's sticky queue is given up after some seconds without a poller.
  await sleep(15_000);
  const coldIds = raised.slice(0, k).map((v) => v.id);
  const evicted = await queries(coldIds);
  const warm = await queries(coldIds);

  return {
    intakeRate,
    post: tail(postLat),
    postErrors,
    controlErrors,
    voices: tail(late),
    visible: tail(visible),
    reminders: tail(reminders),
    missing: raised.length - byEscalation.length,
    control: tail(woken.map((w) => w.clock - w.target)),
    controlVisible: tail(woken.map((w) => w.wall - w.target)),
    controlMissing: controls.filter((c) => !woke.has(c.workflowId)).length,
    voiceSteps,
    controlSteps,
    cache,
    rssBefore,
    rssPeak,
    rssOpen,
    workerCpuPerVoice,
    temporalCpuPerVoice,
    cached: cached.lat,
    cachedCpu: cached.cpu,
    evicted: evicted.lat,
    evictedCpu: evicted.cpu,
    warm: warm.lat,
    warmCpu: warm.cpu,
    queryErrors,
    loadBefore,
    loadAfter: load(),
  };
}

export async function benchTimers(): Promise<void> {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
  console.log(
    `timers benchmark: ${ROUNDS} round(s) × ${N} complaints at ${RATE}/s (Poisson), acknowledge deadline ${DEADLINE_S} s after intake, reminder ${REMIND_S} s before; worker cache ${loadConfig().workerMaxCachedWorkflows} workflows`,
  );
  const rounds: Round[] = [];
  for (let no = 1; no <= ROUNDS; no++) rounds.push(await round(no));

  const many = rounds.length > 1;
  console.log(
    many ? '\nmin / median / max over the rounds (ms unless named):' : '\nfigures (ms unless named):',
  );
  const fig = (f: (r: Round) => number, d = 0) =>
    many ? spread(rounds.map(f), d) : f(rounds[0]!).toFixed(d);
  const tails = (f: (r: Round) => Tail) =>
    many
      ? `${spread(rounds.map((r) => f(r).p50))} | ${spread(rounds.map((r) => f(r).p99))} | ${spread(rounds.map((r) => f(r).max))}`
      : fmt(f(rounds[0]!));
  const pp = many ? 'p50 | p99 | max' : 'p50 / p99 / max';
  line(
    'load average (1/5/15 min) before | after',
    rounds.map((r) => `${r.loadBefore} | ${r.loadAfter}`).join('; '),
  );
  line(
    'intake: voices/s achieved',
    fig((r) => r.intakeRate, 1),
  );
  line(
    `intake: POST ${pp}`,
    tails((r) => r.post),
  );
  line(
    'intake: POST errors',
    fig((r) => r.postErrors),
  );
  line(
    `escalation late, workflow clock (timeline at): ${pp}`,
    tails((r) => r.voices),
  );
  line(
    `escalation late, in the read model (updatedAt): ${pp}`,
    tails((r) => r.visible),
  );
  line(
    'escalations missing at the end (counted as late as the end)',
    fig((r) => r.missing),
  );
  line(
    `reminder late, workflow clock: ${pp}`,
    tails((r) => r.reminders),
  );
  line(
    `control sleeper late, workflow clock: ${pp}`,
    tails((r) => r.control),
  );
  line(
    `control sleeper late, its local activity: ${pp}`,
    tails((r) => r.controlVisible),
  );
  line(
    'control sleepers: failed to start | missing at the end',
    `${fig((r) => r.controlErrors)} | ${fig((r) => r.controlMissing)}`,
  );
  const ratio = (a: number, b: number) => a / Math.max(b, 1);
  line(
    'escalation p99 ÷ control p99: workflow clock | read model',
    `${fig((r) => ratio(r.voices.p99, r.control.p99), 1)} | ${fig((r) => ratio(r.visible.p99, r.controlVisible.p99), 1)}`,
  );
  line(
    'escalation p99 − control p99 (ms): workflow clock | read model',
    `${fig((r) => r.voices.p99 - r.control.p99)} | ${fig((r) => r.visible.p99 - r.controlVisible.p99)}`,
  );
  console.log(
    `from the histories of ${fig((r) => r.voiceSteps.n)} voices || ${fig((r) => r.controlSteps.n)} sleepers (${pp}):`,
  );
  const step = (what: string, k: keyof Omit<Steps, 'events' | 'n'>) =>
    line(`  ${what}`, `${tails((r) => r.voiceSteps[k])}  ||  ${tails((r) => r.controlSteps[k])}`);
  step('timer set late (planned fire − deadline)', 'set');
  step('timer fired late (fired − planned)', 'fire');
  step('task picked up (task started − fired)', 'pickup');
  step('the step’s task (started → completed)', 'task');
  line(
    '  history length, events (median): voice | sleeper',
    `${fig((r) => r.voiceSteps.events)} | ${fig((r) => r.controlSteps.events)}`,
  );
  line(
    'worker cache (maxCachedWorkflows)',
    fig((r) => r.cache),
  );
  line(
    'worker RSS MiB: at start',
    fig((r) => r.rssBefore),
  );
  line('worker RSS MiB: with N open voices | peak', `${fig((r) => r.rssOpen)} | ${fig((r) => r.rssPeak)}`);
  line(
    'worker RSS KiB per cached voice ((open − start) ÷ min(N, cache))',
    fig((r) => ((r.rssOpen - r.rssBefore) * 1024) / Math.max(Math.min(N, r.cache), 1)),
  );
  line(
    'CPU-ms per voice over the run: worker | Temporal',
    `${fig((r) => r.workerCpuPerVoice, 1)} | ${fig((r) => r.temporalCpuPerVoice, 1)}`,
  );
  line(
    `query on a cached voice: ${pp}`,
    tails((r) => r.cached),
  );
  line(
    `query on an evicted voice (replays it): ${pp}`,
    tails((r) => r.evicted),
  );
  line(
    `query on it again (cached after the replay): ${pp}`,
    tails((r) => r.warm),
  );
  line(
    'worker CPU-ms per query: cached | evicted | again',
    `${fig((r) => r.cachedCpu, 1)} | ${fig((r) => r.evictedCpu, 1)} | ${fig((r) => r.warmCpu, 1)}`,
  );
  line(
    'queries that failed (timed out)',
    fig((r) => r.queryErrors),
  );
}
