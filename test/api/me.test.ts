/**
 * A person's own data on the real stack: they see it, correct their name and ID number, change their phone
 * only with the code sent to the new one; no one reads another's profile, and ID numbers are masked but to
 * the office.
 */
import { randomInt } from 'node:crypto';
import request from 'supertest';
import { User } from '../../models/user';
import { PASSWORD, makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const as = (auth: string) => ({
  get: (path: string) => request(stack.app).get(`/api/v1${path}`).set('Authorization', auth),
  post: (path: string, body: object = {}) =>
    request(stack.app).post(`/api/v1${path}`).set('Authorization', auth).send(body),
  patch: (path: string, body: object) =>
    request(stack.app).patch(`/api/v1${path}`).set('Authorization', auth).send(body),
});
const newPhone = () => `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const ID = '11010519491231002X';

/** A compound with a room, its office, and a resident the office entered (signing in with their phone). */
async function setUp(extra: object = {}) {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'], '马丽')));
  const room = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '1201', floorArea: 88 });
  const phone = newPhone();
  const person = await staff.post(`/compounds/${c}/people`, {
    name: '王小明',
    phone,
    password: PASSWORD,
    rooms: [{ roomId: room.body.id, relation: 'owner' }],
    ...extra,
  });
  expect(person.status).toBe(201);
  const resident = as(await stack.login({ username: phone }));
  return { c, staff, resident, phone, roomId: room.body.id as string, userId: person.body.id as string };
}

it('when a resident reads their profile, they see their name, phone, rooms with relations and roles', async () => {
  const { c, resident, phone, roomId } = await setUp();
  const me = await resident.get('/me');
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    username: phone,
    name: '王小明',
    phone,
    compounds: [{ id: c, roles: ['resident'], roleLabels: ['居民'] }],
    rooms: [
      {
        compoundId: c,
        roomId,
        buildingId: 'b1',
        buildingName: '1号楼',
        number: '1201',
        relation: 'owner',
        relationLabel: '业主',
      },
    ],
  });
});

it('when a resident corrects their name, they see it, and the office sees the change before and after in its log', async () => {
  const { c, staff, resident, userId } = await setUp();
  const fixed = await resident.patch('/me', { name: '王晓明' });
  expect(fixed.status).toBe(200);
  expect(fixed.body.name).toBe('王晓明');
  expect((await resident.get('/me')).body.name).toBe('王晓明');
  const log = await staff.get(`/compounds/${c}/audit?userId=${userId}`);
  expect(log.body.items[0]).toMatchObject({
    method: 'PATCH',
    route: '/me',
    changes: [{ collection: 'users', id: userId, before: { name: '王小明' }, after: { name: '王晓明' } }],
  });
  // A blank name is refused, and nothing changes.
  const blank = await resident.patch('/me', { name: '  ' });
  expect(blank.status).toBe(400);
  expect(blank.body.error.details.field).toBe('body.name');
  expect((await resident.get('/me')).body.name).toBe('王晓明');
});

it("when a resident tries to read another's data or the audit log, they are refused and see only their own", async () => {
  const { c, resident, userId } = await setUp();
  const other = await setUp();
  expect((await resident.get(`/compounds/${c}/audit`)).status).toBe(403);
  expect((await resident.get(`/compounds/${c}/audit?userId=${other.userId}`)).status).toBe(403);
  expect((await resident.get(`/compounds/${c}/people`)).status).toBe(403);
  expect((await resident.get(`/compounds/${other.c}/people`)).status).toBe(403);
  // /me takes no one else's id: it is always the caller.
  expect((await resident.get(`/me?userId=${other.userId}`)).status).toBe(400);
  expect((await resident.get('/me')).body.id).toBe(userId);
});

it('when a resident changes their phone, it takes the code sent to the new phone; without it or with a wrong one nothing changes', async () => {
  const { c, staff, resident, phone, userId } = await setUp();
  const next = newPhone();
  const noCode = await resident.patch('/me', { phone: next });
  expect(noCode.status).toBe(422);
  expect(noCode.body.error.details.field).toBe('body.code');
  const notPhone = await resident.post('/me/phone-code', { phone: '12345' });
  expect(notPhone.status).toBe(400);
  expect(notPhone.body.error.details.field).toBe('body.phone');
  const same = await resident.post('/me/phone-code', { phone });
  expect(same.status).toBe(422);

  expect((await resident.post('/me/phone-code', { phone: next })).status).toBe(200);
  const sent = stack.codes.filter((x) => x.phone === next).at(-1)!;
  const wrong = await resident.patch('/me', {
    phone: next,
    code: sent.code === '000000' ? '111111' : '000000',
  });
  expect(wrong.status).toBe(422);
  expect(wrong.body.error.details.field).toBe('body.code');
  expect((await User.findById(userId).lean())?.phone).toBe(phone);

  const changed = await resident.patch('/me', { phone: next, code: sent.code });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ phone: next, username: next });
  // They now sign in with the new phone, the old one no longer.
  expect(
    (await request(stack.app).post('/api/v1/auth/login').send({ username: next, password: PASSWORD })).status,
  ).toBe(200);
  expect(
    (await request(stack.app).post('/api/v1/auth/login').send({ username: phone, password: PASSWORD }))
      .status,
  ).toBe(401);
  // The code is spent: it does not work twice.
  expect((await resident.patch('/me', { phone: newPhone(), code: sent.code })).status).toBe(422);
  // The office's log has the change, both phones masked, never the code.
  const log = await staff.get(`/compounds/${c}/audit?userId=${userId}`);
  const entry = log.body.items.find((e: { status: number; route: string }) => e.route === '/me');
  expect(entry.changes[0]).toMatchObject({
    before: { phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` },
    after: { phone: `${next.slice(0, 3)}****${next.slice(-4)}` },
  });
  expect(JSON.stringify(log.body)).not.toContain(next);
  expect(JSON.stringify(log.body)).not.toContain(sent.code);
});

it("when a phone is someone else's sign-in, it cannot be taken", async () => {
  const { resident } = await setUp();
  const other = await setUp();
  const taken = await resident.post('/me/phone-code', { phone: other.phone });
  expect(taken.status).toBe(409);
  expect(taken.body.error.details.field).toBe('body.phone');
});

it('when the office enters an ID number, staff see it in full, other officers masked, a building leader not at all, and the resident masked', async () => {
  const { c, staff, resident, userId } = await setUp({ idNumber: ID.toLowerCase() });
  const full = await staff.get(`/compounds/${c}/people`);
  expect(full.body.items.find((p: { id: string }) => p.id === userId).idNumber).toBe(ID);
  const branch = as(await stack.login(await makeUser(c, ['partyBranch'])));
  const masked = await branch.get(`/compounds/${c}/people`);
  expect(masked.body.items.find((p: { id: string }) => p.id === userId).idNumber).toBe('1101**********002X');
  expect(JSON.stringify(masked.body)).not.toContain(ID);
  const leader = as(await stack.login(await makeUser(c, ['buildingLeader'])));
  expect((await leader.get(`/compounds/${c}/people`)).status).toBe(403);
  expect((await resident.get('/me')).body.idNumber).toBe('1101**********002X');
  // Nor in the office's own log in full.
  expect(JSON.stringify((await staff.get(`/compounds/${c}/audit`)).body)).not.toContain(ID);
});

it('when an ID number fails its check, the resident is not entered and the field is named', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const room = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '301', floorArea: 60 });
  const phone = newPhone();
  const body = { name: '李四', phone, rooms: [{ roomId: room.body.id, relation: 'tenant' }] };
  const check = await staff.post(`/compounds/${c}/people`, { ...body, idNumber: '110105194912310021' });
  expect(check.status).toBe(422);
  expect(check.body.error.details.field).toBe('body.idNumber');
  const shape = await staff.post(`/compounds/${c}/people`, { ...body, idNumber: '1101051949' });
  expect(shape.status).toBe(400);
  expect(shape.body.error.details.field).toBe('body.idNumber');
  expect(await User.countDocuments({ phone })).toBe(0);
});

it('when a resident sets, corrects or clears their own ID number, a wrong one is refused', async () => {
  const { resident, userId } = await setUp();
  const bad = await resident.patch('/me', { idNumber: '110105194912310021' });
  expect(bad.status).toBe(422);
  expect(bad.body.error.details.field).toBe('body.idNumber');
  expect((await resident.patch('/me', { idNumber: ID })).body.idNumber).toBe('1101**********002X');
  expect((await User.findById(userId).select('+idNumber').lean())?.idNumber).toBe(ID);
  expect((await resident.patch('/me', { idNumber: null })).body.idNumber).toBeUndefined();
  expect((await User.findById(userId).select('+idNumber').lean())?.idNumber).toBeUndefined();
});
