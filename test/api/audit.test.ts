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

it('when staff change a room, its audit entry keeps only the changed fields, before and after', async () => {
  const c = await makeCompound();
  const staffUser = await makeUser(c, ['staff']);
  const staff = await stack.login(staffUser);
  const room = await request(stack.app)
    .post(`/api/v1/compounds/${c}/rooms`)
    .set('Authorization', staff)
    .send({ buildingId: 'b1', number: '602', floor: 6, floorArea: 70 });
  const id = room.body.id as string;
  const changed = await request(stack.app)
    .patch(`/api/v1/compounds/${c}/rooms/${encodeURIComponent(id)}`)
    .set('Authorization', staff)
    .send({ floor: 6, floorArea: 72.5 });
  expect(changed.status).toBe(200);
  await request(stack.app)
    .patch(`/api/v1/compounds/${c}/buildings/b2`)
    .set('Authorization', staff)
    .send({ name: '二号楼' });

  const log = await request(stack.app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', staff);
  const [building, patch, created] = log.body.items;
  expect(patch.changes).toEqual([
    { collection: 'rooms', id, before: { floorArea: 70 }, after: { floorArea: 72.5 } },
  ]);
  expect(created.changes).toEqual([
    {
      collection: 'rooms',
      id,
      after: { id, buildingId: 'b1', number: '602', floor: 6, floorArea: 70, retired: false },
    },
  ]);
  expect(building.changes).toEqual([
    { collection: 'buildings', id: `${c}/b2`, before: { name: '2号楼' }, after: { name: '二号楼' } },
  ]);
});

it('when anyone tries to change or remove an audit entry through the model, it refuses', async () => {
  const c = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/buildings`)
    .set('Authorization', staff)
    .send({ name: '7号楼' });
  const entry = await AuditEntry.findOne({ compoundId: c }).orFail();
  await expect(AuditEntry.updateOne({ _id: entry._id }, { $set: { status: 500 } })).rejects.toThrow(
    /append-only/,
  );
  await expect(AuditEntry.updateMany({ compoundId: c }, { $set: { status: 500 } })).rejects.toThrow(
    /append-only/,
  );
  await expect(AuditEntry.findOneAndUpdate({ _id: entry._id }, { status: 500 })).rejects.toThrow(
    /append-only/,
  );
  await expect(AuditEntry.replaceOne({ _id: entry._id }, { compoundId: c, at: new Date() })).rejects.toThrow(
    /append-only/,
  );
  await expect(AuditEntry.deleteOne({ _id: entry._id })).rejects.toThrow(/append-only/);
  await expect(AuditEntry.deleteMany({ compoundId: c })).rejects.toThrow(/append-only/);
  await expect(AuditEntry.findOneAndDelete({ _id: entry._id })).rejects.toThrow(/append-only/);
  await expect(entry.deleteOne()).rejects.toThrow(/append-only/);
  entry.status = 500;
  await expect(entry.save()).rejects.toThrow(/append-only/);
  expect((await AuditEntry.findById(entry._id).lean())?.status).toBe(201);
});

it('when an account is deactivated or a password reset, the log says what changed and never holds a password or its hash', async () => {
  const c = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  const resident = await makeUser(c, ['resident']);
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/users/${resident.id}/reset-password`)
    .set('Authorization', staff)
    .send({ newPassword: 'Another-office-pass-77' });
  await request(stack.app)
    .post(`/api/v1/compounds/${c}/users/${resident.id}/deactivate`)
    .set('Authorization', staff);
  const log = await request(stack.app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', staff);
  const [deactivated, reset] = log.body.items;
  expect(deactivated.changes).toEqual([
    { collection: 'users', id: resident.id, before: { deactivated: false }, after: { deactivated: true } },
  ]);
  expect(reset.changes).toEqual([
    {
      collection: 'users',
      id: resident.id,
      before: { signInVersion: 0 },
      after: { signInVersion: 1, credentialsChanged: true },
    },
  ]);
  const all = JSON.stringify(log.body);
  expect(all).not.toContain('Another-office-pass-77');
  expect(all).not.toMatch(/scrypt|passwordHash/);
});

it("when staff change the compound's settings, the log keeps what changed and never a robot's address or secret", async () => {
  const c = await makeCompound({ echoWallPublic: false });
  const staff = await stack.login(await makeUser(c, ['staff']));
  const key = '693a91f6-7aaa-4bc4-97a0-0ec2sifa5abcd';
  const secret = 'SECdingtalk0123456789abcdef';
  const changed = await request(stack.app)
    .patch(`/api/v1/compounds/${c}/settings`)
    .set('Authorization', staff)
    .send({
      echoWallPublic: true,
      robots: [
        {
          body: 'staff',
          vendor: 'wecom',
          url: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`,
        },
        {
          body: 'ownersCommittee',
          vendor: 'dingtalk',
          url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789ab1234',
          secret,
        },
      ],
    });
  expect(changed.status).toBe(200);
  const log = await request(stack.app).get(`/api/v1/compounds/${c}/audit`).set('Authorization', staff);
  const [entry] = log.body.items;
  expect(entry.changes).toHaveLength(1);
  expect(entry.changes[0]).toMatchObject({
    collection: 'compounds',
    id: c,
    before: { echoWallPublic: false, robots: [] },
    after: {
      echoWallPublic: true,
      robots: [{ body: 'staff', vendor: 'wecom', url: '***' }, expect.anything()],
    },
  });
  expect(Object.keys(entry.changes[0].after).sort()).toEqual(['echoWallPublic', 'robots']);
  const all = JSON.stringify(log.body);
  expect(all).not.toContain(key);
  expect(all).not.toContain(secret);
  expect(all).not.toContain('0123456789abcdef0123456789ab1234');
});
