/**
 * The demo `npm start` seeds, on the real stack: its people can sign in, its voices run real
 * workflows, the echo wall shows the handled one, the rates and a verified ledger show, and seeding
 * again changes nothing.
 */
import request from 'supertest';
import { DEMO_COMPOUND, DEMO_PASSWORD, seedDemo } from '../../scripts/seed-demo';
import { User } from '../../models/user';
import { Voice } from '../../models/voice';
import { eventually, startStack } from '../helpers/app';
import { monthKey } from '../../domain/calendar';
import { ensureCycle } from '../../api/meetings';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('when the demo is seeded, its staff can sign in, see the voices, the echo wall, the rates and a verified ledger', async () => {
  expect(await seedDemo(stack.temporal, () => undefined)).toBe(true);

  const login = await request(stack.app)
    .post('/api/v1/auth/login')
    .send({ username: 'staff', password: DEMO_PASSWORD });
  expect(login.status).toBe(200);
  const auth = `Bearer ${login.body.token as string}`;
  const me = await request(stack.app).get('/api/v1/me').set('Authorization', auth);
  expect(me.body.compounds).toEqual([
    expect.objectContaining({ id: DEMO_COMPOUND, name: '东顺苑', roles: ['staff'] }),
  ]);

  const voices = await eventually(
    () => request(stack.app).get(`/api/v1/compounds/${DEMO_COMPOUND}/voices`).set('Authorization', auth),
    (r) => r.body.items?.every((v: { status: string }) => v.status !== 'received'),
  );
  expect(voices.body.total).toBe(3);
  expect(voices.body.items.map((v: { status: string }) => v.status).sort()).toEqual([
    'assigned',
    'closed',
    'published',
  ]);

  const wall = await request(stack.app).get(`/api/v1/compounds/${DEMO_COMPOUND}/echo-wall`);
  expect(wall.body.items.map((i: { kindLabel: string }) => i.kindLabel).sort()).toEqual([
    '吐槽/投诉',
    '点赞',
  ]);

  // The demo shows its rates (praise is not counted) and a verified ledger.
  const period = monthKey(new Date(voices.body.items[0].createdAt as string), 'Asia/Shanghai');
  const rates = await eventually(
    () =>
      request(stack.app)
        .get(`/api/v1/compounds/${DEMO_COMPOUND}/rates?period=${period}`)
        .set('Authorization', auth),
    (r) => r.body.overall?.voices === 2 && r.body.overall.resolutionRate === 0.5,
  );
  expect(rates.body.overall).toMatchObject({ voices: 2, resolutionRate: 0.5, satisfactionRate: 1 });
  // As `npm start` does: the compound's cycle starts this period's meetings, which file in the ledger.
  await ensureCycle(stack.temporal, DEMO_COMPOUND);
  const verified = await eventually(
    () =>
      request(stack.app).get(`/api/v1/compounds/${DEMO_COMPOUND}/ledger/verify`).set('Authorization', auth),
    (r) => r.body.entries > 0,
  );
  expect(verified.body).toMatchObject({ ok: true });

  expect(await seedDemo(stack.temporal, () => undefined)).toBe(false);
  expect(await Voice.countDocuments({ compoundId: DEMO_COMPOUND })).toBe(3);
  expect(await User.countDocuments({ 'memberships.compoundId': DEMO_COMPOUND })).toBe(9);
});
