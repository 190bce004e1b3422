/**
 * The 党员 sheet on the real stack: its template; an import that registers each member through the same
 * service as the API (find-and-link starts once per member), in the same workbook as the residents it
 * names; bad rows listed and nothing written; a re-import that corrects, never duplicates (through the
 * running process, or directly once it has ended); the export round trip; and who may do which.
 */
import ExcelJS from 'exceljs';
import request from 'supertest';
import { LedgerEntry } from '../../models/ledger-entry';
import { PartyMember } from '../../models/party-member';
import { Residence } from '../../models/residence';
import { User } from '../../models/user';
import { partyMemberStatusQuery } from '../../workflows/find-and-link-contract';
import { eventually, startStack } from '../helpers/app';
import { makeCompound, makeUser } from '../helpers/fixtures';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

const as = (auth: string) => ({
  auth,
  download: (path: string) =>
    request(stack.app).get(`/api/v1${path}`).set('Authorization', auth).buffer(true).parse(binary),
  upload: (path: string, file: Buffer) =>
    request(stack.app).post(`/api/v1${path}`).set('Authorization', auth).set('Content-Type', XLSX).send(file),
  post: (path: string, body: object) =>
    request(stack.app).post(`/api/v1${path}`).set('Authorization', auth).send(body),
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

const RESIDENTS = ['姓名*', '手机号*', '楼栋*', '单元', '门牌号*', '关系*'];
const PARTY = ['姓名*', '手机号*', '党员类别*', '党小组*', '组织关系所在*'];

let phoneSeq = 0;
const phone = () => `137${String(Date.now() % 1e4).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

/**
 * A compound with one resident already on record (孙阿姨, by the residents sheet) and the office; a
 * workbook that adds two residents and registers all three as party members.
 */
async function setup() {
  const c = await makeCompound();
  const staff = as(await stack.login(await makeUser(c, ['staff'], '马丽')));
  const branch = as(await stack.login(await makeUser(c, ['partyBranch'], '李书记')));
  const [p0, p1, p2] = [phone(), phone(), phone()];
  const rooms = await workbook({
    房屋: [
      ['楼栋*', '单元', '门牌号*', '楼层', '建筑面积（平方米）*'],
      ['1号楼', '', '101', 1, 90],
      ['1号楼', '', '102', 1, 90],
      ['2号楼', '', '201', 2, 100],
    ],
    住户: [RESIDENTS, ['孙阿姨', p0, '1号楼', '', '101', '业主']],
  });
  expect((await staff.upload(`/compounds/${c}/sheets`, rooms)).status).toBe(200);
  const file = await workbook({
    住户: [RESIDENTS, ['杨振华', p1, '1号楼', '', '102', '业主'], ['周小红', p2, '2号楼', '', '201', '租户']],
    党员: [
      PARTY,
      ['孙阿姨', p0, '离退休', '第一党小组', '盐池县老干局'],
      ['杨振华', p1, '离退休党员', '第一党小组', '盐池县老干局'],
      ['周小红', p2, '流动', '第二党小组', '银川市金凤区'],
    ],
  });
  return { c, staff, branch, file, phones: [p0, p1, p2] as const };
}

const members = (c: string) => PartyMember.find({ compoundId: c }).sort({ phone: 1 }).lean();
const registeredEntries = (c: string) =>
  LedgerEntry.countDocuments({ compoundId: c, matterType: 'partyMember', event: 'registered' });

it('when the branch downloads the 党员 template, it has the Chinese headers, one example row and a guide', async () => {
  const { c, branch } = await setup();
  const res = await branch.download(`/compounds/${c}/sheets/party-members/template.xlsx`);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toBe(XLSX);
  const sheets = await read(res.body as Buffer);
  expect(Object.keys(sheets)).toEqual(['党员', '说明']);
  expect(sheets['党员']).toEqual([PARTY, ['张三', '13812345678', '离退休', '第一党小组', '盐池县老干局']]);
  expect(sheets['说明']).toContainEqual([
    '党员',
    '党员类别',
    '是',
    '填 离退休、流动、在职 之一（可带“党员”二字）',
  ]);
});

it('when residents and their party members come in one workbook, each is registered and find-and-link starts once', async () => {
  const { c, staff, file, phones } = await setup();
  const res = await staff.upload(`/compounds/${c}/sheets`, file);
  expect(res.status).toBe(200);
  expect(res.body.sheets).toEqual([
    { sheet: 'residents', title: '住户', rows: 2, created: 2, updated: 0, unchanged: 0 },
    { sheet: 'party-members', title: '党员', rows: 3, created: 3, updated: 0, unchanged: 0 },
  ]);
  const found = await members(c);
  const users = await User.find({ username: { $in: [...phones] } }).lean();
  const idOf = (p: string) => users.find((u) => u.username === p)!._id;
  expect(found.map((m) => [m.name, m.phone, m.userId, m.naturalKey, m.type, m.partyGroup, m.status])).toEqual(
    [
      ['孙阿姨', phones[0], idOf(phones[0]), `user:${idOf(phones[0])}`, 'retired', '第一党小组', 'toFind'],
      ['杨振华', phones[1], idOf(phones[1]), `user:${idOf(phones[1])}`, 'retired', '第一党小组', 'toFind'],
      ['周小红', phones[2], idOf(phones[2]), `user:${idOf(phones[2])}`, 'mobile', '第二党小组', 'toFind'],
    ],
  );
  expect(found[0]!.registeredBy).toEqual({ userId: expect.any(String), name: '马丽' });
  const client = await stack.temporal.client();
  for (const m of found)
    expect((await client.workflow.getHandle(m.workflowId).describe()).status.name).toBe('RUNNING');
  await eventually(
    () => registeredEntries(c),
    (n) => n === 3,
  );

  // The same file again: nothing new, no process started a second time.
  const again = await staff.upload(`/compounds/${c}/sheets`, file);
  expect(again.body.sheets[1]).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(3);
  await new Promise((r) => setTimeout(r, 500));
  expect(await registeredEntries(c)).toBe(3);
});

it('when a 党员 row names no one on record or a wrong 党员类别, the file is refused row by row and nothing is written', async () => {
  const { c, branch, staff, phones } = await setup();
  const stranger = phone();
  // A resident of another compound is not on record here.
  const elsewhere = phone();
  const outsider = await makeUser(await makeCompound(), ['resident'], '外小区');
  await User.updateOne({ _id: outsider.id }, { $set: { username: elsewhere, phone: elsewhere } });
  const file = await workbook({
    住户: [RESIDENTS, ['杨振华', phones[1], '1号楼', '', '102', '业主']],
    党员: [
      PARTY,
      ['孙阿姨', phones[0], '离退休', '第一党小组', '盐池县老干局'],
      ['陌生人', stranger, '流动', '第二党小组', '银川市'],
      ['杨振华', phones[1], '老党员', '第一党小组', '盐池县老干局'],
      ['外小区', elsewhere, '在职', '第三党小组', '县医院'],
    ],
  });
  const residences = await Residence.countDocuments({ compoundId: c });
  const res = await staff.upload(`/compounds/${c}/sheets`, file);
  expect(res.status).toBe(422);
  expect(res.body.error.message).toMatch(/^有 3 处错误，未导入任何数据/);
  expect(
    (res.body.error.details.errors as { sheet: string; row: number; column?: string; reason: string }[]).map(
      (e) => [e.sheet, e.row, e.column ?? '', e.reason],
    ),
  ).toEqual([
    ['党员', 3, '手机号', `本小区没有手机号为 ${stranger} 的住户（可先在住户表中登记）`],
    ['党员', 4, '党员类别', '应为 离退休、流动、在职 之一'],
    ['党员', 5, '手机号', `本小区没有手机号为 ${elsewhere} 的住户（可先在住户表中登记）`],
  ]);
  expect(res.body.error.details.field).toBe('body.party-members.3.phone');
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(0);
  expect(await Residence.countDocuments({ compoundId: c })).toBe(residences);
  expect(await User.countDocuments({ username: phones[1] })).toBe(0);

  // The branch's own sheet: a name not as the residents' record has it is named too.
  const misnamed = await workbook({ 党员: [PARTY, ['孙大妈', phones[0], '在职', '第三党小组', '县医院']] });
  const one = await branch.upload(`/compounds/${c}/sheets/party-members`, misnamed);
  expect(one.status).toBe(422);
  expect(one.body.error.details.errors).toEqual([
    {
      sheet: '党员',
      row: 2,
      column: '姓名',
      reason: `与记录中的姓名“孙阿姨”不同（手机号 ${phones[0]}）`,
      field: 'body.party-members.2.name',
    },
  ]);
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(0);
});

it('when a changed sheet is imported again, each registration is corrected in place, through its process or after it', async () => {
  const { c, staff, branch, file, phones } = await setup();
  expect((await staff.upload(`/compounds/${c}/sheets`, file)).status).toBe(200);
  const before = await members(c);
  const byPhone = (p: string) => before.find((m) => m.phone === p)!;
  // 杨振华 is found and linked: his process has ended.
  const yang = byPhone(phones[1]);
  const path = `/compounds/${c}/party-members/${yang._id}`;
  const at = new Date(Date.now() - 60_000).toISOString();
  expect((await branch.post(`${path}/contacts`, { at, method: 'visit' })).status).toBe(200);
  expect((await branch.post(`${path}/link`, {})).status).toBe(200);
  const client = await stack.temporal.client();
  await eventually(
    () => client.workflow.getHandle(yang.workflowId).describe(),
    (d) => d.status.name === 'COMPLETED',
  );

  const changed = await workbook({
    党员: [
      PARTY,
      ['孙阿姨', phones[0], '在职', '第三党小组', '县医院'],
      ['杨振华', phones[1], '离退休', '第二党小组', '盐池县老干局'],
      ['周小红', phones[2], '流动', '第二党小组', '银川市金凤区'],
    ],
  });
  const res = await branch.upload(`/compounds/${c}/sheets/party-members`, changed);
  expect(res.status).toBe(200);
  expect(res.body.sheets).toEqual([
    { sheet: 'party-members', title: '党员', rows: 3, created: 0, updated: 2, unchanged: 1 },
  ]);
  const after = await members(c);
  expect(after.map((m) => m._id)).toEqual(before.map((m) => m._id));
  const sun = after.find((m) => m.phone === phones[0])!;
  expect(sun).toMatchObject({ type: 'inService', partyGroup: '第三党小组', relationLocation: '县医院' });
  expect(after.find((m) => m.phone === phones[1])).toMatchObject({
    status: 'linked',
    partyGroup: '第二党小组',
  });
  // The running process took the correction: it is in service now, so she may report (报到).
  const state = await client.workflow.getHandle(sun.workflowId).query(partyMemberStatusQuery);
  expect(state).toMatchObject({ type: 'inService', partyGroup: '第三党小组', status: 'toFind' });
  expect((await branch.post(`/compounds/${c}/party-members/${sun._id}/report`, {})).status).toBe(200);
  await eventually(
    () => LedgerEntry.countDocuments({ compoundId: c, matterId: sun._id, event: 'amended' }),
    (n) => n === 1,
  );
  expect(await registeredEntries(c)).toBe(3);
});

it('when the 党员 sheet is exported and imported back, it is a no-op; a member without an account comes too', async () => {
  const { c, staff, branch, file, phones } = await setup();
  expect((await staff.upload(`/compounds/${c}/sheets`, file)).status).toBe(200);
  // Registered by the API by name and phone (no account): the sheet names them by that phone.
  const loose = phone();
  const made = await branch.post(`/compounds/${c}/party-members`, {
    name: '赵流动',
    phone: loose,
    type: 'mobile',
    partyGroup: '第三党小组',
    relationLocation: '吴忠市',
  });
  expect(made.status).toBe(201);
  // A withdrawn registration is no longer on the sheet.
  const zhou = (await members(c)).find((m) => m.phone === phones[2])!;
  expect(
    (await branch.post(`/compounds/${c}/party-members/${zhou._id}/withdraw`, { reason: '迁出' })).status,
  ).toBe(200);

  const exported = await staff.download(`/compounds/${c}/sheets/party-members.xlsx`);
  expect(exported.status).toBe(200);
  const sheets = await read(exported.body as Buffer);
  expect(Object.keys(sheets)).toEqual(['党员']);
  expect(sheets['党员']).toEqual([
    // By party group, then name, in 拼音 order.
    PARTY,
    ['赵流动', loose, '流动', '第三党小组', '吴忠市'],
    ['孙阿姨', phones[0], '离退休', '第一党小组', '盐池县老干局'],
    ['杨振华', phones[1], '离退休', '第一党小组', '盐池县老干局'],
  ]);
  const back = await staff.upload(`/compounds/${c}/sheets/party-members`, exported.body as Buffer);
  expect(back.body.sheets).toEqual([
    { sheet: 'party-members', title: '党员', rows: 3, created: 0, updated: 0, unchanged: 3 },
  ]);
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(4);

  // The whole compound's export carries the sheet after the residents, and reads back the same.
  const all = await read((await staff.download(`/compounds/${c}/sheets.xlsx`)).body as Buffer);
  expect(Object.keys(all)).toEqual(['楼栋单元', '房屋', '住户', '党员']);
  expect(all['党员']).toEqual(sheets['党员']);

  // Once 赵流动 is a resident on record, the same row gives their registration the account: no second one.
  const moved = await workbook({
    住户: [RESIDENTS, ['赵流动', loose, '2号楼', '', '201', '家庭成员']],
    党员: [PARTY, ['赵流动', loose, '流动', '第三党小组', '吴忠市']],
  });
  const adopt = await staff.upload(`/compounds/${c}/sheets`, moved);
  expect(adopt.body.sheets[1]).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
  const zhao = await User.findOne({ username: loose }).lean();
  expect(await PartyMember.findById(made.body.id).lean()).toMatchObject({
    userId: zhao!._id,
    naturalKey: `user:${zhao!._id}`,
    status: 'toFind',
  });
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(4);
  const last = await staff.upload(`/compounds/${c}/sheets`, moved);
  expect(last.body.sheets[1]).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
});

it('when a resident or the owners’ committee tries the 党员 sheet, it is 403; the branch imports but only the office exports', async () => {
  const { c, branch, file } = await setup();
  const only = await workbook({ 党员: (await read(file))['党员']! });
  for (const roles of [['resident'], ['ownersCommittee']] as const) {
    const who = as(await stack.login(await makeUser(c, [...roles])));
    expect((await who.download(`/compounds/${c}/sheets/party-members/template.xlsx`)).status).toBe(403);
    expect((await who.upload(`/compounds/${c}/sheets/party-members`, only)).status).toBe(403);
    expect((await who.download(`/compounds/${c}/sheets/party-members.xlsx`)).status).toBe(403);
  }
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(0);
  expect((await branch.download(`/compounds/${c}/sheets/party-members.xlsx`)).status).toBe(403);
  const dry = await branch.upload(`/compounds/${c}/sheets/party-members?dryRun=true`, only);
  expect(dry.status).toBe(422); // two of the three are not residents yet: this file adds them
  expect(dry.body.error.details.errorCount).toBe(2);
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(0);
});
