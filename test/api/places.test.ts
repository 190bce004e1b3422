/**
 * Places from an empty deployment: a community, a compound, its buildings, units and rooms, set up by the
 * office through the API on the real stack; bad input named and nothing written; nothing removed that
 * something still names.
 */
import QRCode from 'qrcode';
import request from 'supertest';
import { Compound } from '../../models/compound';
import { Room } from '../../models/room';
import { makeCompound, makeUser } from '../helpers/fixtures';
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

it('when an administrator sets up a community and a compound, staff add buildings, units and rooms that residents can name', async () => {
  const admin = as(await stack.login(await makeUser('*', ['admin'])));
  const tag = Date.now().toString(36);
  const community = await admin.post('/communities', { id: `fr${tag}`, name: '芙蓉社区', county: '芙蓉区' });
  expect(community.status).toBe(201);
  const compound = await admin.post(`/communities/fr${tag}/compounds`, {
    id: `ds${tag}`,
    name: '东顺苑',
    timeZone: 'Asia/Shanghai',
  });
  expect(compound.status).toBe(201);
  expect(compound.body).toMatchObject({ id: `ds${tag}`, buildings: [], retired: false });
  expect((await admin.get('/communities')).body.items).toContainEqual(
    expect.objectContaining({ id: `fr${tag}`, name: '芙蓉社区' }),
  );

  const staff = as(await stack.login(await makeUser(`ds${tag}`, ['staff'])));
  const b = await staff.post(`/compounds/ds${tag}/buildings`, { name: '3号楼' });
  expect(b.status).toBe(201);
  expect(b.body).toMatchObject({ id: 'b1', name: '3号楼', units: [], retired: false });
  const withUnit = await staff.post(`/compounds/ds${tag}/buildings/b1/units`, { name: '1单元' });
  expect(withUnit.body.units).toEqual([{ id: 'u1', name: '1单元', retired: false }]);
  const room = await staff.post(`/compounds/ds${tag}/rooms`, {
    buildingId: 'b1',
    unitId: 'u1',
    number: '1201',
    floor: 12,
    floorArea: 89.5,
  });
  expect(room.status).toBe(201);
  expect(room.body).toMatchObject({ buildingId: 'b1', unitId: 'u1', number: '1201', floorArea: 89.5 });
  const rooms = await staff.get(`/compounds/ds${tag}/rooms?buildingId=b1`);
  expect(rooms.body).toMatchObject({ total: 1, items: [{ number: '1201' }] });

  // The building is now one a resident's voice can name.
  const resident = as(await stack.login(await makeUser(`ds${tag}`, ['resident'])));
  const voice = await resident.post(`/compounds/ds${tag}/voices`, {
    kind: 'complaint',
    text: '楼道灯坏了',
    buildingId: 'b1',
    idempotencyKey: `place-${tag}`,
  });
  expect(voice.status).toBe(202);
  // Residents may not set places up.
  expect((await resident.post(`/compounds/ds${tag}/buildings`, { name: '9号楼' })).status).toBe(403);
  expect((await staff.post('/communities', { name: '另一个社区' })).status).toBe(403);
});

it('when a room is entered twice, a building or unit is unknown, or the area is not an area, it is refused naming the field and nothing is written', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const ok = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '501', floorArea: 70 });
  expect(ok.status).toBe(201);
  const twice = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '501', floorArea: 71 });
  expect(twice.status).toBe(409);
  expect(twice.body.error.details.field).toBe('body.number');
  const unknown = await staff.post(`/compounds/${c}/rooms`, {
    buildingId: 'b99',
    number: '502',
    floorArea: 70,
  });
  expect(unknown.status).toBe(422);
  expect(unknown.body.error.details.field).toBe('body.buildingId');
  const noUnit = await staff.post(`/compounds/${c}/rooms`, {
    buildingId: 'b1',
    unitId: 'u7',
    number: '503',
    floorArea: 70,
  });
  expect(noUnit.status).toBe(422);
  expect(noUnit.body.error.details.field).toBe('body.unitId');
  const area = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '504', floorArea: -3 });
  expect(area.status).toBe(400);
  expect(area.body.error.details.field).toBe('body.floorArea');
  const door = await staff.post(`/compounds/${c}/rooms`, {
    buildingId: 'b1',
    number: '5 0 5',
    floorArea: 60,
  });
  expect(door.status).toBe(400);
  expect(door.body.error.details.field).toBe('body.number');
  const sameName = await staff.post(`/compounds/${c}/buildings`, { name: '1号楼' });
  expect(sameName.status).toBe(409);
  expect(sameName.body.error.details.field).toBe('body.name');
  const zone = await staff.patch(`/compounds/${c}`, { timeZone: 'Mars/Olympus_Mons' });
  expect(zone.status).toBe(422);
  expect(await Room.countDocuments({ compoundId: c })).toBe(1);
  const stored = await Compound.findById(c).lean().orFail();
  expect(stored.buildings.map((b) => b.name)).toEqual(['1号楼', '2号楼']);
  expect(stored.timeZone).toBe('Asia/Shanghai'); // the default, unchanged
});

it('when a building still has rooms in use, it cannot be retired; once they are retired it can, and keeps its records', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const room = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b2', number: '101', floorArea: 50 });
  const refused = await staff.post(`/compounds/${c}/buildings/b2/retire`);
  expect(refused.status).toBe(409);
  expect(refused.body.error.details).toMatchObject({ rooms: 1 });
  const roomId = encodeURIComponent(room.body.id as string);
  expect((await staff.post(`/compounds/${c}/rooms/${roomId}/retire`)).body.retired).toBe(true);
  const retired = await staff.post(`/compounds/${c}/buildings/b2/retire`);
  expect(retired.status).toBe(200);
  expect(retired.body).toMatchObject({ id: 'b2', retired: true });
  // Still there, marked; its room's record too.
  const places = await staff.get(`/compounds/${c}/places`);
  expect(places.body.buildings.map((b: { id: string; retired: boolean }) => [b.id, b.retired])).toEqual([
    ['b1', false],
    ['b2', true],
  ]);
  expect((await staff.get(`/compounds/${c}/rooms?includeRetired=true`)).body.total).toBe(1);
  // A retired building takes no new voices and no new rooms.
  const resident = as(await stack.login(await makeUser(c, ['resident'])));
  const voice = await resident.post(`/compounds/${c}/voices`, {
    kind: 'complaint',
    text: '楼道灯坏了',
    buildingId: 'b2',
  });
  expect(voice.status).toBe(422);
  expect(voice.body.error.details.field).toBe('body.buildingId');
  const more = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b2', number: '102', floorArea: 50 });
  expect(more.status).toBe(422);
});

it('when two offices add buildings at the same moment, both are kept', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_v, i) => staff.post(`/compounds/${c}/buildings`, { name: `${10 + i}号楼` })),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
  const stored = await Compound.findById(c).lean().orFail();
  expect(stored.buildings).toHaveLength(8);
  expect(new Set(stored.buildings.map((b) => b._id)).size).toBe(8);
});

it("when staff print a building's invitation, its QR code is an SVG encoding the registration page with the building's code", async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const none = await staff.get(`/compounds/${c}/buildings/b1/invitation-qr`);
  expect(none.status).toBe(409);
  const invitation = await staff.post(`/compounds/${c}/buildings/b1/invitation`);
  const code = invitation.body.invitationCode as string;
  const qr = await staff
    .get(`/compounds/${c}/buildings/b1/invitation-qr`)
    .buffer(true)
    .parse((res, cb) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => cb(null, text));
    });
  expect(qr.status).toBe(200);
  expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
  const svg = qr.body as string;
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
  expect(svg).toMatch(/<path[^>]*d="M[^"]+"/);
  expect(svg.trim().endsWith('</svg>')).toBe(true);
  // The modules are those of the registration page's address (the test stack's default base URL).
  const url = `http://localhost:3000/m/register?code=${code}`;
  expect(svg).toBe(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
  // What the modules hold, segment by segment (byte segments as UTF-8): exactly that address.
  const encoded = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const text = encoded.segments
    .map(({ data }: { data: unknown }) =>
      data instanceof Uint8Array ? Buffer.from(data).toString('utf8') : String(data),
    )
    .join('');
  expect(text).toBe(url);
  // Another building's code, or a stale one, is another picture.
  expect(svg).not.toBe(
    await QRCode.toString(`http://localhost:3000/m/register?code=X${code.slice(1)}`, {
      type: 'svg',
      errorCorrectionLevel: 'M',
      margin: 4,
    }),
  );

  const resident = as(await stack.login(await makeUser(c, ['resident'])));
  expect((await resident.get(`/compounds/${c}/buildings/b1/invitation-qr`)).status).toBe(403);
  expect((await staff.get(`/compounds/${c}/buildings/b9/invitation-qr`)).status).toBe(404);
});

it('when a building is given a leader who is no member of the compound, or a retired room is changed, it is refused and nothing is written', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const stranger = await makeUser(await makeCompound(), ['buildingLeader']);
  const leader = await makeUser(c, ['buildingLeader']);
  for (const leaderUserId of [stranger.id, 'nobody-at-all']) {
    const refused = await staff.patch(`/compounds/${c}/buildings/b1`, { leaderUserId });
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.field).toBe('body.leaderUserId');
    const added = await staff.post(`/compounds/${c}/buildings`, { name: '8号楼', leaderUserId });
    expect(added.status).toBe(422);
  }
  let stored = await Compound.findById(c).lean().orFail();
  expect(stored.buildings.map((b) => [b.name, b.leaderUserId])).toEqual([
    ['1号楼', undefined],
    ['2号楼', undefined],
  ]);
  expect((await staff.patch(`/compounds/${c}/buildings/b1`, { leaderUserId: leader.id })).status).toBe(200);
  stored = await Compound.findById(c).lean().orFail();
  expect(stored.buildings[0]?.leaderUserId).toBe(leader.id);

  const room = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '701', floorArea: 50 });
  const roomId = encodeURIComponent(room.body.id as string);
  await staff.post(`/compounds/${c}/rooms/${roomId}/retire`);
  const late = await staff.patch(`/compounds/${c}/rooms/${roomId}`, { floorArea: 99 });
  expect(late.status).toBe(409);
  expect((await Room.findById(room.body.id).lean())?.floorArea).toBe(50);
});

it('when a compound, building or room is patched with nothing to change, nothing is changed and nothing is logged as changed', async () => {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'])));
  const room = await staff.post(`/compounds/${c}/rooms`, { buildingId: 'b1', number: '808', floorArea: 66 });
  const roomId = encodeURIComponent(room.body.id as string);
  expect((await staff.patch(`/compounds/${c}`, {})).status).toBe(200);
  expect((await staff.patch(`/compounds/${c}/buildings/b1`, {})).status).toBe(200);
  expect((await staff.patch(`/compounds/${c}/rooms/${roomId}`, {})).body).toMatchObject({ floorArea: 66 });
  const stored = await Compound.findById(c).lean().orFail();
  expect(stored.name).toBe(`测试小区${c}`);
  expect(stored.buildings.map((b) => b.name)).toEqual(['1号楼', '2号楼']);
  const log = await staff.get(`/compounds/${c}/audit`);
  expect(log.body.items.slice(0, 3).map((e: { changes: unknown[] }) => e.changes)).toEqual([[], [], []]);
});
