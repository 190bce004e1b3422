/**
 * The audit log on the real stack: each write by a person, with who, when, from where, what was asked
 * and what it became, secrets masked; read by the compound's office only.
 */
import request from 'supertest';
import { AuditEntry } from '../../models/audit-entry';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

it('when staff write, each write is logged with who, from where, what was asked and what it became, passwords masked', async () => {
  const c = await makeCompound();
  const staffUser = await makeUser(c, ['staff'], '马丽');
  const staff = await stack.login(staffUser);
  const resident = await makeUser(c, ['resident']);
  const residentAuth = await stack.login(resident);
  // A resident's voice is its own record: not logged again.
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/voices`)
    .set('Authorization', residentAuth)
    .send({ kind: 'complaint', text: '楼道灯坏了', idempotencyKey: `audit-${c}` });
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/buildings`)
    .set('Authorization', staff)
    .send({ name: '9号楼' });
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/users/${resident.id}/reset-password`)
    .set('Authorization', staff)
    .send({ newPassword: 'Office-set-pass-2026' });
  // A refused write changes nothing and is not a write.
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/buildings`)
    .set('Authorization', staff)
    .send({ name: '' });

  const log = await request(stack.app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', staff);
  expect(log.status).toBe(200);
  expect(log.body.total).toBe(2);
  const [reset, building] = log.body.items;
  expect(building).toMatchObject({
    actor: { userId: staffUser.id, name: '马丽', roles: ['staff'] },
    method: 'POST',
    route: '/compounds/:compoundId/buildings',
    status: 201,
    request: JSON.stringify({ name: '9号楼' }),
  });
  expect(building.address).toBeTruthy();
  expect(JSON.parse(building.result)).toMatchObject({ name: '9号楼' });
  expect(reset.route).toBe('/compounds/:compoundId/users/:userId/reset-password');
  expect(reset.request).toBe(JSON.stringify({ newPassword: '***' }));
  expect(JSON.stringify(log.body)).not.toContain('Office-set-pass-2026');
  expect(new Date(reset.at).getTime()).toBeGreaterThanOrEqual(new Date(building.at).getTime());

  const byUser = await request(stack.app)
    .get(`/api/v1/compounds/${c}/audit?userId=${resident.id}`)
    .set('Authorization', staff);
  expect(byUser.body.total).toBe(0);
  expect(
    (
      await request(stack.app)
        .get(`/api/v1/compounds/${c}/audit`)
        .set('Authorization', await stack.login(await makeUser(c, ['resident'])))
    ).status,
  ).toBe(403);
  const otherStaff = await stack.login(await makeUser(await makeCompound(), ['staff']));
  expect(
    (await request(stack.app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', otherStaff)).status,
  ).toBe(403);
  expect(await AuditEntry.countDocuments({ compoundId: c })).toBe(2);
});
