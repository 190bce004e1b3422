/**
 * Accounts over their life, on the real stack: a password changed by its owner or reset by the office, an
 * account deactivated — and every token made before each of these refused from then on.
 */
import request from 'supertest';
import { makeCompound, makeUser, PASSWORD } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const me = (auth: string) => request(stack.app).get('/api/v1/me').set('Authorization', auth);
const login = (username: string, password: string) =>
  request(stack.app).post('/api/v1/auth/login').send({ username, password });

it('when a resident changes their password, tokens made before are refused and only the new password signs in', async () => {
  const c = await makeCompound();
  const user = await makeUser(c, ['resident']);
  const old = await stack.login(user);
  const other = await stack.login(user); // another phone
  const change = (body: object) =>
    request(stack.app).post('/api/v1/auth/password').set('Authorization', old).send(body);

  const wrong = await change({ currentPassword: 'not-my-password', newPassword: 'A-much-better-pass-9' });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error.details.field).toBe('body.currentPassword');
  const weak = await change({ currentPassword: PASSWORD, newPassword: 'short' });
  expect(weak.status).toBe(422);
  expect(weak.body.error.details.field).toBe('body.newPassword');
  expect((await me(old)).status).toBe(200); // refusals changed nothing

  const done = await change({ currentPassword: PASSWORD, newPassword: 'A-much-better-pass-9' });
  expect(done.status).toBe(200);
  expect((await me(`Bearer ${done.body.token as string}`)).status).toBe(200);
  for (const stale of [old, other]) {
    const res = await me(stale);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('密码已更改');
  }
  expect((await login(user.username, PASSWORD)).status).toBe(401);
  expect((await login(user.username, 'A-much-better-pass-9')).status).toBe(200);
});

it('when staff reset a member’s password, the member’s tokens end; staff cannot reach other compounds or administrators', async () => {
  const c = await makeCompound();
  const elsewhere = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  const resident = await makeUser(c, ['resident']);
  const residentAuth = await stack.login(resident);
  const reset = (compound: string, userId: string, newPassword = 'Office-set-pass-2026') =>
    request(stack.app)
      .post(`/api/v1/compounds/${compound}/users/${userId}/reset-password`)
      .set('Authorization', staff)
      .send({ newPassword });

  const done = await reset(c, resident.id);
  expect(done.status).toBe(200);
  expect(done.body).toEqual({ id: resident.id, name: resident.name, deactivated: false });
  expect((await me(residentAuth)).status).toBe(401);
  expect((await login(resident.username, 'Office-set-pass-2026')).status).toBe(200);

  const stranger = await makeUser(elsewhere, ['resident']);
  expect((await reset(c, stranger.id)).status).toBe(404); // not a member of this compound
  expect((await reset(elsewhere, stranger.id)).status).toBe(403); // not staff there
  const admin = await makeUser('*', ['admin']);
  expect((await reset(c, admin.id)).status).toBe(403);
  expect((await login(admin.username, PASSWORD)).status).toBe(200); // unchanged
  const byResident = await request(stack.app)
    .post(`/api/v1/compounds/${c}/users/${resident.id}/reset-password`)
    .set('Authorization', await stack.login(await makeUser(c, ['resident'])))
    .send({ newPassword: 'Office-set-pass-2026' });
  expect(byResident.status).toBe(403);
});

it('when staff deactivate an account, it cannot sign in and its tokens are refused; staff cannot deactivate themselves', async () => {
  const c = await makeCompound();
  const staffUser = await makeUser(c, ['staff']);
  const staff = await stack.login(staffUser);
  const leader = await makeUser(c, ['buildingLeader']);
  const leaderAuth = await stack.login(leader);
  const deactivate = (userId: string) =>
    request(stack.app)
      .post(`/api/v1/compounds/${c}/users/${userId}/deactivate`)
      .set('Authorization', staff)
      .send({});
  const done = await deactivate(leader.id);
  expect(done.status).toBe(200);
  expect(done.body.deactivated).toBe(true);
  const refused = await me(leaderAuth);
  expect(refused.status).toBe(401);
  expect(refused.body.error.message).toContain('停用');
  const again = await login(leader.username, PASSWORD);
  expect(again.status).toBe(401);
  expect(again.body.error.message).toContain('停用');
  expect((await deactivate(staffUser.id)).status).toBe(409);
  expect((await me(staff)).status).toBe(200);
});
