/**
 * A resident registers from the stairwell's QR code on the real stack: a one-time code to the phone, the
 * building's invitation code, then approval by that building's leader (or staff) before anything but the
 * public pages opens.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { Registration } from '../../models/registration';
import { User } from '../../models/user';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { JWT_SECRET, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
let app: ReturnType<typeof createApp>;
const sent: { phone: string; code: string }[] = [];

beforeAll(async () => {
  stack = await startStack();
  app = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal: stack.temporal,
    rateLimits: false,
    oneTimeCodes: { send: async (phone, code) => void sent.push({ phone, code }) },
  });
});
afterAll(() => stack.stop());

let n = 0;
const newPhone = () => `137${String(Date.now() % 1e6).padStart(6, '0')}${String(n++ % 100).padStart(2, '0')}`;
const codeFor = (phone: string) => sent.filter((s) => s.phone === phone).at(-1)!.code;

async function setUp() {
  const c = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  const leader = await makeUser(c, ['buildingLeader']);
  await request(app)
    .patch(`/api/v1/compounds/${c}/buildings/b1`)
    .set('Authorization', staff)
    .send({ leaderUserId: leader.id });
  const invitation = await request(app)
    .post(`/api/v1/compounds/${c}/buildings/b1/invitation`)
    .set('Authorization', staff);
  return {
    c,
    staff,
    leader: await stack.login(leader),
    code: invitation.body.invitationCode as string,
    invitation,
  };
}

it('when a resident registers with the building code and the one-time code, they wait for the leader, then become a resident', async () => {
  const { c, staff, leader, code, invitation } = await setUp();
  expect(invitation.status).toBe(201);
  expect(invitation.body).toMatchObject({ buildingId: 'b1', registerPath: `/m/register?code=${code}` });
  const phone = newPhone();
  expect((await request(app).post('/api/v1/auth/register/code').send({ phone })).status).toBe(200);
  // Asked again within the minute: refused, saying when.
  const again = await request(app).post('/api/v1/auth/register/code').send({ phone });
  expect(again.status).toBe(429);
  expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

  const registered = await request(app)
    .post('/api/v1/auth/register')
    .send({
      phone,
      code: codeFor(phone),
      invitationCode: code,
      name: '赵大妈',
      password: 'Zhao-da-ma-2026!',
      relation: 'owner',
      roomNumber: '1201',
    });
  expect(registered.status).toBe(201);
  expect(registered.body).toMatchObject({ status: 'pending', building: { id: 'b1' } });
  const login = await request(app)
    .post('/api/v1/auth/login')
    .send({ username: phone, password: 'Zhao-da-ma-2026!' });
  expect(login.status).toBe(200);
  const mine = `Bearer ${login.body.token as string}`;
  // Before approval: nothing of the compound but its public pages.
  expect((await request(app).get(`/api/v1/compounds/${c}/voices`).set('Authorization', mine)).status).toBe(
    403,
  );

  const pending = await request(app).get(`/api/v1/compounds/${c}/registrations`).set('Authorization', leader);
  expect(pending.body.items).toEqual([
    expect.objectContaining({
      name: '赵大妈',
      relationLabel: '业主',
      roomNumber: '1201',
      phone: `${phone.slice(0, 3)}****${phone.slice(-4)}`,
    }),
  ]);
  const id = pending.body.items[0].id as string;
  const approved = await request(app)
    .post(`/api/v1/compounds/${c}/registrations/${id}/approve`)
    .set('Authorization', leader)
    .send({});
  expect(approved.body).toEqual({ id, status: 'approved' });
  expect((await request(app).get(`/api/v1/compounds/${c}/voices`).set('Authorization', mine)).status).toBe(
    200,
  );
  // The office's log has the decision and the membership it gave, before and after.
  const log = await request(app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', staff);
  const userId = login.body.user.id as string;
  expect(log.body.items[0].changes).toEqual([
    { collection: 'registrations', id, before: { status: 'pending' }, after: { status: 'approved' } },
    {
      collection: 'users',
      id: userId,
      before: { memberships: [] },
      after: { memberships: [`${c}:resident`] },
    },
  ]);
  // Decided once.
  const twice = await request(app)
    .post(`/api/v1/compounds/${c}/registrations/${id}/reject`)
    .set('Authorization', leader)
    .send({ reason: '不是本楼住户' });
  expect(twice.status).toBe(409);
});

it('when the one-time code or the invitation code is wrong, or the phone is taken, nothing is registered', async () => {
  const { code } = await setUp();
  const phone = newPhone();
  await request(app).post('/api/v1/auth/register/code').send({ phone });
  const base = {
    phone,
    invitationCode: code,
    name: '钱叔',
    password: 'Qian-shu-2026-ok',
    relation: 'tenant',
  };
  const wrong = await request(app)
    .post('/api/v1/auth/register')
    .send({ ...base, code: codeFor(phone) === '000000' ? '111111' : '000000' });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error.details.field).toBe('body.code');
  const badInvite = await request(app)
    .post('/api/v1/auth/register')
    .send({ ...base, code: codeFor(phone), invitationCode: 'ZZZZZZZZ' });
  expect(badInvite.status).toBe(422);
  expect(badInvite.body.error.details.field).toBe('body.invitationCode');
  expect(await User.countDocuments({ username: phone })).toBe(0);
  const ok = await request(app)
    .post('/api/v1/auth/register')
    .send({ ...base, code: codeFor(phone) });
  expect(ok.status).toBe(201);
  await request(app).post('/api/v1/auth/register/code').send({ phone: newPhone() });
  const taken = await request(app)
    .post('/api/v1/auth/register')
    .send({ ...base, code: '123456' });
  expect(taken.status).toBe(409);
  expect(await Registration.countDocuments({ _id: ok.body.id })).toBe(1);
});

it('when a leader of another building or a resident tries to decide, it is refused; a deployment without SMS answers 503', async () => {
  const { c, code } = await setUp();
  const phone = newPhone();
  await request(app).post('/api/v1/auth/register/code').send({ phone });
  const reg = await request(app)
    .post('/api/v1/auth/register')
    .send({
      phone,
      code: codeFor(phone),
      invitationCode: code,
      name: '孙阿姨',
      password: 'Sun-a-yi-2026-ok',
      relation: 'family',
    });
  const otherLeader = await stack.login(await makeUser(c, ['buildingLeader']));
  const refused = await request(app)
    .post(`/api/v1/compounds/${c}/registrations/${reg.body.id as string}/approve`)
    .set('Authorization', otherLeader)
    .send({});
  expect(refused.status).toBe(403);
  expect(
    (await request(app).get(`/api/v1/compounds/${c}/registrations`).set('Authorization', otherLeader)).body
      .items,
  ).toEqual([]);
  const resident = await stack.login(await makeUser(c, ['resident']));
  expect(
    (
      await request(app)
        .post(`/api/v1/compounds/${c}/registrations/${reg.body.id as string}/approve`)
        .set('Authorization', resident)
        .send({})
    ).status,
  ).toBe(403);
  const withoutSms = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal: stack.temporal,
    rateLimits: false,
  });
  const none = await request(withoutSms).post('/api/v1/auth/register/code').send({ phone: newPhone() });
  expect(none.status).toBe(503);
});
