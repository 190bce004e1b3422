/**
 * The rates on the real database: exact figures from known read models, per compound and per
 * community, in the compound's local calendar; bad periods and outsiders refused.
 */
import request from 'supertest';
import { Types } from 'mongoose';
import { Voice } from '../../models/voice';
import { Rectification } from '../../models/rectification';
import { Meeting } from '../../models/meeting';
import { Compound } from '../../models/compound';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';
import { markChanged, rebuildProjections } from '../../activities/projections';
import { communityScope, compoundScope, computeRates, recountRates } from '../../services/rates';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

// 2026-11-01 00:30 in Shanghai is still October in UTC: it must count in November.
const NOV = new Date('2026-10-31T16:30:00Z');
const OCT = new Date('2026-10-31T15:30:00Z');

function voice(compoundId: string, v: Record<string, unknown>) {
  return {
    _id: new Types.ObjectId().toHexString(),
    compoundId,
    kind: 'complaint',
    channel: 'online',
    category: 'sanitation',
    text: '垃圾',
    submittedBy: 'r',
    idempotencyKey: new Types.ObjectId().toHexString(),
    requestHash: 'x',
    assignee: 'selfManagementCommittee',
    status: 'assigned',
    createdAt: NOV,
    updatedAt: NOV,
    timeline: [],
    ...v,
  };
}

it('computes the three rates, on-time orders and meetings, by body and category, in local months', async () => {
  const c = await makeCompound();
  await Voice.collection.insertMany(<never[]>[
    voice(c, { status: 'closed', respondedOnTime: true, satisfaction: 'satisfied' }),
    voice(c, { status: 'closed', respondedOnTime: true, satisfaction: 'unsatisfied' }),
    voice(c, { status: 'resolved', respondedOnTime: false }),
    voice(c, { status: 'inProgress', respondedOnTime: true, category: 'fees', assignee: 'ownersCommittee' }),
    voice(c, { status: 'published', kind: 'praise' }), // praise is not counted
    voice(c, { status: 'closed', respondedOnTime: true, createdAt: OCT }), // October
  ]);
  const order = (onTime: boolean | undefined, status: string) => ({
    _id: new Types.ObjectId().toHexString(),
    compoundId: c,
    kind: 'rectification',
    title: '整改',
    owner: 'selfManagementCommittee',
    issuer: 'ownersCommittee',
    status,
    deadline: new Date('2026-11-20T00:00:00Z'),
    onTime,
    state: {},
  });
  await Rectification.collection.insertMany(<never[]>[
    order(true, 'verified'),
    order(false, 'verified'),
    order(undefined, 'open'),
  ]);
  const meeting = (type: string, heldOnTime: boolean) => ({
    _id: `${type}/${c}/x-${new Types.ObjectId().toHexString()}`,
    compoundId: c,
    type,
    period: '2026-11',
    status: 'closed',
    plannedAt: new Date('2026-11-10T00:00:00Z'),
    holdBy: new Date('2026-11-15T00:00:00Z'),
    heldOnTime,
    state: {},
  });
  await Meeting.collection.insertMany(<never[]>[
    meeting('monthlyConsultation', true),
    meeting('periodicCoordination', false),
  ]);

  // Records written straight to the database: the projections are built over them by a rebuild.
  expect(await rebuildProjections([c])).toMatchObject({ compounds: 1, records: 11 });
  expect(await computeRates(await compoundScope(c), '2026-Q4')).toEqual(
    await recountRates(await compoundScope(c), '2026-Q4'),
  );

  const resident = await makeUser(c, ['resident']);
  const res = await request(stack.app)
    .get(`/api/v1/compounds/${c}/rates?period=2026-11`)
    .set('Authorization', await stack.login(resident));
  expect(res.status).toBe(200);
  expect(res.body.overall).toEqual({
    voices: 4,
    responseRate: 3 / 4,
    resolutionRate: 3 / 4,
    satisfactionRate: 1 / 2,
    orders: 3,
    onTimeRectificationRate: 1 / 3,
    meetings: 2,
    meetingsOnTimeRate: 1 / 2,
  });
  expect(res.body.byBody.ownersCommittee).toMatchObject({
    voices: 1,
    responseRate: 1,
    resolutionRate: 0,
    meetings: 2,
  });
  expect(res.body.byBody.selfManagementCommittee).toMatchObject({
    voices: 3,
    orders: 3,
    meetings: 1,
    meetingsOnTimeRate: 0,
  });
  expect(res.body.byCategory.fees).toMatchObject({ voices: 1 });
  const q4 = await request(stack.app)
    .get(`/api/v1/compounds/${c}/rates?period=2026-Q4`)
    .set('Authorization', await stack.login(resident));
  expect(q4.body.overall.voices).toBe(5);

  expect(
    (
      await request(stack.app)
        .get(`/api/v1/compounds/${c}/rates?period=2026-13`)
        .set('Authorization', await stack.login(resident))
    ).status,
  ).toBe(400);
  expect(
    (
      await request(stack.app)
        .get(`/api/v1/communities/furong/rates?period=2026`)
        .set('Authorization', await stack.login(resident))
    ).status,
  ).toBe(403);
  const staff = await makeUser(c, ['staff']);
  const community = await request(stack.app)
    .get(`/api/v1/communities/furong/rates?period=2026`)
    .set('Authorization', await stack.login(staff));
  expect(community.status).toBe(200);
  expect(community.body.overall.voices).toBeGreaterThanOrEqual(5);
  expect(
    (
      await request(stack.app)
        .get(`/api/v1/communities/nowhere/rates?period=2026`)
        .set('Authorization', await stack.login(staff))
    ).status,
  ).toBe(404);
});

it('when a community reads its year again after one voice changed, the reading shows the change and equals a recount', async () => {
  // Four compounds' year is more than 36 counts: the merged reading that is cached by the compounds' heads.
  const cs = [await makeCompound(), await makeCompound(), await makeCompound(), await makeCompound()];
  const vs = cs.map((c) => voice(c, { status: 'closed', respondedOnTime: true, satisfaction: 'satisfied' }));
  await Voice.collection.insertMany(<never[]>vs);
  await rebuildProjections(cs);
  const scope = await communityScope('furong');
  const first = await computeRates(scope, '2026');
  expect(first).toEqual(await recountRates(scope, '2026'));
  expect(await computeRates(scope, '2026')).toEqual(first);

  await Voice.updateOne({ _id: vs[0]!._id }, { $set: { satisfaction: 'unsatisfied', rev: 9 } });
  await markChanged('voice', vs[0]!._id, cs[0]!, 9);
  // Five readers at once after the change share one reading, and each sees the change.
  const together = await Promise.all(Array.from({ length: 5 }, () => computeRates(scope, '2026')));
  const after = await computeRates(scope, '2026');
  for (const t of together) expect(t).toEqual(after);
  expect(after).not.toEqual(first);
  expect(after).toEqual(await recountRates(scope, '2026'));
});

it('when a compound joins a community or changes its time zone, the community scope shows it at once', async () => {
  const before = await communityScope('furong');
  const c = await makeCompound();
  const joined = await communityScope('furong');
  expect(joined.compoundIds).toContain(c);
  expect(joined.compoundIds).toHaveLength(before.compoundIds.length + 1);
  await Compound.updateOne({ _id: c }, { $set: { timeZone: 'Asia/Urumqi' } });
  expect((await communityScope('furong')).zones[c]).toBe('Asia/Urumqi');
});
