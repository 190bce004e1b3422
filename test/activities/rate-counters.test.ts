/**
 * The rate counters on the real database: they follow every change of a voice, order and meeting,
 * stay exact under retries and concurrent syncs, move an order whose deadline moves, and always agree
 * with a recount of the records themselves.
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
import { RateCounts, RateLock, RateMembers, RateMeta, RatePointer } from '../../models/rate-bucket';
import { ensureRateCounters, rebuildRateCounters, syncRateMember } from '../../activities/rate-counters';
import { communityScope, compoundScope, computeRates, recountRates } from '../../api/rates';
import { countMembers, packTallies } from '../../domain/rates';

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
  return _id;
}

async function agree(compoundId: string, period: string) {
  const scope = await compoundScope(compoundId);
  const [counted, recounted] = await Promise.all([computeRates(scope, period), recountRates(scope, period)]);
  expect(plain(counted)).toEqual(plain(recounted));
  return counted;
}

it('when a voice goes from intake to a satisfied close, the counters follow each step', async () => {
  const c = await makeCompound();
  const id = await newVoice(c);
  await syncRateMember('voice', id);
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
    await Voice.updateOne({ _id: id }, { $set: set });
    await syncRateMember('voice', id);
    await agree(c, '2026-11');
  }
  expect((await agree(c, '2026')).overall).toMatchObject({
    voices: 1,
    responseRate: 1,
    resolutionRate: 1,
    satisfactionRate: 1,
  });
});

it('when a sync is retried, nothing changes: not the counts, not the revision', async () => {
  const c = await makeCompound();
  const id = await newVoice(c, { status: 'assigned' });
  await syncRateMember('voice', id);
  const before = await RateCounts.findById(`${c}/2026-11`).lean();
  await syncRateMember('voice', id);
  await syncRateMember('voice', id);
  const after = await RateCounts.findById(`${c}/2026-11`).lean();
  expect(after).toEqual(before);
  expect(after?.rev).toBe(1);
});

it('when thirty voices of one month are counted at once, each is counted exactly once', async () => {
  const c = await makeCompound();
  const ids = await Promise.all(Array.from({ length: 30 }, () => newVoice(c)));
  await Promise.all(ids.map((id) => syncRateMember('voice', id)));
  expect((await agree(c, '2026-11')).overall.voices).toBe(30);
  const members = await RateMembers.findById(`${c}/2026-11`).lean();
  expect(Object.keys(members?.members as object)).toHaveLength(30);
});

it('when the same voice is synced concurrently while it changes, the counters end at its latest state', async () => {
  const c = await makeCompound();
  const id = await newVoice(c);
  const states = ['assigned', 'accepted', 'inProgress', 'resolved', 'closed'];
  await Promise.all(
    states.map(async (status, i) => {
      await new Promise((r) => setTimeout(r, i * 3));
      await Voice.updateOne({ _id: id }, { $set: { status } });
      await syncRateMember('voice', id);
    }),
  );
  await syncRateMember('voice', id); // whatever order they finished in, one more pass changes nothing
  const final = (await Voice.findById(id).lean())!.status;
  const members = await RateMembers.findById(`${c}/2026-11`).lean();
  const codes = Object.values(members?.members as Record<string, string>);
  expect(countMembers(codes).voices.map((g) => [g.status, g.count])).toEqual([[final, 1]]);
  await agree(c, '2026-11');
});

it("when an order's deadline is extended into the next month, it moves to that month's count", async () => {
  const c = await makeCompound();
  const id = await newOrder(c, NOV);
  await syncRateMember('order', id);
  expect((await agree(c, '2026-11')).overall.orders).toBe(1);
  await Rectification.updateOne({ _id: id }, { $set: { deadline: DEC } });
  await syncRateMember('order', id);
  expect((await agree(c, '2026-11')).overall.orders).toBe(0);
  expect((await agree(c, '2026-12')).overall.orders).toBe(1);
  expect((await agree(c, '2026-Q4')).overall.orders).toBe(1);
  expect((await RatePointer.findById(`o:${id}`).lean())?.bucket).toBe(`${c}/2026-12`);
});

it('praise is never counted, and a record that does not exist is ignored', async () => {
  const c = await makeCompound();
  const id = await newVoice(c, { kind: 'praise', status: 'published' });
  await syncRateMember('voice', id);
  await syncRateMember('voice', 'no-such-voice');
  expect((await agree(c, '2026-11')).overall.voices).toBe(0);
  expect(await RateMembers.countDocuments({ compoundId: c })).toBe(0);
});

it('whatever sequence of changes is synced, the counters agree with a recount, and a rebuild gives the same', async () => {
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
  for (const id of voices) await syncRateMember('voice', id);
  for (const id of orders) await syncRateMember('order', id);
  await syncRateMember('meeting', meetingId);
  await agree(c, '2026-Q4');
  const change = fc.oneof(
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
    fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 6 }), async (changes) => {
      for (const ch of changes) {
        const [model, ids] =
          ch.what === 'voice'
            ? [Voice, voices]
            : ch.what === 'order'
              ? [Rectification, orders]
              : [Meeting, [meetingId]];
        await (model as typeof Meeting).updateOne({ _id: ids[ch.i] }, { $set: ch.set });
        await syncRateMember(ch.what, ids[ch.i]!);
      }
      await agree(c, '2026-Q4');
    }),
    { numRuns: 15 },
  );
  const live = plain(await computeRates(await compoundScope(c), '2026'));
  await rebuildRateCounters([c]);
  expect(plain(await computeRates(await compoundScope(c), '2026'))).toEqual(live);
});

it('when a process died holding the counter lock, the next sync breaks the stale lock and counts', async () => {
  const c = await makeCompound();
  await RateLock.create({ _id: `counters:${c}`, token: 'dead', at: new Date(Date.now() - 60_000) });
  const id = await newVoice(c);
  await syncRateMember('voice', id);
  expect((await agree(c, '2026-11')).overall.voices).toBe(1);
  expect(await RateLock.countDocuments({ _id: `counters:${c}` })).toBe(0);
});

it("a whole community's rates (many buckets, read in one query) agree with a recount", async () => {
  const scope = await communityScope('furong');
  expect(scope.compoundIds.length * 12).toBeGreaterThan(36);
  const [counted, recounted] = await Promise.all([computeRates(scope, '2026'), recountRates(scope, '2026')]);
  expect(plain(counted)).toEqual(plain(recounted));
  expect(counted.overall.voices).toBeGreaterThan(30);
});

it('when a rebuild runs while records change and sync, the counters still end equal to a recount', async () => {
  const c = await makeCompound();
  const ids = await Promise.all(Array.from({ length: 12 }, () => newVoice(c)));
  for (const id of ids) await syncRateMember('voice', id);
  await Promise.all([
    rebuildRateCounters([c]),
    ...ids.map(async (id, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      await Voice.updateOne({ _id: id }, { $set: { status: 'resolved', respondedOnTime: true } });
      await syncRateMember('voice', id);
    }),
  ]);
  expect((await agree(c, '2026-11')).overall).toMatchObject({ voices: 12, resolutionRate: 1 });
});

it('when two waiters find the same stale lock, only one breaks it', async () => {
  const c = await makeCompound();
  await RateLock.create({ _id: `counters:${c}`, token: 'dead-2', at: new Date(Date.now() - 60_000) });
  const ids = await Promise.all([newVoice(c), newVoice(c), newVoice(c)]);
  await Promise.all(ids.map((id) => syncRateMember('voice', id)));
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
  for (const c of ['mz-sh', 'mz-utc']) await syncRateMember('voice', await newVoice(c, { createdAt: at }));
  const scope = await communityScope('mixed-zones');
  const [nov, recountNov] = await Promise.all([
    computeRates(scope, '2026-11'),
    recountRates(scope, '2026-11'),
  ]);
  expect(nov.overall.voices).toBe(1);
  expect(plain(nov)).toEqual(plain(recountNov));
  expect((await computeRates(scope, '2026-10')).overall.voices).toBe(1);
});

it('npm run rates checks the counters against a recount (exit 1 when they differ) and rebuilds them', async () => {
  const c = await makeCompound();
  await syncRateMember('voice', await newVoice(c, { status: 'resolved', respondedOnTime: true }));
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
  ); // counters gone astray
  run = rates('--check', '2026-Q4', c);
  expect(run.stdout).toContain(`✘ ${c} 2026-Q4`);
  expect(run.status).toBe(1);

  run = rates('--rebuild', c);
  expect(run.stdout).toContain('已重建 1 个小区的计数');
  expect(run.status).toBe(0);
  expect(rates('--check', '2026', c).status).toBe(0);
  expect(rates('--check', '2026', 'nowhere').status).toBe(2);
  expect(rates('--recount').status).toBe(2);
});

it('on a first start over records kept before the counters existed, the worker installs them once', async () => {
  await RateCounts.deleteMany({});
  await RateMembers.deleteMany({});
  await RateMeta.deleteMany({}); // as before the counters existed
  const c = await makeCompound();
  await newVoice(c, { status: 'closed', satisfaction: 'satisfied' });
  expect(await ensureRateCounters()).toBe(true);
  expect((await agree(c, '2026')).overall).toMatchObject({ voices: 1, satisfactionRate: 1 });
  expect(await ensureRateCounters()).toBe(false);
});
