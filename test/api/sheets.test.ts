/**
 * The office's Excel sheets on the real stack: templates with Chinese headers and one example row;
 * imports that apply every row, or refuse the file listing each bad row and write nothing; re-imports
 * and exports that change nothing; who may do which.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { Compound } from '../../models/compound';
import { Residence } from '../../models/residence';
import { Room } from '../../models/room';
import { User } from '../../models/user';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** supertest keeps a binary answer as a Buffer. */
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const as = (auth: string) => ({
  auth,
  download: (path: string) =>
    request(stack.app).get(`/api/v1${path}`).set('Authorization', auth).buffer(true).parse(binary),
  upload: (path: string, file: Buffer, type = XLSX) =>
    request(stack.app).post(`/api/v1${path}`).set('Authorization', auth).set('Content-Type', type).send(file),
});

async function workbook(sheets: Record<string, (string | number)[][]>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const ws = wb.addWorksheet(name);
    for (const r of rows) ws.addRow(r);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function read(data: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(data as never);
  return Object.fromEntries(
    wb.worksheets.map((ws) => {
      const rows: string[][] = [];
      ws.eachRow((row) =>
        rows.push((row.values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)))),
      );
      return [ws.name, rows];
    }),
  );
}

const BUILDINGS = ['楼栋*', '单元'];
const ROOMS = ['楼栋*', '单元', '门牌号*', '楼层', '建筑面积（平方米）*'];
const RESIDENTS = ['姓名*', '手机号*', '楼栋*', '单元', '门牌号*', '关系*'];

let phoneSeq = 0;
const phone = () => `139${String(Date.now() % 1e4).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

/** A compound (buildings 1号楼 and 2号楼, no units) and a workbook of new buildings, rooms and residents. */
async function setup() {
  const compoundId = await makeCompound();
  const staff = as(await stack.login(await makeUser(compoundId, ['staff'])));
  const [p1, p2] = [phone(), phone()];
  const file = await workbook({
    楼栋单元: [BUILDINGS, ['3号楼', '1单元、2单元'], ['1号楼', '']],
    房屋: [
      ROOMS,
      ['3号楼', '1单元', '101', 1, 89.5],
      ['3号楼', '2单元', '101', 1, 92],
      ['1号楼', '', '0301', 3, 120.25],
    ],
    住户: [
      RESIDENTS,
      ['张三', p1, '3号楼', '1单元', '101', '业主'],
      ['张三', p1, '1号楼', '', '0301', '业主'],
      ['李四', p2, '3号楼', '2单元', '101', '租户'],
    ],
  });
  return { compoundId, staff, file, phones: [p1, p2] };
}

async function countsOf(compoundId: string) {
  const c = await Compound.findById(compoundId).lean();
  return {
    buildings: c!.buildings.length,
    units: c!.buildings.reduce((n, b) => n + (b.units?.length ?? 0), 0),
    rooms: await Room.countDocuments({ compoundId }),
    residences: await Residence.countDocuments({ compoundId }),
    users: await User.countDocuments({ 'memberships.compoundId': compoundId }),
  };
}

it('when staff download a sheet’s template, it has the Chinese headers, one example row and a guide', async () => {
  const compoundId = await makeCompound();
  const staff = as(await stack.login(await makeUser(compoundId, ['staff'])));
  const res = await staff.download(`/compounds/${compoundId}/sheets/rooms/template.xlsx`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  const sheets = await read(res.body as Buffer);
  expect(Object.keys(sheets)).toEqual(['房屋', '说明']);
  expect(sheets['房屋']).toEqual([ROOMS, ['1号楼', '1单元', '1201', '12', '89.5']]);

  const all = await read(
    (await staff.download(`/compounds/${compoundId}/sheets/template.xlsx`)).body as Buffer,
  );
  expect(Object.keys(all)).toEqual(['楼栋单元', '房屋', '住户', '说明']);
  expect(all['住户']![0]).toEqual(RESIDENTS);
  expect(all['住户']).toHaveLength(2);
});

it('when staff import a workbook of buildings, rooms and residents, every row is applied and counted', async () => {
  const { compoundId, staff, file, phones } = await setup();
  const res = await staff.upload(`/compounds/${compoundId}/sheets`, file);
  expect(res.status).toBe(200);
  expect(res.body).toEqual({
    dryRun: false,
    sheets: [
      { sheet: 'buildings', title: '楼栋单元', rows: 2, created: 1, updated: 0, unchanged: 1 },
      { sheet: 'rooms', title: '房屋', rows: 3, created: 3, updated: 0, unchanged: 0 },
      { sheet: 'residents', title: '住户', rows: 3, created: 3, updated: 0, unchanged: 0 },
    ],
  });
  const c = await Compound.findById(compoundId).lean();
  const b3 = c!.buildings.find((b) => b.name === '3号楼')!;
  expect(b3.units!.map((u) => u.name)).toEqual(['1单元', '2单元']);
  const room = await Room.findById(`${compoundId}:${b3._id}:${b3.units![0]!._id}:101`).lean();
  expect(room).toMatchObject({ floor: 1, floorArea: 89.5 });
  expect(await Room.findById(`${compoundId}:b1:-:0301`).lean()).toMatchObject({ floorArea: 120.25 });

  const zhang = await User.findOne({ username: phones[0] }).lean();
  expect(zhang).toMatchObject({
    name: '张三',
    phone: phones[0],
    memberships: [{ compoundId, roles: ['resident'] }],
  });
  const homes = await Residence.find({ userId: zhang!._id }).sort({ roomId: 1 }).lean();
  expect(homes.map((h) => [h._id, h.relation])).toEqual([
    [`${zhang!._id}|${compoundId}:b1:-:0301`, 'owner'],
    [`${zhang!._id}|${compoundId}:${b3._id}:${b3.units![0]!._id}:101`, 'owner'],
  ]);
  // Made without a password: no sign-in until the office sets one.
  const login = await request(stack.app)
    .post('/api/v1/auth/login')
    .send({ username: phones[0], password: 'x' });
  expect(login.status).toBe(401);
});

it('when a file has bad rows, the import answers 422 listing each row and reason, and writes nothing', async () => {
  const compoundId = await makeCompound();
  const staff = as(await stack.login(await makeUser(compoundId, ['staff'])));
  const file = await workbook({
    楼栋单元: [BUILDINGS, ['5号楼', '']],
    房屋: [
      ROOMS,
      ['9号楼', '', '101', '', 80],
      ['5号楼', '', '101', '', 80],
      ['5号楼', '', '101', '', 81],
      ['1号楼', '', '102', '', 'abc'],
    ],
    住户: [RESIDENTS, ['王五', '1381234', '5号楼', '', '101', '业主']],
  });
  const before = await countsOf(compoundId);
  const res = await staff.upload(`/compounds/${compoundId}/sheets`, file);
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('unprocessable');
  expect(res.body.error.message).toMatch(/^有 4 处错误，未导入任何数据/);
  expect(res.body.error.details.errorCount).toBe(4);
  expect(
    (res.body.error.details.errors as { sheet: string; row: number; column?: string; reason: string }[]).map(
      (e) => [e.sheet, e.row, e.column ?? '', e.reason],
    ),
  ).toEqual([
    ['房屋', 2, '楼栋', '该小区没有楼栋“9号楼”（可先在楼栋单元表中添加）'],
    ['房屋', 4, '', '与第 3 行重复（楼栋+单元+门牌号相同）'],
    ['房屋', 5, '建筑面积（平方米）', '应为数字（平方米），如 89.5'],
    ['住户', 2, '手机号', '应为 11 位手机号码，如 13812345678'],
  ]);
  expect(res.body.error.details.field).toBe('body.rooms.2.building');
  expect(await countsOf(compoundId)).toEqual(before);
});

it('when the same file is imported again, nothing changes; a changed floor area updates the room, not a new one', async () => {
  const { compoundId, staff, file, phones } = await setup();
  expect((await staff.upload(`/compounds/${compoundId}/sheets`, file)).status).toBe(200);
  const after = await countsOf(compoundId);

  const again = await staff.upload(`/compounds/${compoundId}/sheets`, file);
  expect(again.status).toBe(200);
  expect(again.body.sheets.map((s: { created: number; updated: number }) => [s.created, s.updated])).toEqual([
    [0, 0],
    [0, 0],
    [0, 0],
  ]);
  expect(await countsOf(compoundId)).toEqual(after);

  const changed = await workbook({
    房屋: [ROOMS, ['1号楼', '', '0301', '', 121]],
    住户: [RESIDENTS, ['张三丰', phones[0]!, '1号楼', '', '0301', '家庭成员']],
  });
  const res = await staff.upload(`/compounds/${compoundId}/sheets`, changed);
  expect(res.status).toBe(200);
  expect(res.body.sheets).toEqual([
    { sheet: 'rooms', title: '房屋', rows: 1, created: 0, updated: 1, unchanged: 0 },
    { sheet: 'residents', title: '住户', rows: 1, created: 0, updated: 1, unchanged: 0 },
  ]);
  // The blank floor kept the stored one; the name and relation were updated in place.
  expect(await Room.findById(`${compoundId}:b1:-:0301`).lean()).toMatchObject({ floor: 3, floorArea: 121 });
  const zhang = await User.findOne({ username: phones[0] }).lean();
  expect(zhang!.name).toBe('张三丰');
  expect((await Residence.findById(`${zhang!._id}|${compoundId}:b1:-:0301`).lean())!.relation).toBe('family');
  expect(await countsOf(compoundId)).toEqual(after);
});

it('when the compound is exported and the file imported back, it is a no-op', async () => {
  const { compoundId, staff, file, phones } = await setup();
  expect((await staff.upload(`/compounds/${compoundId}/sheets`, file)).status).toBe(200);
  const before = await countsOf(compoundId);
  const exported = await staff.download(`/compounds/${compoundId}/sheets.xlsx`);
  expect(exported.status).toBe(200);
  const sheets = await read(exported.body as Buffer);
  expect(sheets['楼栋单元']).toEqual([BUILDINGS, ['1号楼', ''], ['2号楼', ''], ['3号楼', '1单元、2单元']]);
  expect(sheets['住户']).toContainEqual(['李四', phones[1], '3号楼', '2单元', '101', '租户']);

  const back = await staff.upload(`/compounds/${compoundId}/sheets`, exported.body as Buffer);
  expect(back.status).toBe(200);
  expect(
    back.body.sheets.map((s: { sheet: string; rows: number; unchanged: number }) => [
      s.sheet,
      s.rows,
      s.unchanged,
    ]),
  ).toEqual([
    ['buildings', 3, 3],
    ['rooms', 3, 3],
    ['residents', 3, 3],
  ]);
  expect(await countsOf(compoundId)).toEqual(before);

  // One sheet alone, by its own route, is the same layout and the same no-op.
  const rooms = await staff.download(`/compounds/${compoundId}/sheets/rooms.xlsx`);
  const one = await staff.upload(`/compounds/${compoundId}/sheets/rooms`, rooms.body as Buffer);
  expect(one.body.sheets).toEqual([
    { sheet: 'rooms', title: '房屋', rows: 3, created: 0, updated: 0, unchanged: 3 },
  ]);
});

it('when a dry run is asked for, the file is checked and counted but nothing is written', async () => {
  const { compoundId, staff, file } = await setup();
  const before = await countsOf(compoundId);
  const res = await staff.upload(`/compounds/${compoundId}/sheets?dryRun=true`, file);
  expect(res.status).toBe(200);
  expect(res.body.dryRun).toBe(true);
  expect(res.body.sheets[1]).toMatchObject({ created: 3 });
  expect(await countsOf(compoundId)).toEqual(before);
});

it('when the body is not an Excel workbook, too large or of another type, it is refused with a 4xx', async () => {
  const { compoundId, staff } = await setup();
  const garbage = await staff.upload(`/compounds/${compoundId}/sheets/rooms`, Buffer.from('not a workbook'));
  expect(garbage.status).toBe(422);
  expect(garbage.body.error.details).toEqual({ field: 'body' });
  const json = await request(stack.app)
    .post(`/api/v1/compounds/${compoundId}/sheets/rooms`)
    .set('Authorization', staff.auth)
    .send({ rows: [] });
  expect(json.status).toBe(415);
  const typed = await staff.upload(`/compounds/${compoundId}/sheets/rooms`, Buffer.from('a,b'), 'text/csv');
  expect(typed.status).toBe(415);
  const large = await staff.upload(
    `/compounds/${compoundId}/sheets/rooms`,
    Buffer.alloc(5 * 1024 * 1024 + 1),
  );
  expect(large.status).toBe(413);
  const noSheet = await staff.upload(`/compounds/${compoundId}/sheets`, await workbook({ 其他: [['a']] }));
  expect(noSheet.status).toBe(422);
});

it('when a resident tries the sheets, every route is 403; the supervisory board may export places but not residents', async () => {
  const { compoundId, file } = await setup();
  const resident = as(await stack.login(await makeUser(compoundId, ['resident'])));
  expect((await resident.upload(`/compounds/${compoundId}/sheets`, file)).status).toBe(403);
  expect((await resident.upload(`/compounds/${compoundId}/sheets/residents`, file)).status).toBe(403);
  expect((await resident.download(`/compounds/${compoundId}/sheets/rooms/template.xlsx`)).status).toBe(403);
  expect((await resident.download(`/compounds/${compoundId}/sheets/rooms.xlsx`)).status).toBe(403);
  expect((await resident.download(`/compounds/${compoundId}/sheets.xlsx`)).status).toBe(403);

  const board = as(await stack.login(await makeUser(compoundId, ['supervisoryBoard'])));
  expect((await board.download(`/compounds/${compoundId}/sheets/rooms.xlsx`)).status).toBe(200);
  expect((await board.download(`/compounds/${compoundId}/sheets/residents.xlsx`)).status).toBe(403);
  expect((await board.upload(`/compounds/${compoundId}/sheets/rooms`, file)).status).toBe(403);
});
