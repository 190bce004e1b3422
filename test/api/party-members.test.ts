/**
 * The party-member registry on the real stack: registration starts find-and-link, contact and linking
 * show in the detail; bad input named and nothing written; only the branch and the office read it; an
 * in-service member reports themself; the published ledger names no one.
 */
import request from 'supertest';
import { PartyMember } from '../../models/party-member';
import { eventually, startStack } from '../helpers/app';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { upsertPartyMember } from '../../services/party-members';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const api = (path: string) => `/api/v1${path}`;

async function setup() {
  const c = await makeCompound();
  const staffUser = await makeUser(c, ['staff'], '马丽');
  const staff = await stack.login(staffUser);
  const branch = await stack.login(await makeUser(c, ['partyBranch'], '李书记'));
  const residentUser = await makeUser(c, ['resident'], '张在职');
  const resident = await stack.login(residentUser);
  const owners = await stack.login(await makeUser(c, ['ownersCommittee'], '刘主任'));
  return { c, staff, branch, resident, residentUser, owners };
}

const register = (c: string, auth: string, body: object) =>
  request(stack.app)
    .post(api(`/compounds/${c}/party-members`))
    .set('Authorization', auth)
    .send(body);

it('registering a party member starts find-and-link; contact then link show in the detail', async () => {
  const { c, branch, staff } = await setup();
  const made = await register(c, branch, {
    name: '王建国',
    phone: '13912345671',
    type: 'retired',
    partyGroup: '第一党小组',
    relationLocation: '盐池县老干局',
  });
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({ status: 'toFind', typeLabel: '离退休党员', phone: '13912345671' });
  const id = made.body.id as string;
  const handle = (await stack.temporal.client()).workflow.getHandle(`find-and-link-${c}-${id}`);
  expect((await handle.describe()).status.name).toBe('RUNNING');

  const contact = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/contacts`))
    .set('Authorization', branch)
    .send({ at: new Date(Date.now() - 60_000).toISOString(), method: 'visit', note: '上门走访' });
  expect(contact.status).toBe(200);
  expect(contact.body.status).toBe('contacted');
  const linked = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/link`))
    .set('Authorization', branch)
    .send({});
  expect(linked.status).toBe(200);
  const detail = await request(stack.app)
    .get(api(`/compounds/${c}/party-members/${id}`))
    .set('Authorization', staff);
  expect(detail.body).toMatchObject({ status: 'linked', contacts: [{ byName: '李书记', method: 'visit' }] });
  await eventually(
    () => handle.describe(),
    (d) => d.status.name === 'COMPLETED',
  );

  // The branch's list masks the phone; the office's does not.
  const asBranch = await request(stack.app)
    .get(api(`/compounds/${c}/party-members?status=linked`))
    .set('Authorization', branch);
  expect(asBranch.body.items[0].phone).toBe('139****5671');
  const asStaff = await request(stack.app)
    .get(api(`/compounds/${c}/party-members?type=retired`))
    .set('Authorization', staff);
  expect(asStaff.body.items[0].phone).toBe('13912345671');
});

it('refuses bad input naming the field and writes nothing', async () => {
  const { c, branch, residentUser } = await setup();
  const base = { type: 'mobile', partyGroup: '第二党小组', relationLocation: '银川市' };
  const unknown = await register(c, branch, { ...base, userId: 'nobody' });
  expect(unknown.status).toBe(422);
  expect(unknown.body.error.details.field).toBe('body.userId');
  const badType = await register(c, branch, { ...base, userId: residentUser.id, type: 'veteran' });
  expect(badType.status).toBe(400);
  expect(JSON.stringify(badType.body.error.details)).toContain('type');
  const noName = await register(c, branch, { ...base, phone: '13912345672' });
  expect(noName.status).toBe(422);
  expect(noName.body.error.details.field).toBe('body.name');
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(0);

  expect((await register(c, branch, { ...base, userId: residentUser.id })).status).toBe(201);
  const twice = await register(c, branch, { ...base, userId: residentUser.id });
  expect(twice.status).toBe(409);
  expect(twice.body.error.details.field).toBe('body.userId');
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(1);

  const id = (await PartyMember.findOne({ compoundId: c }).lean())!._id;
  const future = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/contacts`))
    .set('Authorization', branch)
    .send({ at: new Date(Date.now() + 86_400_000).toISOString(), method: 'phone' });
  expect(future.status).toBe(422);
  expect(future.body.error.details.field).toBe('body.at');
  expect((await PartyMember.findById(id).lean())!.contacts).toHaveLength(0);
});

it('a resident and an owners-committee member are refused the registry (403)', async () => {
  const { c, resident, owners, branch } = await setup();
  const made = await register(c, branch, {
    name: '赵流动',
    phone: '13912345673',
    type: 'mobile',
    partyGroup: '第三党小组',
    relationLocation: '吴忠市',
  });
  for (const who of [resident, owners]) {
    expect(
      (
        await request(stack.app)
          .get(api(`/compounds/${c}/party-members`))
          .set('Authorization', who)
      ).status,
    ).toBe(403);
    expect(
      (
        await request(stack.app)
          .get(api(`/compounds/${c}/party-members/${made.body.id}`))
          .set('Authorization', who)
      ).status,
    ).toBe(403);
    expect(
      (
        await register(c, who, {
          name: 'x',
          phone: '13912345674',
          type: 'retired',
          partyGroup: 'a',
          relationLocation: 'b',
        })
      ).status,
    ).toBe(403);
  }
});

it('an in-service member reports to the community themself; another resident may not report for them', async () => {
  const { c, branch, resident, residentUser } = await setup();
  const other = await stack.login(await makeUser(c, ['resident'], '别人'));
  const made = await register(c, branch, {
    userId: residentUser.id,
    type: 'inService',
    partyGroup: '在职党员小组',
    relationLocation: '盐池县教育局',
  });
  const id = made.body.id as string;
  const path = api(`/compounds/${c}/party-members/${id}/report`);
  expect((await request(stack.app).post(path).set('Authorization', other)).status).toBe(403);
  const reported = await request(stack.app).post(path).set('Authorization', resident);
  expect(reported.status).toBe(200);
  expect(reported.body.reportedAt).toBeTruthy();
  expect((await request(stack.app).post(path).set('Authorization', resident)).status).toBe(409);
  await eventually(
    () => PartyMember.findById(id).lean(),
    (m) => Boolean(m?.reportedAt),
  );
});

it('the published ledger, read by a resident, shows the filings but no name or phone', async () => {
  const { c, branch, resident } = await setup();
  await register(c, branch, {
    name: '孙隐私',
    phone: '13912345675',
    type: 'retired',
    partyGroup: '第一党小组',
    relationLocation: '盐池县',
  });
  const ledger = await eventually(
    () =>
      request(stack.app)
        .get(api(`/compounds/${c}/ledger?matterType=partyMember`))
        .set('Authorization', resident),
    (r) => r.status === 200 && r.body.items.length >= 1,
  );
  const text = JSON.stringify(ledger.body);
  expect(text).not.toMatch(/孙隐私|13912345675|5675/);
});

it('joint party units are created, linked to, and retired; a retired or unknown unit is refused by field', async () => {
  const { c, staff, branch } = await setup();
  const unit = await request(stack.app)
    .post(api(`/compounds/${c}/joint-party-units`))
    .set('Authorization', staff)
    .send({ name: '盐池县供电公司', kind: 'unit', contactName: '周主任', contactPhone: '13912345676' });
  expect(unit.status).toBe(201);
  const dup = await request(stack.app)
    .post(api(`/compounds/${c}/joint-party-units`))
    .set('Authorization', staff)
    .send({ name: '盐池县供电公司', kind: 'shop' });
  expect(dup.status).toBe(409);
  expect(dup.body.error.details.field).toBe('body.name');

  const made = await register(c, branch, {
    name: '钱在职',
    phone: '13912345677',
    type: 'inService',
    partyGroup: '在职党员小组',
    relationLocation: '盐池县供电公司',
  });
  const id = made.body.id as string;
  await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/contacts`))
    .set('Authorization', branch)
    .send({ at: new Date(Date.now() - 60_000).toISOString(), method: 'phone' });
  const unknown = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/link`))
    .set('Authorization', branch)
    .send({ jointPartyUnitId: 'ju-nothere' });
  expect(unknown.status).toBe(422);
  expect(unknown.body.error.details.field).toBe('body.jointPartyUnitId');
  const linked = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${id}/link`))
    .set('Authorization', branch)
    .send({ jointPartyUnitId: unit.body.id });
  expect(linked.body).toMatchObject({ status: 'linked', jointPartyUnitId: unit.body.id });

  const retired = await request(stack.app)
    .post(api(`/compounds/${c}/joint-party-units/${unit.body.id}/retire`))
    .set('Authorization', staff);
  expect(retired.body.retiredAt).toBeTruthy();
  const list = await request(stack.app)
    .get(api(`/compounds/${c}/joint-party-units`))
    .set('Authorization', branch);
  expect(list.body.items).toEqual([]);
});

it('a withdrawn registration ends its process and frees the person to be registered again', async () => {
  const { c, branch } = await setup();
  const body = {
    name: '吴撤销',
    phone: '13912345678',
    type: 'mobile',
    partyGroup: '第二党小组',
    relationLocation: '银川市',
  };
  const first = await register(c, branch, body);
  const withdrawn = await request(stack.app)
    .post(api(`/compounds/${c}/party-members/${first.body.id}/withdraw`))
    .set('Authorization', branch)
    .send({ reason: '登记有误' });
  expect(withdrawn.body.status).toBe('withdrawn');
  const handle = (await stack.temporal.client()).workflow.getHandle(`find-and-link-${c}-${first.body.id}`);
  await eventually(
    () => handle.describe(),
    (d) => d.status.name === 'COMPLETED',
  );
  expect((await register(c, branch, body)).status).toBe(201);
});

it('an import registers through upsertPartyMember: the second run finds the person and registers no one twice', async () => {
  const { c } = await setup();
  const input = {
    name: '郑导入',
    phone: '13912345679',
    type: 'retired' as const,
    partyGroup: '第一党小组',
    relationLocation: '盐池县',
  };
  const actor = { userId: 'importer', name: '导入' };
  const deps = { temporal: stack.temporal };
  const first = await upsertPartyMember(c, input, actor, deps);
  const second = await upsertPartyMember(c, input, actor, deps);
  expect([first.created, second.created]).toEqual([true, false]);
  expect(second.member.id).toBe(first.member.id);
  expect(await PartyMember.countDocuments({ compoundId: c })).toBe(1);
});
