/**
 * The read projections on the real database (activities/projections.ts): the pages and rate counts
 * follow every change of a voice, order and meeting, stay exact when folds are retried or run at once,
 * move an order whose deadline moves, and always agree with a recount of the records themselves.
 * Records are changed here as their one writer would: the record by _id, then a change mark.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { Types } from 'mongoose';
import { connectTestDb } from '../helpers/db';
import { makeCompound } from '../helpers/fixtures';
import { Voice } from '../../models/voice';
import { Community, Compound } from '../../models/compound';
import { Rectification } from '../../models/rectification';
import { Meeting } from '../../models/meeting';
import { RateCounts, RateLock, RateMeta } from '../../models/rate-bucket';
import { Change, MatterPage, VoicePage } from '../../models/projection';
import {
  ensureProjections,
  foldCompound,
  markChanged,
  rebuildProjections,
  type RecordKind,
} from '../../activities/projections';
import { communityScope, compoundScope, computeRates, recountRates } from '../../services/rates';
import { packTallies } from '../../domain/rates';
import { unpackOrderRows, unpackVoiceRows } from '../../domain/projections';

let db: Awaited<ReturnType<typeof connectTestDb>>;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db?.drop();
});

const NOV = new Date('2026-11-10T02:00:00Z');
const DEC = new Date('2026-12-10T02:00:00Z');
const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
let revs = 0;

/** What a record's one writer does: change the record, then mark it changed (a new revision). */
async function change(kind: RecordKind, id: string, set?: Record<string, unknown>) {
  const model = (kind === 'voice' ? Voice : kind === 'order' ? Rectification : Meeting) as typeof Meeting;
  if (set) await model.collection.updateOne({ _id: id } as never, { $set: set });
  const doc = (await model.collection.findOne({ _id: id } as never)) as { compoundId?: string } | null;
  await markChanged(kind, id, doc?.compoundId ?? 'none', ++revs);
}
/** A month's rows as stored, over its pages (no folding first: what the folds left). */
const voiceRows = async (c: string, month: string) =>
  (await VoicePage.find({ compoundId: c, month }).lean()).flatMap((p) => unpackVoiceRows(p.rows));

async function newVoice(compoundId: string, v: Record<string, unknown> = {}) {
  const _id = new Types.ObjectId().toHexString();
  await Voice.collection.insertOne({
    _id,
    compoundId,
    kind: 'complaint',
    channel: 'online',
    category: 'sanitation',
    text: '楼道堆物',
    submittedBy: 'r',
    idempotencyKey: _id,
    requestHash: 'x',
    assignee: 'selfManagementCommittee',
    status: 'received',
    createdAt: NOV,
    updatedAt: NOV,
    timeline: [],
    ...v,
  } as never);
  await change('voice', _id);
  return _id;
}

async function newOrder(compoundId: string, deadline: Date) {
  const _id = `order-${new Types.ObjectId().toHexString()}`;
  await Rectification.collection.insertOne({
    _id,
    compoundId,
    kind: 'rectification',
    title: '清理楼道',
    owner: 'selfManagementCommittee',
    issuer: 'ownersCommittee',
    status: 'open',
    deadline,
    state: {},
  } as never);
  await change('order', _id);
  return _id;
}

async function agree(compoundId: string, period: string) {
  const scope = await compoundScope(compoundId);
  const [counted, recounted] = await Promise.all([computeRates(scope, period), recountRates(scope, period)]);
  expect(plain(counted)).toEqual(plain(recounted));
  return counted;
}

it('when a voice goes from intake to a satisfied close, the counts follow each step', async () => {
  const c = await makeCompound();
  const id = await newVoice(c);
  expect((await agree(c, '2026-11')).overall).toMatchObject({
    voices: 1,
    responseRate: 0,
    resolutionRate: 0,
  });
  for (const set of [
    { status: 'accepted', respondedOnTime: true },
    { status: 'resolved' },
    { status: 'closed', satisfaction: 'satisfied' },
  ]) {
    await change('voice', id, set);
    await agree(c, '2026-11');
  }
  expect((await agree(c, '2026')).overall).toMatchObject({
    voices: 1,
    responseRate: 1,
    resolutionRate: 1,
    satisfactionRate: 1,
  });
  expect((await voiceRows(c, '2026-11')).map((r) => r.status)).toEqual(['closed']);
});

it('when a record is marked again and folds are retried, nothing changes: not the counts, not the page', async () => {
  const c = await makeCompound();
  const id = await newVoice(c, { status: 'assigned' });
  await foldCompound(c);
  const counts = await RateCounts.findById(`${c}/2026-11`, { tallies: 1 }).lean();
  const rows = await voiceRows(c, '2026-11');
  await change('voice', id);
  await foldCompound(c);
  await foldCompound(c);
  expect(await RateCounts.findById(`${c}/2026-11`, { tallies: 1 }).lean()).toEqual(counts);
  expect(await voiceRows(c, '2026-11')).toEqual(rows);
  expect(await Change.countDocuments({ compoundId: c })).toBe(0);
});

it('when thirty voices of one month are marked at once and folded by several at once, each is counted exactly once', async () => {
  const c = await makeCompound();
  const ids = await Promise.all(Array.from({ length: 30 }, () => newVoice(c)));
  await Promise.all([foldCompound(c), foldCompound(c), foldCompound(c)]);
  expect((await agree(c, '2026-11')).overall.voices).toBe(30);
  expect((await voiceRows(c, '2026-11')).map((r) => r.id).sort()).toEqual([...ids].sort());
});

it('when a voice changes while folds run beside it, the projections end at its latest state', async () => {
  const c = await makeCompound();
  const id = await newVoice(c);
  const states = ['assigned', 'accepted', 'inProgress', 'resolved', 'closed'];
  const folds: Promise<unknown>[] = [];
  for (const status of states) {
    await change('voice', id, { status });
    folds.push(foldCompound(c));
  }
  await Promise.all(folds);
  await foldCompound(c);
  expect((await voiceRows(c, '2026-11')).map((r) => r.status)).toEqual(['closed']);
  await agree(c, '2026-11');
});

it("when an order's deadline is extended into the next month, it moves to that month's count", async () => {
  const c = await makeCompound();
  const id = await newOrder(c, NOV);
  expect((await agree(c, '2026-11')).overall.orders).toBe(1);
  await change('order', id, { deadline: DEC });
  expect((await agree(c, '2026-11')).overall.orders).toBe(0);
  expect((await agree(c, '2026-12')).overall.orders).toBe(1);
  expect((await agree(c, '2026-Q4')).overall.orders).toBe(1);
  const page = await MatterPage.findById(c).lean();
  expect(unpackOrderRows(page?.orders).map((o) => o.deadline)).toEqual([DEC.getTime()]);
});

it('praise is never counted, and a mark for a record that does not exist is ignored', async () => {
  const c = await makeCompound();
  await newVoice(c, { kind: 'praise', status: 'published' });
  await markChanged('voice', 'no-such-voice', c, 1);
  expect((await agree(c, '2026-11')).overall.voices).toBe(0);
  expect((await voiceRows(c, '2026-11')).map((r) => r.kind)).toEqual(['praise']);
  expect(await Change.countDocuments({ compoundId: c })).toBe(0);
});

it('whatever sequence of changes is made, the counts agree with a recount, and a rebuild gives the same', async () => {
  const c = await makeCompound();
  const voices = await Promise.all([newVoice(c), newVoice(c), newVoice(c, { createdAt: DEC })]);
  const orders = await Promise.all([newOrder(c, NOV), newOrder(c, DEC)]);
  const meetingId = `monthlyConsultation/${c}/2026-11`;
  await Meeting.collection.insertOne({
    _id: meetingId,
    compoundId: c,
    type: 'monthlyConsultation',
    period: '2026-11',
    status: 'scheduled',
    plannedAt: NOV,
    holdBy: NOV,
    state: {},
  } as never);
  await change('meeting', meetingId);
  await agree(c, '2026-Q4');
  const step = fc.oneof(
    fc.record({
      what: fc.constant('voice' as const),
      i: fc.nat(voices.length - 1),
      set: fc.record({
        status: fc.constantFrom('assigned', 'accepted', 'resolved', 'closed'),
        assignee: fc.constantFrom('selfManagementCommittee', 'ownersCommittee', 'partyBranch'),
        category: fc.constantFrom('sanitation', 'fees'),
        respondedOnTime: fc.boolean(),
        satisfaction: fc.constantFrom('satisfied', 'unsatisfied'),
      }),
    }),
    fc.record({
      what: fc.constant('order' as const),
      i: fc.nat(orders.length - 1),
      set: fc.record({
        status: fc.constantFrom('open', 'completed', 'verified'),
        onTime: fc.boolean(),
        deadline: fc.constantFrom(NOV, DEC),
      }),
    }),
    fc.record({
      what: fc.constant('meeting' as const),
      i: fc.constant(0),
      set: fc.record({ heldOnTime: fc.boolean(), holdBy: fc.constantFrom(NOV, DEC) }),
    }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      async (steps, foldEach) => {
        for (const st of steps) {
          const ids = st.what === 'voice' ? voices : st.what === 'order' ? orders : [meetingId];
          await change(st.what, ids[st.i]!, st.set);
          if (foldEach) await foldCompound(c);
        }
        await agree(c, '2026-Q4');
      },
    ),
    { numRuns: 15 },
  );
  const live = plain(await computeRates(await compoundScope(c), '2026'));
  await rebuildProjections([c]);
  expect(plain(await computeRates(await compoundScope(c), '2026'))).toEqual(live);
});

it('when a process died holding the fold lock, the next fold breaks the stale lock and folds', async () => {
  const c = await makeCompound();
  await RateLock.create({ _id: `fold:${c}`, token: 'dead', at: new Date(Date.now() - 60_000) });
  await newVoice(c);
  expect((await agree(c, '2026-11')).overall.voices).toBe(1);
  expect(await RateLock.countDocuments({ _id: `fold:${c}` })).toBe(0);
});

it("a whole community's rates (many months, read in one query) agree with a recount", async () => {
  const scope = await communityScope('furong');
  expect(scope.compoundIds.length * 12).toBeGreaterThan(36);
  const [counted, recounted] = await Promise.all([computeRates(scope, '2026'), recountRates(scope, '2026')]);
  expect(plain(counted)).toEqual(plain(recounted));
  expect(counted.overall.voices).toBeGreaterThan(30);
});

it('when a rebuild runs while records change, the projections still end equal to a recount', async () => {
  const c = await makeCompound();
  const ids = await Promise.all(Array.from({ length: 12 }, () => newVoice(c)));
  await Promise.all([
    rebuildProjections([c]),
    ...ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      await change('voice', id, { status: 'resolved', respondedOnTime: true });
    }),
  ]);
  expect((await agree(c, '2026-11')).overall).toMatchObject({ voices: 12, resolutionRate: 1 });
});

it('when two folders find the same stale lock, only one breaks it', async () => {
  const c = await makeCompound();
  await RateLock.create({ _id: `fold:${c}`, token: 'dead-2', at: new Date(Date.now() - 60_000) });
  await Promise.all([newVoice(c), newVoice(c), newVoice(c)]);
  await Promise.all([foldCompound(c), foldCompound(c), foldCompound(c)]);
  expect((await agree(c, '2026-11')).overall.voices).toBe(3);
  expect(await RateLock.countDocuments({ _id: 'break:dead-2' })).toBe(1);
});

it('in a community whose compounds keep different time zones, each counts in its own local month', async () => {
  await Community.create({ _id: 'mixed-zones', name: '跨时区社区' });
  await Compound.create([
    { _id: 'mz-sh', name: '上海时区', communityId: 'mixed-zones', timeZone: 'Asia/Shanghai' },
    { _id: 'mz-utc', name: '协调世界时', communityId: 'mixed-zones', timeZone: 'UTC' },
  ]);
  // 2026-10-31 20:00 UTC: November in Shanghai, still October in UTC.
  const at = new Date('2026-10-31T20:00:00Z');
  for (const c of ['mz-sh', 'mz-utc']) await newVoice(c, { createdAt: at });
  const scope = await communityScope('mixed-zones');
  const [nov, recountNov] = await Promise.all([
    computeRates(scope, '2026-11'),
    recountRates(scope, '2026-11'),
  ]);
  expect(nov.overall.voices).toBe(1);
  expect(plain(nov)).toEqual(plain(recountNov));
  expect((await computeRates(scope, '2026-10')).overall.voices).toBe(1);
});

it('npm run rates checks the counts against a recount (exit 1 when they differ) and rebuilds them', async () => {
  const c = await makeCompound();
  await newVoice(c, { status: 'resolved', respondedOnTime: true });
  await foldCompound(c);
  const root = join(__dirname, '..', '..');
  const rates = (...args: string[]) =>
    spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'rates.ts'), ...args], {
      env: { ...process.env, MONGODB_URI: db.uri },
      encoding: 'utf8',
    });
  let run = rates('--check', '2026', c);
  expect(run.stdout).toContain(`✔ ${c} 2026`);
  expect(run.status).toBe(0);

  await RateCounts.updateOne(
    { _id: `${c}/2026-11` },
    { $set: { tallies: packTallies({ voices: [], orders: [], meetings: [] }) } },
  ); // counts gone astray
  run = rates('--check', '2026-Q4', c);
  expect(run.stdout).toContain(`✘ ${c} 2026-Q4`);
  expect(run.status).toBe(1);

  run = rates('--rebuild', c);
  expect(run.stdout).toContain('已重建 1 个小区的统计');
  expect(run.status).toBe(0);
  expect(rates('--check', '2026', c).status).toBe(0);
  expect(rates('--check', '2026', 'nowhere').status).toBe(2);
  expect(rates('--recount').status).toBe(2);
});

it('on a first start over records kept before the projections existed, the worker builds them once', async () => {
  await RateCounts.deleteMany({});
  await VoicePage.deleteMany({});
  await RateMeta.deleteMany({}); // as before the projections existed
  const c = await makeCompound();
  const id = await newVoice(c, { status: 'closed', satisfaction: 'satisfied' });
  await Change.deleteMany({ recordId: id }); // kept before marks existed
  expect(await ensureProjections()).toBe(true);
  expect((await agree(c, '2026')).overall).toMatchObject({ voices: 1, satisfactionRate: 1 });
  expect(await ensureProjections()).toBe(false);
});
