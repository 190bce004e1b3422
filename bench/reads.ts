/**
 * Reads under load at a county's scale (`benchReads`; for bench/index.ts as `reads`). Generates the
 * records of a county straight into FerretDB (BENCH_VOICES voices over BENCH_COMPOUNDS compounds of
 * differing sizes, the past year's: a mix of kinds, statuses, channels, categories, buildings and months,
 * each with a timeline of a few events; overdue where their deadlines passed), builds the projections
 * over them (rebuildProjections, what the worker does on a first start) and starts the API alone on that
 * database: reads need neither Temporal nor the worker, and nothing is left marked, so no read waits for
 * a fold. Then, over HTTP, BENCH_C clients at a time, BENCH_N requests per read and round, BENCH_ROUNDS
 * rounds:
 *   - the controls: GET /api/v1/meta on the same server (static JSON behind the same JWT check), and
 *     Express's bare res.json in this process;
 *   - the staff voice lists with their filters and later pages, a resident's own list;
 *   - the echo wall (public: no sign-in) with its filters, and its monthly summary;
 *   - a voice's detail;
 *   - the rates of a compound (a month, a year) and of the whole community (a year).
 * Each request reads another compound (the detail another voice), so every compound is read each round.
 * Before the rounds, each read's first request for every compound after the API started (nothing
 * cached) is timed apart. After each read, BENCH_SERIAL of it one at a time: what a request costs
 * without the queue. Prints p50 / p99 / max, min / median / max over the rounds, the ratio of p99 to the
 * control's in the same round, and CPU per request of the API and of FerretDB. Asserts nothing.
 * Before the API starts, BENCH_EVENTS voice events one at a time (the database work one event costs).
 * Env: BENCH_VOICES (1,000,000), BENCH_COMPOUNDS (200), BENCH_ROUNDS (3), BENCH_N (600), BENCH_C (32),
 * BENCH_SERIAL (50), BENCH_EVENTS (200), BENCH_DIR (keep the database there; a later run with the same figures reads it
 * again instead of generating), BENCH_PROFILE=<dir> (CPU profile of the API), BENCH_LOG (its output).
 */
import express from 'express';
import mongoose, { Types } from 'mongoose';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { signToken } from '../services/tokens';
import { foldCompound, rebuildProjections } from '../activities/projections';
import { createVoiceActivities } from '../activities/voices';
import { DEFAULT_TIME_ZONE, monthKey } from '../domain/calendar';
import { CATEGORIES, CHANNELS, SUBJECTS } from '../domain/voices';
import { Community, Compound } from '../models/compound';
import { Change } from '../models/projection';
import { User } from '../models/user';
import { Voice } from '../models/voice';
import { freePort } from '../scripts/servers';
import { Stack } from '../scripts/stack';
import { cpuSeconds, line, pool, random, spread, type Run } from './lib';

const VOICES = Number(process.env.BENCH_VOICES ?? 1_000_000);
const COMPOUNDS = Number(process.env.BENCH_COMPOUNDS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const N = Number(process.env.BENCH_N ?? 600);
const C = Number(process.env.BENCH_C ?? 32);
const SERIAL = Number(process.env.BENCH_SERIAL ?? 50);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const BATCH = 5_000;
const DAY = 86_400_000;
const COMMUNITY = 'county';

const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

const rnd = random(2026);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
function weighted<T extends string>(w: [T, number][]): T {
  let r = rnd() * w.reduce((n, [, x]) => n + x, 0);
  for (const [v, x] of w) if ((r -= x) < 0) return v;
  return w.at(-1)![0];
}

const compoundId = (k: number) => `c${k}`;
const staffId = (k: number) => `staff-${k}`;
const residentId = (k: number, j: number) => `r-${k}-${j}`;
/** Compounds differ in size: weights 1–5, so the largest hold about 5/3 of the mean. */
const weightOf = (k: number) => 1 + ((k * 7) % 5);
const BUILDINGS = (k: number) => 6 + ((k * 11) % 25);

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '马', '丁'];
const GIVEN = ['小明', '秀英', '建国', '桂兰', '志强', '海燕', '德福', '玉梅', '国庆', '淑珍'];
const TEXTS = [
  '号楼门口的垃圾三天没人清运了，气味很大，希望尽快处理',
  '号楼电梯这周坏了两次，老人上下楼很不方便，请物业检修',
  '小区东门晚上路灯不亮，回家路上看不清，存在安全隐患',
  '地下车库有人长期占用别人的车位，协商无果，请协调',
  '楼道里堆放杂物，堵住了消防通道，请督促清理',
  '物业费公示不清楚，想了解去年公共收益的使用情况',
  '建议在小区中心花园增加几张长椅，方便老人休息',
  '感谢自管会的师傅，半夜帮忙修好了漏水的水管',
];
const BODIES = [
  ['selfManagementCommittee', 40],
  ['ownersCommittee', 30],
  ['staff', 25],
  ['partyBranch', 5],
] as [string, number][];

interface Counts {
  perCompound: number[];
  sample: { compound: number; id: string }[][];
}

/** One voice as its workflow would have left it by now, with the timeline that got it there. */
function voiceDoc(i: number, k: number, now: number) {
  const _id = new Types.ObjectId().toHexString();
  const createdAt = now - Math.floor(rnd() * 365 * DAY);
  const age = now - createdAt;
  const kind = weighted([
    ['complaint', 45],
    ['appeal', 25],
    ['suggestion', 15],
    ['praise', 15],
  ]);
  const status =
    kind === 'praise'
      ? 'published'
      : age < DAY
        ? weighted([
            ['received', 2],
            ['assigned', 58],
            ['inProgress', 32],
            ['resolved', 8],
          ])
        : age < 14 * DAY
          ? weighted([
              ['assigned', 10],
              ['inProgress', 40],
              ['resolved', 30],
              ['closed', 20],
            ])
          : weighted([
              ['assigned', 1],
              ['inProgress', 2],
              ['closed', 97],
            ]);
  const assignee = weighted(BODIES);
  const acknowledgeBy = createdAt + DAY;
  const resolveBy = createdAt + 7 * DAY;
  const overdue =
    (status === 'assigned' && acknowledgeBy < now) || (status === 'inProgress' && resolveBy < now);
  const level = overdue ? 1 + Math.floor(rnd() * 2) : 0;
  const channel = rnd() < 0.6 ? 'online' : pick(CHANNELS);
  const name = pick(SURNAMES) + pick(GIVEN);
  const building = Math.floor(rnd() * BUILDINGS(k));
  const residents = Math.max(20, Math.round(VOICES / COMPOUNDS / 3));
  const submittedBy = residentId(k, Math.floor(rnd() * residents));
  const staff = { userId: staffId(k), name: '李干事', body: 'staff' };
  const handler = { userId: `h-${k}-${assignee}`, name: '张师傅', body: assignee };
  const resident = { userId: submittedBy, name };
  const at = (dt: number) => new Date(Math.min(now, createdAt + dt));
  const steps: [string, string, number, object | undefined][] = [['received', '已受理', 0, resident]];
  if (status !== 'received') {
    if (kind === 'praise') steps.push(['published', '点赞已记录并公示', 200, undefined]);
    else steps.push(['assigned', '已分派', 200, undefined]);
  }
  const accepted = ['inProgress', 'resolved', 'closed'].includes(status);
  const responded = accepted ? rnd() < 0.85 : undefined;
  if (accepted) steps.push(['accepted', '已接单', (responded ? 0.3 : 1.5) * DAY, handler]);
  if (accepted && rnd() < 0.5) steps.push(['progress', '已联系物业，正在处理', 2 * DAY, handler]);
  if (overdue) steps.push(['overdue', '逾期未办结，已升级督办', 7 * DAY, undefined]);
  const resolved = status === 'resolved' || status === 'closed';
  const resolvedAt = resolved ? at((3 + rnd() * 4) * DAY) : undefined;
  if (resolved)
    steps.push(['resolved', '已办结：已安排清理并回访', resolvedAt!.getTime() - createdAt, handler]);
  const satisfaction =
    status === 'closed'
      ? weighted([
          ['satisfied', 88],
          ['unsatisfied', 7],
          ['none', 5],
        ])
      : 'none';
  if (status === 'closed')
    steps.push(
      satisfaction === 'none'
        ? ['closed', '居民未在评价期限内评价，事项自动关闭', 12 * DAY, undefined]
        : ['feedback', `居民评价：${satisfaction === 'satisfied' ? '满意' : '不满意'}`, 8 * DAY, resident],
    );
  const timeline = steps.map(([type, message, dt, actor], n) => ({
    eventId: n === 0 ? 'intake' : `${_id}:${n}`,
    type,
    at: at(dt),
    message,
    ...(actor ? { actor } : {}),
  }));
  return {
    _id,
    compoundId: compoundId(k),
    kind,
    channel,
    category: pick(CATEGORIES),
    ...(rnd() < 0.3 ? { subject: pick(SUBJECTS) } : {}),
    ...(rnd() < 0.9 ? { buildingId: `b${building + 1}` } : {}),
    text: `${building + 1}${pick(TEXTS)}`,
    contact: { name, phone: `139${String(Math.floor(rnd() * 1e8)).padStart(8, '0')}` },
    anonymous: rnd() < 0.1,
    residentName: name,
    submittedBy,
    ...(channel === 'online' ? {} : { enteredBy: staff.userId }),
    idempotencyKey: `k${i}`,
    requestHash: 'x',
    status,
    rev: timeline.length - 1,
    assignee,
    responsible: assignee,
    escalationLevel: level,
    ...(kind === 'praise' ? {} : { acknowledgeBy: new Date(acknowledgeBy), resolveBy: new Date(resolveBy) }),
    overdue,
    reopened: false,
    ...(resolved
      ? { result: '已安排清理并回访，联系电话 13912345678', handledBy: assignee, resolvedAt }
      : {}),
    ...(satisfaction === 'none' ? {} : { satisfaction }),
    ...(responded === undefined ? {} : { respondedOnTime: responded }),
    ...(status === 'received' ? {} : { workflowStartedAt: new Date(createdAt + 150) }),
    timeline,
    createdAt: new Date(createdAt),
    updatedAt: timeline.at(-1)!.at,
  };
}

/** The county's compounds, people and voices, inserted directly (no workflows). */
async function generate(now: number): Promise<Counts> {
  const t0 = performance.now();
  await Community.create({ _id: COMMUNITY, name: '盐池县（基准）' });
  await Compound.insertMany(
    Array.from({ length: COMPOUNDS }, (_, k) => ({
      _id: compoundId(k),
      name: `小区${k}`,
      communityId: COMMUNITY,
      echoWallPublic: true,
      buildings: Array.from({ length: BUILDINGS(k) }, (_, b) => ({ _id: `b${b + 1}`, name: `${b + 1}号楼` })),
    })),
  );
  // Signed in with tokens minted here, so no password is ever checked.
  await User.collection.insertMany(
    Array.from({ length: COMPOUNDS }, (_, k) => [
      {
        _id: staffId(k),
        username: staffId(k),
        name: '李干事',
        passwordHash: 'x',
        memberships: [{ compoundId: compoundId(k), roles: ['staff'] }],
      },
      {
        _id: residentId(k, 0),
        username: residentId(k, 0),
        name: '王小明',
        passwordHash: 'x',
        memberships: [{ compoundId: compoundId(k), roles: ['resident'] }],
      },
    ]).flat() as never[],
  );
  const weights = Array.from({ length: COMPOUNDS }, (_, k) => weightOf(k));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const cumulative = weights.map((w) => (sum += w / total));
  const compoundOf = () => {
    const r = rnd();
    let lo = 0;
    let hi = COMPOUNDS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const counts: Counts = {
    perCompound: new Array<number>(COMPOUNDS).fill(0),
    sample: Array.from({ length: COMPOUNDS }, () => []),
  };
  let inflight: Promise<unknown> = Promise.resolve();
  for (let done = 0; done < VOICES; done += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, VOICES - done) }, (_, j) => {
      const k = compoundOf();
      const v = voiceDoc(done + j, k, now);
      counts.perCompound[k]!++;
      if (counts.sample[k]!.length < 25) counts.sample[k]!.push({ compound: k, id: v._id });
      return v;
    });
    // The next batch is generated while this one is written.
    await inflight;
    inflight = Voice.collection.insertMany(docs as never[], { ordered: false });
    if ((done + BATCH) % (VOICES >= 200_000 ? 100_000 : 10_000) === 0)
      console.log(`  … ${done + BATCH} voices (${seconds(t0)} s)`);
  }
  await inflight;
  return counts;
}

interface Read {
  name: string;
  path: (i: number) => string;
  /** Whose token: a compound's staff (default), its resident, or nobody (public). */
  as?: 'staff' | 'resident' | 'public';
  /** Which compound request i reads (its staff's or resident's token): every compound in turn by default. */
  compound?: (i: number) => number;
  /** Requests per round when not BENCH_N (a read of the whole community: the same one each time). */
  n?: number;
}

/**
 * The database work of one voice event at this county's size (issue 9's flat cost): a sample voice's
 * next timeline event recorded by the real activity, then its compound folded (pages and counts), one
 * at a time, so it is what one event costs and nothing else. Run at BENCH_VOICES=10000 and 1000000 to
 * compare. The records change (one more event each); the reads that follow do not depend on it.
 */
async function measureEvents(stack: Stack, sample: { compound: number; id: string }[]) {
  const { recordVoiceEvent } = createVoiceActivities();
  const ms: number[] = [];
  const picked = Array.from({ length: Math.min(EVENTS, sample.length) }, (_, i) => {
    return sample[(i * 7919) % sample.length]!;
  });
  const db0 = cpuSeconds(stack.pid('database'));
  for (const v of picked) {
    const cid = compoundId(v.compound);
    const t = performance.now();
    const rec = await Voice.findById(v.id, { rev: 1, status: 1 }).lean();
    const rev = (rec?.rev ?? 0) + 1;
    await recordVoiceEvent({
      voiceId: v.id,
      compoundId: cid,
      eventId: `${v.id}:${rev}`,
      type: 'progress',
      at: new Date().toISOString(),
      message: '办理进展：已联系物业上门查看',
      set: { status: rec?.status as never },
    });
    await foldCompound(cid);
    ms.push(performance.now() - t);
  }
  const dbMs = ((cpuSeconds(stack.pid('database')) - db0) / picked.length) * 1000;
  ms.sort((a, b) => a - b);
  line(
    `one voice event + its fold, one at a time (${picked.length}): p50 / p99 / max ms`,
    `${ms[Math.floor(ms.length / 2)]!.toFixed(1)} / ${ms[Math.floor(ms.length * 0.99)]!.toFixed(1)} / ${ms[ms.length - 1]!.toFixed(1)}`,
  );
  line('  FerretDB CPU per event (ms)', dbMs.toFixed(1));
}

export async function benchReads(): Promise<void> {
  const tz = DEFAULT_TIME_ZONE;
  // BENCH_DIR: the database is kept there, and a later run with the same figures reads it again.
  const keep = process.env.BENCH_DIR;
  const stack = new Stack({
    dir: keep,
    nodeArgs: process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [],
    log: process.env.BENCH_LOG ? (p, l) => console.log(`[${p}] ${l}`) : undefined,
  });
  // The database and the API only: Temporal's port is reserved but nothing listens there (no read needs it).
  stack.dbPort = await freePort();
  stack.temporalPort = await freePort();
  stack.apiPort = await freePort();
  await stack.startPart('database');
  await mongoose.connect(stack.mongodbUri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  console.log(
    `reads benchmark: ${VOICES} voices in ${COMPOUNDS} compounds (FerretDB v1.24 SQLite); ${ROUNDS} rounds × ${N} requests per read, ${C} at a time`,
  );
  line('load before (uptime)', uptime() ?? '?');

  const marker = join(stack.dir, 'county.json');
  let counts: Counts;
  let now: number;
  const kept = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as Counts & {
        voices: number;
        compounds: number;
        now: number;
      })
    : undefined;
  let t0 = performance.now();
  if (kept && kept.voices === VOICES && kept.compounds === COMPOUNDS) {
    ({ now } = kept);
    counts = kept;
    line('county generated earlier (BENCH_DIR), kept', new Date(now).toISOString());
  } else {
    if (kept) throw new Error(`BENCH_DIR ${keep} holds another county (${kept.voices} voices)`);
    now = Date.now();
    counts = await generate(now);
    line(
      'generate voices (insertMany, 5,000 a batch)',
      `${seconds(t0)} s (${Math.round(VOICES / ((performance.now() - t0) / 1000))} docs/s)`,
    );
    t0 = performance.now();
    const built = await rebuildProjections();
    line(
      'build the projections (rebuildProjections)',
      `${seconds(t0)} s (${built.pages} voice pages, ${built.records} records)`,
    );
    if (keep) writeFileSync(marker, JSON.stringify({ ...counts, voices: VOICES, compounds: COMPOUNDS, now }));
  }
  line('change marks left to fold (must be 0: no read folds)', String(await Change.countDocuments()));
  const sizes = [...counts.perCompound].sort((a, b) => a - b);
  line('voices per compound: min / median / max', spread(sizes));

  await measureEvents(stack, counts.sample.flat());

  t0 = performance.now();
  await stack.startPart('api');
  line('API started', `${seconds(t0)} s`);

  const tokens = new Map<string, string>();
  const tokenOf = (userId: string) => {
    let t = tokens.get(userId);
    if (!t) tokens.set(userId, (t = signToken(userId, stack.secret, 12 * 3600)));
    return t;
  };
  const ids = counts.sample.flat();
  const thisMonth = monthKey(new Date(now), tz);
  const lastMonth = monthKey(new Date(now - 32 * DAY), tz);
  const year = thisMonth.slice(0, 4);
  const c = (i: number) => compoundId(i % COMPOUNDS);
  const reads: Read[] = [
    { name: 'staff list, page 1', path: (i) => `/compounds/${c(i)}/voices` },
    { name: 'staff list, page 2', path: (i) => `/compounds/${c(i)}/voices?page=2` },
    {
      name: 'staff list, page 50 (of 100 a page)',
      path: (i) => `/compounds/${c(i)}/voices?page=50&pageSize=100`,
    },
    { name: 'staff list, status=assigned', path: (i) => `/compounds/${c(i)}/voices?status=assigned` },
    {
      name: 'staff list, status=closed, page 3',
      path: (i) => `/compounds/${c(i)}/voices?status=closed&page=3`,
    },
    { name: 'staff list, kind=complaint', path: (i) => `/compounds/${c(i)}/voices?kind=complaint` },
    { name: 'staff list, overdue=true', path: (i) => `/compounds/${c(i)}/voices?overdue=true` },
    {
      name: 'staff list, assignee + status + category',
      path: (i) =>
        `/compounds/${c(i)}/voices?assignee=ownersCommittee&status=inProgress&category=${CATEGORIES[i % CATEGORIES.length]}`,
    },
    { name: "resident's own list", path: (i) => `/compounds/${c(i)}/voices`, as: 'resident' },
    { name: 'echo wall (public), page 1', path: (i) => `/compounds/${c(i)}/echo-wall`, as: 'public' },
    {
      name: `echo wall (public), month=${lastMonth}`,
      path: (i) => `/compounds/${c(i)}/echo-wall?month=${lastMonth}`,
      as: 'public',
    },
    {
      name: 'echo wall (public), kind=praise, page 3',
      path: (i) => `/compounds/${c(i)}/echo-wall?kind=praise&page=3`,
      as: 'public',
    },
    {
      name: 'echo wall summary (public), 12 months',
      path: (i) => `/compounds/${c(i)}/echo-wall/summary`,
      as: 'public',
    },
    {
      name: "a voice's detail (staff)",
      path: (i) => {
        const v = ids[(i * 7919) % ids.length]!;
        return `/compounds/${compoundId(v.compound)}/voices/${v.id}`;
      },
      compound: (i) => ids[(i * 7919) % ids.length]!.compound,
    },
    { name: `rates, a compound, ${thisMonth}`, path: (i) => `/compounds/${c(i)}/rates?period=${thisMonth}` },
    { name: `rates, a compound, ${year}`, path: (i) => `/compounds/${c(i)}/rates?period=${year}` },
    {
      name: `rates, the community (${COMPOUNDS} compounds), ${year}`,
      path: () => `/communities/${COMMUNITY}/rates?period=${year}`,
      n: Math.min(N, C),
    },
  ];
  const control: Read = { name: 'control: GET /api/v1/meta (same server, same auth)', path: () => '/meta' };

  const failures = new Map<string, string>(); // the first failure of each read, to print
  const get = async (read: Read, i: number) => {
    const k = read.compound?.(i) ?? i % COMPOUNDS;
    const who = read.as === 'public' ? undefined : read.as === 'resident' ? residentId(k, 0) : staffId(k);
    try {
      const res = await fetch(`${stack.apiUrl}${read.path(i)}`, {
        headers: who ? { authorization: `Bearer ${tokenOf(who)}` } : {},
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${read.name}: ${res.status} ${body.slice(0, 200)}`);
      return body;
    } catch (err) {
      if (!failures.has(read.name)) failures.set(read.name, (err as Error).message);
      throw err;
    }
  };
  // One answer of each, to check it reads what was generated (and to show what a failure says).
  const probe = async (read: Read, i = 1) => {
    try {
      return JSON.parse(await get(read, i)) as Record<string, unknown>;
    } catch (err) {
      console.log(`  ! ${(err as Error).message}`);
      return undefined;
    }
  };

  for (const read of reads) await probe(read); // a failing read says why once, before the timing
  // Cold: each read's first request for every compound after the API started (nothing cached yet).
  console.log(`first read of each compound after the API started (cold caches), ${C} at a time:`);
  for (const read of reads) {
    const r = await pool(read.n ? 1 : COMPOUNDS, C, (i) => get(read, i));
    line(
      `  ${read.name}`,
      `p50 ${r.p50.toFixed(0)} | p99 ${r.p99.toFixed(0)} | max ${r.max.toFixed(0)} ms${r.errors ? `, ${r.errors} errors` : ''}`,
    );
  }
  const first = await probe(reads[0]!);
  line(
    '  (check) staff list total for c1 / voices generated there',
    `${String(first?.total)} / ${counts.perCompound[1]}`,
  );
  const county = await probe(reads.at(-1)!);
  const overall = county?.overall as { voices?: number } | undefined;
  line('  (check) community rates: voices counted in the year', String(overall?.voices));

  const bare = express();
  bare.get('/', (_req, res) => void res.json({ ok: true }));
  const server: Server = await new Promise((r) => {
    const s = bare.listen(0, '127.0.0.1', () => r(s));
  });
  const barePort = (server.address() as { port: number }).port;

  const results = new Map<string, Run[]>();
  const cpu = new Map<string, { api: number; db: number }[]>();
  const record = (name: string, r: Run) => results.set(name, [...(results.get(name) ?? []), r]);
  const measure = async (read: Read, round: number) => {
    const api0 = cpuSeconds(stack.pid('api'));
    const db0 = cpuSeconds(stack.pid('database'));
    // Each round starts at another compound, so no round repeats the last one's order.
    const n = read.n ?? N;
    const r = await pool(n, C, (i) => get(read, i + round * 37));
    cpu.set(read.name, [
      ...(cpu.get(read.name) ?? []),
      {
        api: ((cpuSeconds(stack.pid('api')) - api0) / n) * 1000,
        db: ((cpuSeconds(stack.pid('database')) - db0) / n) * 1000,
      },
    ]);
    record(read.name, r);
    // Alone: the same read one at a time, what a request costs without the queue.
    if (SERIAL > 0)
      record(
        `${read.name}#serial`,
        await pool(read.n ? Math.min(SERIAL, 5) : SERIAL, 1, (i) => get(read, i * 13 + round)),
      );
    return r;
  };
  const bareName = 'control: bare Express res.json (this process)';
  for (let round = 1; round <= ROUNDS; round++) {
    t0 = performance.now();
    const bareGet = () => fetch(`http://127.0.0.1:${barePort}/`).then((r) => r.json());
    record(bareName, await pool(N, C, bareGet));
    if (SERIAL > 0) record(`${bareName}#serial`, await pool(SERIAL, 1, bareGet));
    await measure(control, round);
    for (const read of reads) await measure(read, round);
    const worst = reads
      .map((r) => [r.name, results.get(r.name)!.at(-1)!] as const)
      .sort((a, b) => b[1].p99 - a[1].p99)[0]!;
    console.log(
      `  round ${round}: ${seconds(t0)} s; control p99 ${results.get(control.name)!.at(-1)!.p99.toFixed(1)} ms; slowest p99 ${worst[1].p99.toFixed(0)} ms (${worst[0]})`,
    );
  }
  server.close();

  console.log(
    `\nper read: p50 | p99 | max in ms as min / median / max over ${ROUNDS} rounds (${N} requests each, ${C} at a time);`,
  );
  console.log('p99 ÷ control p99 (same round, median); CPU ms per request in the API / FerretDB (median)');
  const controlP99 = results.get(control.name)!.map((r) => r.p99);
  const fmt = (xs: number[]) => spread(xs, 1);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const over: string[] = [];
  const overAlone: string[] = [];
  for (const name of [bareName, control.name, ...reads.map((r) => r.name)]) {
    const rs = results.get(name)!;
    const errors = rs.reduce((n, r) => n + r.errors, 0);
    const ratio = median(rs.map((r, k) => r.p99 / controlP99[k]!));
    const use = cpu.get(name);
    console.log(`${name}${errors ? ` (${errors} errors; first: ${failures.get(name) ?? '?'})` : ''}`);
    line(
      '    p50 | p99 | max',
      `${fmt(rs.map((r) => r.p50))} | ${fmt(rs.map((r) => r.p99))} | ${fmt(rs.map((r) => r.max))}`,
    );
    const alone = results.get(`${name}#serial`);
    if (alone)
      line(
        '    one at a time: p50 | p99',
        `${fmt(alone.map((r) => r.p50))} | ${fmt(alone.map((r) => r.p99))}`,
      );
    line(
      '    req/s; p99 ÷ control; CPU ms api / db',
      `${spread(rs.map((r) => r.rate))}; ×${ratio.toFixed(1)}${use ? `; ${median(use.map((u) => u.api)).toFixed(2)} / ${median(use.map((u) => u.db)).toFixed(2)}` : ''}`,
    );
    if (name === bareName || name === control.name) continue;
    if (median(rs.map((r) => r.p99)) > 50) over.push(name);
    if (alone && median(alone.map((r) => r.p99)) > 50) overAlone.push(name);
  }
  line(`reads over 50 ms at p99, ${C} at a time (median round)`, over.length ? over.join('; ') : 'none');
  line(
    'reads over 50 ms at p99, one at a time (median round)',
    overAlone.length ? overAlone.join('; ') : 'none',
  );
  line('load after (uptime)', uptime() ?? '?');

  await mongoose.disconnect();
  await stack.stop();
  if (!keep) rmSync(stack.dir, { recursive: true, force: true });
}

function uptime(): string | undefined {
  try {
    return `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ')}`;
  } catch {
    return undefined;
  }
}
