/**
 * Every route, every role: who may and who may not. Expectations are written out here, not derived
 * from the permission table, so a change to the table that opens or closes a door fails this test.
 */
import request from 'supertest';
import { ROLES, type Role } from '../../domain/roles';
import { Voice } from '../../models/voice';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
let compoundId: string;
let otherCompoundId: string;
let voiceId: string;
let otherVoiceId: string;
const auth = {} as Record<Role, string>;
const ids = {} as Record<Role, string>;

beforeAll(async () => {
  stack = await startStack();
  compoundId = await makeCompound();
  otherCompoundId = await makeCompound();
  for (const role of ROLES) {
    const u = await makeUser(role === 'admin' ? '*' : compoundId, [role]);
    auth[role] = await stack.login(u);
    ids[role] = u.id;
  }
  const submit = (c: string, who: string) =>
    request(stack.app)
      .post(`/api/v1/compounds/${c}/voices`)
      .set('Authorization', who)
      .send({ kind: 'complaint', text: '垃圾堆放在楼道里没人清理' });
  voiceId = (await submit(compoundId, auth.resident)).body.voice.id;
  // Building 1 has an invitation, so its QR code can be printed.
  await request(stack.app)
    .post(`/api/v1/compounds/${compoundId}/buildings/b1/invitation`)
    .set('Authorization', auth.staff);
  const outsider = await makeUser(otherCompoundId, ['resident']);
  otherVoiceId = (await submit(otherCompoundId, await stack.login(outsider))).body.voice.id;
  await eventually(
    () => Voice.find({ _id: { $in: [voiceId, otherVoiceId] }, status: 'assigned' }).lean(),
    (v) => v.length === 2,
  );
});
afterAll(async () => {
  await stack?.stop();
});

const EVERYONE = ROLES;
let extensions = 0;
let workOrders = 0;
type Case = {
  name: string;
  method: 'get' | 'post' | 'patch';
  path: () => string;
  body?: object | (() => object);
  allowed: readonly Role[];
};
const cases: Case[] = [
  {
    name: 'read the compound',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}`,
    allowed: EVERYONE,
  },
  {
    name: 'change settings',
    method: 'patch',
    path: () => `/api/v1/compounds/${compoundId}/settings`,
    body: { voices: { escalationStepHours: 48 } },
    allowed: ['admin', 'staff'],
  },
  {
    name: 'submit a voice online',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/voices`,
    body: { kind: 'suggestion', text: '建议增加健身器材' },
    allowed: EVERYONE,
  },
  {
    name: 'enter a voice heard on the public phone',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/voices`,
    body: { kind: 'appeal', channel: 'publicPhone', text: '希望修一下路灯', onBehalfOf: { name: '孙阿姨' } },
    allowed: ['admin', 'staff', 'buildingLeader'],
  },
  {
    name: 'enter a 12345 work order heard on the hotline',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/voices`,
    body: () => ({
      kind: 'appeal',
      channel: 'hotline12345',
      text: '12345转来：东门路灯不亮',
      onBehalfOf: { name: '赵阿姨' },
      hotline: { workOrderNo: `NX${Date.now()}${++workOrders}` },
    }),
    allowed: ['admin', 'staff', 'buildingLeader'],
  },
  {
    name: 'issue a key for an outside system',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/api-keys`,
    body: { name: '12345 热线平台' },
    allowed: ['admin', 'staff'],
  },
  {
    name: "list the compound's keys for outside systems",
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/api-keys`,
    allowed: ['admin', 'staff'],
  },
  {
    name: 'list voices',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/voices`,
    allowed: EVERYONE,
  },
  {
    name: 'see the live workflow state',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/voices/${voiceId}/live`,
    allowed: [
      'admin',
      'staff',
      'partyBranch',
      'ownersCommittee',
      'supervisoryBoard',
      'selfManagementCommittee',
    ],
  },
  {
    name: 'report progress on a sanitation complaint (assigned to the self-management committee)',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/voices/${voiceId}/progress`,
    body: { note: '已联系保洁' },
    allowed: ['admin', 'staff', 'selfManagementCommittee'],
  },
  {
    name: 'extend a deadline',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/voices/${voiceId}/extend-deadline`,
    // Each allowed call pushes the deadline further, so each is a valid extension.
    body: () => ({
      deadline: 'resolve',
      until: new Date(Date.now() + 30 * 86400_000 + ++extensions * 3600_000).toISOString(),
      reason: '等待配件',
    }),
    allowed: ['admin', 'staff'],
  },
  {
    name: 'read the inbox',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/inbox`,
    allowed: EVERYONE,
  },
  {
    name: 'see the cycles of the four meetings',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/cycles`,
    allowed: EVERYONE,
  },
  {
    name: 'read the supervisory ledger',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/ledger`,
    allowed: EVERYONE,
  },
  {
    name: "read the compound's rates",
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/rates?period=2026`,
    allowed: EVERYONE,
  },
  {
    name: 'list the rectification orders',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/rectifications`,
    allowed: EVERYONE,
  },
  {
    name: "follow a motion's record in the ledger",
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/ledger?motionId=motion-x`,
    allowed: EVERYONE,
  },
  {
    name: 'list the meetings',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/meetings`,
    allowed: EVERYONE,
  },
  {
    name: 'call an extraordinary meeting',
    method: 'post',
    path: () => `/api/v1/compounds/${compoundId}/meetings`,
    body: () => ({
      type: 'periodicCoordination',
      reason: '临时协调',
      plannedAt: new Date(Date.now() + 86400_000).toISOString(),
    }),
    allowed: ['admin', 'staff'],
  },
  {
    name: "print a building's invitation QR code",
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/buildings/b1/invitation-qr`,
    allowed: ['admin', 'staff'],
  },
  {
    name: 'read the audit log',
    method: 'get',
    path: () => `/api/v1/compounds/${compoundId}/audit`,
    allowed: ['admin', 'staff'],
  },
  {
    name: 'read my own profile',
    method: 'get',
    path: () => '/api/v1/me',
    allowed: EVERYONE,
  },
];

describe.each(cases)('$name', ({ method, path, body, allowed }) => {
  it.each(ROLES.map((r) => [r, allowed.includes(r)] as const))('as %s, allowed: %s', async (role, ok) => {
    const req = request(stack.app)[method](path()).set('Authorization', auth[role]);
    const res = body ? await req.send(typeof body === 'function' ? body() : body) : await req;
    if (ok) expect([200, 201, 202]).toContain(res.status);
    else {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });
});

describe('another compound', () => {
  it.each(ROLES.filter((r) => r !== 'admin'))(
    'as %s of one compound, reading another compound is refused',
    async (role) => {
      const res = await request(stack.app)
        .get(`/api/v1/compounds/${otherCompoundId}/voices`)
        .set('Authorization', auth[role]);
      expect(res.status).toBe(403);
    },
  );

  it("when a voice of another compound is addressed through one's own compound, it is not found", async () => {
    const res = await request(stack.app)
      .get(`/api/v1/compounds/${compoundId}/voices/${otherVoiceId}`)
      .set('Authorization', auth.staff);
    expect(res.status).toBe(404);
    const act = await request(stack.app)
      .post(`/api/v1/compounds/${compoundId}/voices/${otherVoiceId}/accept`)
      .set('Authorization', auth.staff)
      .send({});
    expect(act.status).toBe(404);
    expect((await Voice.findById(otherVoiceId).lean().orFail()).status).toBe('assigned');
  });

  it("when a resident asks for another resident's voice, it is not found; their list holds only their own", async () => {
    const other = await makeUser(compoundId, ['resident']);
    const otherAuth = await stack.login(other);
    expect(
      (
        await request(stack.app)
          .get(`/api/v1/compounds/${compoundId}/voices/${voiceId}`)
          .set('Authorization', otherAuth)
      ).status,
    ).toBe(404);
    const list = await request(stack.app)
      .get(`/api/v1/compounds/${compoundId}/voices`)
      .set('Authorization', otherAuth);
    expect(list.body.total).toBe(0);
    const own = await request(stack.app)
      .get(`/api/v1/compounds/${compoundId}/voices`)
      .set('Authorization', auth.resident);
    expect(own.body.items.map((v: { id: string }) => v.id)).toContain(voiceId);
  });

  it('when nobody is signed in, member routes answer 401', async () => {
    expect((await request(stack.app).get(`/api/v1/compounds/${compoundId}/voices`)).status).toBe(401);
    expect((await request(stack.app).post(`/api/v1/compounds/${compoundId}/voices`).send({})).status).toBe(
      401,
    );
  });
});
