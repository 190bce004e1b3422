/**
 * Residents entered by the office and bound to their rooms, on the real stack: the first password shown
 * once, phones masked to all but the office, bad input named and nothing written.
 */
import request from 'supertest';
import { Residence } from '../../models/residence';
import { User } from '../../models/user';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

async function compoundWithRoom() {
  const c = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  const room = await request(stack.app)
    .post(`/api/v1/compounds/${c}/rooms`)
    .set('Authorization', staff)
    .send({ buildingId: 'b1', number: '1201', floorArea: 89 });
  return { c, staff, roomId: room.body.id as string };
}

const phoneOf = (n: number) =>
  `139${String(Date.now() % 1e8)
    .padStart(8, '0')
    .slice(0, 7)}${n}`;

it('when staff enter a resident with a room, the resident signs in with the first password shown once and sees only public-grade data of others', async () => {
  const { c, staff, roomId } = await compoundWithRoom();
  const phone = phoneOf(1);
  const made = await request(stack.app)
    .post(`/api/v1/compounds/${c}/people`)
    .set('Authorization', staff)
    .send({ name: '王小明', phone, rooms: [{ roomId, relation: 'owner' }] });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({
    username: phone,
    name: '王小明',
    phone,
    rooms: [{ roomId, relation: 'owner', relationLabel: '业主' }],
  });
  const initial = made.body.initialPassword as string;
  expect(initial).toHaveLength(14);
  const stored = await User.findById(made.body.id).select('+passwordHash').lean().orFail();
  expect(JSON.stringify(stored)).not.toContain(initial);
  const signIn = await request(stack.app)
    .post('/api/v1/auth/login')
    .send({ username: phone, password: initial });
  expect(signIn.status).toBe(200);

  const staffList = await request(stack.app).get(`/api/v1/compounds/${c}/people`).set('Authorization', staff);
  expect(staffList.body.items).toEqual([expect.objectContaining({ phone })]);
  const board = await stack.login(await makeUser(c, ['supervisoryBoard']));
  const boardList = await request(stack.app).get(`/api/v1/compounds/${c}/people`).set('Authorization', board);
  expect(boardList.status).toBe(200);
  expect(boardList.body.items[0].phone).toBe(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  expect(JSON.stringify(boardList.body)).not.toContain(phone);
  expect(boardList.body.items[0].initialPassword).toBeUndefined();
  const resident = `Bearer ${signIn.body.token as string}`;
  expect(
    (await request(stack.app).get(`/api/v1/compounds/${c}/people`).set('Authorization', resident)).status,
  ).toBe(403);
});

it('when the phone is not a mobile number, the room unknown, or the name taken, it is refused naming the field and nothing is written', async () => {
  const { c, staff, roomId } = await compoundWithRoom();
  const post = (body: object) =>
    request(stack.app).post(`/api/v1/compounds/${c}/people`).set('Authorization', staff).send(body);
  const badPhone = await post({ name: '李四', phone: '12345', rooms: [{ roomId, relation: 'tenant' }] });
  expect(badPhone.status).toBe(400);
  expect(badPhone.body.error.details.field).toBe('body.phone');
  const badRoom = await post({
    name: '李四',
    phone: phoneOf(2),
    rooms: [{ roomId: `${c}:b9:-:1`, relation: 'tenant' }],
  });
  expect(badRoom.status).toBe(422);
  expect(badRoom.body.error.details.field).toBe('body.rooms.0.roomId');
  const badRelation = await post({
    name: '李四',
    phone: phoneOf(2),
    rooms: [{ roomId, relation: 'landlord' }],
  });
  expect(badRelation.status).toBe(400);
  const first = await post({
    name: '李四',
    phone: phoneOf(3),
    username: `li${Date.now()}`,
    rooms: [{ roomId, relation: 'family' }],
  });
  expect(first.status).toBe(201);
  const taken = await post({
    name: '李四二',
    phone: phoneOf(4),
    username: first.body.username,
    rooms: [{ roomId, relation: 'family' }],
  });
  expect(taken.status).toBe(409);
  expect(taken.body.error.details.field).toBe('body.username');
  expect(await User.countDocuments({ name: { $in: ['李四', '李四二'] }, 'memberships.compoundId': c })).toBe(
    1,
  );
  expect(await Residence.countDocuments({ compoundId: c })).toBe(1);
});
