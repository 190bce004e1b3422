/**
 * The five bodies formed with terms, on the real stack: elected, appointed and hired memberships each start
 * a term's workflow, give their roles at once and are filed in the ledger; the rules refuse what the article
 * does not allow, naming the field and writing nothing; the owners' committee carries out a council
 * resolution on the self-management committee; the council roster comes by category.
 */
import request from 'supertest';
import { BodyMembership } from '../../models/body-membership';
import { LedgerEntry } from '../../models/ledger-entry';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { User } from '../../models/user';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();

async function setUp() {
  const c = await makeCompound();
  const staff = await stack.login(await makeUser(c, ['staff']));
  const post = (path: string, body: object, as = staff) =>
    request(stack.app).post(`/api/v1/compounds/${c}${path}`).set('Authorization', as).send(body);
  const get = (path: string, as = staff) =>
    request(stack.app).get(`/api/v1/compounds/${c}${path}`).set('Authorization', as);
  return { c, staff, post, get };
}

const rolesIn = async (userId: string, c: string) =>
  (await User.findById(userId).lean())?.memberships.find((m) => m.compoundId === c)?.roles ?? [];

const elected = (userId: string, position = 'member') => ({
  userId,
  body: 'ownersCommittee',
  position,
  termStart: iso(Date.now() - DAY),
  termEnd: iso(Date.now() + 3 * 365 * DAY),
  basis: {
    kind: 'elected',
    electedOn: iso(Date.now() - 5 * DAY).slice(0, 10),
    ballotsFor: 180,
    ballotsCast: 240,
  },
});

/** A passed council resolution on the SMC, as the council's workflow leaves it on record. */
async function smcResolution(c: string) {
  const meetingId = `quarterly-deliberation/${c}/fixture`;
  await Meeting.create({
    _id: meetingId,
    compoundId: c,
    type: 'quarterlyDeliberation',
    period: 'fixture',
    status: 'held',
    plannedAt: new Date(),
    holdBy: new Date(),
    state: {
      agenda: [
        {
          id: 'motion-1',
          title: '续聘并调整自管会成员',
          motion: {
            matter: 'selfManagementCommittee',
            proposedBy: 'referral',
            delegateTo: 'ownersCommittee',
          },
        },
        {
          id: 'motion-2',
          title: '更换电梯',
          motion: { matter: 'fundUse', proposedBy: 'referral', delegateTo: 'ownersCommittee' },
        },
      ],
    },
  });
  const order = (id: string, motionId: string) =>
    Rectification.create({
      _id: id,
      compoundId: c,
      kind: 'resolution',
      title: '决议执行',
      owner: 'ownersCommittee',
      issuer: 'partyBranch',
      status: 'open',
      deadline: new Date(Date.now() + 30 * DAY),
      source: { meetingId, motionId },
      state: {},
    });
  await order(`res-${c}`, 'motion-1');
  await order(`fund-${c}`, 'motion-2');
  return { smc: `res-${c}`, other: `fund-${c}` };
}

it('when staff register an elected owners-committee member, the person gets the role at once, the term runs as a workflow and the election is filed in the ledger', async () => {
  const { c, post, get } = await setUp();
  const person = await makeUser(c, ['resident'], '刘建国');
  const made = await post('/memberships', elected(person.id, 'chair'));
  expect(made.status).toBe(201);
  expect(made.body).toMatchObject({
    name: '刘建国',
    body: 'ownersCommittee',
    bodyLabel: '业主委员会',
    positionLabel: '主任',
    status: 'current',
    basisLabel: '选举产生',
  });
  expect(await rolesIn(person.id, c)).toEqual(['ownersCommittee', 'resident']);
  const entries = await eventually(
    () => LedgerEntry.find({ compoundId: c, matterId: made.body.id }).lean(),
    (e) => e.length === 1,
  );
  expect(entries[0]).toMatchObject({
    event: 'elected',
    matterType: 'membership',
    summary: '刘建国当选业主委员会主任',
  });
  const desc = await (
    await stack.temporal.client()
  ).workflow
    .getHandle(`term/${made.body.id as string}`)
    .describe();
  expect(desc.status.name).toBe('RUNNING');
  const bodies = await get('/bodies');
  expect(bodies.status).toBe(200);
  const oc = (bodies.body.bodies as { body: string; members: { name: string }[] }[]).find(
    (b) => b.body === 'ownersCommittee',
  );
  expect(oc?.members.map((m) => m.name)).toEqual(['刘建国']);
  expect(bodies.body.ownersCommitteePartyShare).toEqual({ members: 1, partyMembers: 0, percent: 0 });
});

it('when the input breaks a rule — a term ending before it starts, an unknown person, an appointed owners committee, a supervisory board member who is no party member — the field is named and nothing is written', async () => {
  const { c, post } = await setUp();
  const person = await makeUser(c, ['resident']);
  const before = await BodyMembership.countDocuments({ compoundId: c });
  const cases: [object, string][] = [
    [{ ...elected(person.id), termEnd: iso(Date.now() - 2 * DAY) }, 'body.termEnd'],
    [{ ...elected('nobody-here') }, 'body.userId'],
    [{ ...elected(person.id), basis: { kind: 'appointed', by: 'community' } }, 'body.basis.kind'],
    [
      {
        ...elected(person.id),
        body: 'supervisoryBoard',
        basis: { kind: 'appointed', by: 'partyOrganization' },
      },
      'body.userId',
    ],
    [
      { ...elected(person.id), body: 'buildingLeader', position: 'buildingLeader', buildingId: 'b9' },
      'body.buildingId',
    ],
  ];
  for (const [body, field] of cases) {
    const res = await post('/memberships', body);
    expect({ field, status: res.status }).toEqual({ field, status: 422 });
    expect(res.body.error.details.field).toBe(field);
  }
  const shape = await post('/memberships', { ...elected(person.id), termEnd: '明年' });
  expect(shape.status).toBe(400);
  expect(await BodyMembership.countDocuments({ compoundId: c })).toBe(before);
  expect(await rolesIn(person.id, c)).toEqual(['resident']);
});

it('when the same person is elected twice for overlapping terms, the second is refused as a conflict', async () => {
  const { c, post } = await setUp();
  const person = await makeUser(c, ['resident']);
  expect((await post('/memberships', elected(person.id))).status).toBe(201);
  const again = await post('/memberships', elected(person.id));
  expect(again.status).toBe(409);
  expect(await BodyMembership.countDocuments({ compoundId: c, userId: person.id })).toBe(1);
});

it('when a retired party member in the registry is appointed to the supervisory board by the branch, it stands; a resident or an owners-committee member trying it is refused', async () => {
  const { c, post } = await setUp();
  const person = await makeUser(c, ['resident']);
  const registered = await post('/party-members', {
    userId: person.id,
    type: 'retired',
    partyGroup: '第一党小组',
    relationLocation: '盐池县老干局',
  });
  expect(registered.status).toBe(201);
  const resident = await stack.login(await makeUser(c, ['resident']));
  const owners = await stack.login(await makeUser(c, ['ownersCommittee']));
  const board = {
    ...elected(person.id),
    body: 'supervisoryBoard',
    basis: { kind: 'appointed', by: 'partyOrganization' },
  };
  expect((await post('/memberships', board, resident)).status).toBe(403);
  expect((await post('/memberships', board, owners)).status).toBe(403);
  const branch = await stack.login(await makeUser(c, ['partyBranch']));
  expect((await post('/memberships', board, branch)).status).toBe(201);
  expect(await rolesIn(person.id, c)).toContain('supervisoryBoard');
});

it('when the owners committee carries out a council resolution on the self-management committee, hires begin and dismissals end with the resolution named, and the roles follow', async () => {
  const { c, post, get } = await setUp();
  const { smc, other } = await smcResolution(c);
  const owners = await stack.login(await makeUser(c, ['ownersCommittee']));
  const [a, b] = [await makeUser(c, ['resident'], '张师傅'), await makeUser(c, ['resident'], '李师傅')];
  const term = { termStart: iso(Date.now() - DAY), termEnd: iso(Date.now() + 365 * DAY) };

  const withoutResolution = await post(
    '/memberships',
    {
      userId: a.id,
      body: 'selfManagementCommittee',
      position: 'member',
      ...term,
      basis: { kind: 'hired', resolutionOrderId: other },
    },
    owners,
  );
  expect(withoutResolution.status).toBe(422);
  expect(withoutResolution.body.error.details.field).toBe('body.basis.resolutionOrderId');

  const smcMember = await stack.login(await makeUser(c, ['selfManagementCommittee']));
  const hire = {
    resolutionOrderId: smc,
    hire: [
      { userId: a.id, position: 'chair', ...term },
      { userId: b.id, position: 'member', ...term },
    ],
  };
  expect((await post('/self-management-committee/resolutions', hire, smcMember)).status).toBe(403);
  const hired = await post('/self-management-committee/resolutions', hire, owners);
  expect(hired.status).toBe(200);
  expect(hired.body.hired).toHaveLength(2);
  expect(await rolesIn(a.id, c)).toContain('selfManagementCommittee');

  // A bad row anywhere: nothing changes.
  const bad = await post(
    '/self-management-committee/resolutions',
    {
      resolutionOrderId: smc,
      dismiss: [{ membershipId: hired.body.hired[1] }, { membershipId: 'm0000000000000000' }],
    },
    owners,
  );
  expect(bad.status).toBe(422);
  expect(bad.body.error.details.field).toBe('body.dismiss.1.membershipId');
  expect(await rolesIn(b.id, c)).toContain('selfManagementCommittee');

  const dismissed = await post(
    '/self-management-committee/resolutions',
    {
      resolutionOrderId: smc,
      dismiss: [{ membershipId: hired.body.hired[1], note: '服务态度差，群众意见大' }],
    },
    owners,
  );
  expect(dismissed.status).toBe(200);
  const record = await get(`/memberships/${hired.body.hired[1] as string}`);
  expect(record.body).toMatchObject({
    status: 'ended',
    endReason: 'dismissed',
    endReasonLabel: '解聘 / 罢免',
    endResolutionOrderId: smc,
  });
  expect(await rolesIn(b.id, c)).toEqual(['resident']);
  const filed = await eventually(
    () => LedgerEntry.find({ compoundId: c, matterId: hired.body.hired[1] }).sort({ seq: 1 }).lean(),
    (e) => e.length === 2,
  );
  expect(filed.map((e) => e.event)).toEqual(['hired', 'dismissed']);
  expect(filed[1]!.content).toMatchObject({ resolutionOrderId: smc });

  // Dismissing an SMC member outside a resolution is refused.
  const direct = await post(
    `/memberships/${hired.body.hired[0] as string}/end`,
    { reason: 'dismissed' },
    owners,
  );
  expect(direct.status).toBe(422);
  expect(direct.body.error.details.field).toBe('body.resolutionOrderId');
});

it('when a term is renewed, the new term begins where the old one ends and the old one is marked to end as renewed', async () => {
  const { c, post, get } = await setUp();
  const person = await makeUser(c, ['resident']);
  const first = await post('/memberships', elected(person.id));
  const oldEnd = Date.parse(first.body.termEnd as string);
  const renewed = await post(`/memberships/${first.body.id as string}/renew`, {
    termEnd: iso(oldEnd + 3 * 365 * DAY),
    basis: { kind: 'elected', electedOn: iso(Date.now()).slice(0, 10), ballotsFor: 200, ballotsCast: 230 },
  });
  expect(renewed.status).toBe(201);
  expect(renewed.body).toMatchObject({ status: 'upcoming', renews: first.body.id, basisLabel: '续任' });
  expect(Date.parse(renewed.body.termStart as string)).toBe(oldEnd);
  const again = await post(`/memberships/${first.body.id as string}/renew`, {
    termEnd: iso(oldEnd + 3 * 365 * DAY),
    basis: { kind: 'elected', electedOn: iso(Date.now()).slice(0, 10), ballotsFor: 200, ballotsCast: 230 },
  });
  expect(again.status).toBe(409);
  const handle = (await stack.temporal.client()).workflow.getHandle(`term/${first.body.id as string}`);
  expect((await handle.query('termStatus')) as object).toMatchObject({ renewedBy: renewed.body.id });
  expect((await get(`/memberships?userId=${person.id}`)).body.total).toBe(2);
});

it('when the council roster is read, each current member sits once, in the article’s order of categories', async () => {
  const { c, post, get } = await setUp();
  const branch = await makeUser(c, ['partyBranch'], '张书记');
  const person = await makeUser(c, ['resident'], '王经理');
  const seat = await post('/memberships', {
    ...elected(person.id),
    body: 'residentsCouncil',
    category: 'propertyCompany',
    basis: { kind: 'appointed', by: 'community' },
  });
  expect(seat.status).toBe(201);
  const roster = await get('/council-roster');
  expect(roster.status).toBe(200);
  expect(roster.body.items).toEqual([
    { userId: branch.id, name: '张书记', category: 'partyBranch', categoryLabel: '社区党支部' },
    { userId: person.id, name: '王经理', category: 'propertyCompany', categoryLabel: '物管公司代表' },
  ]);
});
