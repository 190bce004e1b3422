/**
 * A compound's group robots through the settings API, on the real database: what is refused (naming the
 * field), what is stored, and that no read ever shows a robot's key, token or secret.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { Compound } from '../../models/compound';
import { createTemporalHandle } from '../../services/temporal-client';
import { connectTestDb } from '../helpers/db';
import { JWT_SECRET } from '../helpers/app';
import { PASSWORD, makeCompound, makeUser } from '../helpers/fixtures';

const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aaa-4bc4-97a0-0ec2sifa5abcd';
const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef0123456789ab1234';
const FEISHU = 'https://open.feishu.cn/open-apis/bot/v2/hook/2b47757342ff-761b-33b9-2272125e5090';
const DING_SECRET = 'SECdingtalk-secret-never-shown-0001';

let db: Awaited<ReturnType<typeof connectTestDb>>;
// Settings never reach Temporal: its handle connects lazily and is not used here.
const temporal = createTemporalHandle({ address: '127.0.0.1:1', namespace: 'default', taskQueue: 'unused' });
const app = createApp({
  config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
  temporal,
  rateLimits: false,
});

beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await temporal.close();
  await db.drop();
});

async function login(username: string) {
  const res = await request(app).post('/api/v1/auth/login').send({ username, password: PASSWORD });
  return `Bearer ${res.body.token as string}`;
}
async function setup() {
  const c = await makeCompound();
  const staff = await login((await makeUser(c, ['staff'])).username);
  const resident = await login((await makeUser(c, ['resident'])).username);
  const patch = (body: object, who = staff) =>
    request(app).patch(`/api/v1/compounds/${c}/settings`).set('Authorization', who).send(body);
  const read = (who = staff) => request(app).get(`/api/v1/compounds/${c}`).set('Authorization', who);
  return { c, staff, resident, patch, read };
}

it('when staff set robots, they are stored in full but every read shows the key, token and secret masked', async () => {
  const { c, patch, read } = await setup();
  const res = await patch({
    robots: [
      { body: 'ownersCommittee', vendor: 'wecom', url: WECOM },
      { body: 'ownersCommittee', vendor: 'dingtalk', url: DINGTALK, secret: DING_SECRET },
      { body: 'partyBranch', vendor: 'feishu', url: FEISHU, secret: 'feishu-secret-x' },
    ],
  });
  expect(res.status).toBe(200);
  expect(res.body.settings.robots).toEqual([
    {
      body: 'ownersCommittee',
      vendor: 'wecom',
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****abcd',
    },
    {
      body: 'ownersCommittee',
      vendor: 'dingtalk',
      url: 'https://oapi.dingtalk.com/robot/send?access_token=****1234',
      secret: '已设置',
    },
    {
      body: 'partyBranch',
      vendor: 'feishu',
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/****5090',
      secret: '已设置',
    },
  ]);
  const shown = await read();
  expect(shown.body.settings.robots).toEqual(res.body.settings.robots);
  for (const answer of [res.text, shown.text]) {
    expect(answer).not.toContain(DING_SECRET);
    expect(answer).not.toContain('feishu-secret-x');
    expect(answer).not.toContain('693a91f6');
    expect(answer).not.toContain('0123456789abcdef');
    expect(answer).not.toContain('2b47757342ff');
  }
  const stored = await Compound.findById(c).lean().orFail();
  expect((stored.settings as { robots: unknown[] }).robots).toEqual([
    { body: 'ownersCommittee', vendor: 'wecom', url: WECOM },
    { body: 'ownersCommittee', vendor: 'dingtalk', url: DINGTALK, secret: DING_SECRET },
    { body: 'partyBranch', vendor: 'feishu', url: FEISHU, secret: 'feishu-secret-x' },
  ]);
});

it('when a resident reads the compound, its robots are not shown at all', async () => {
  const { patch, read, resident } = await setup();
  await patch({ robots: [{ body: 'staff', vendor: 'wecom', url: WECOM }] });
  const shown = await read(resident);
  expect(shown.status).toBe(200);
  expect(shown.body.settings.robots).toBeUndefined();
});

it('when the masked list a read gave is sent back with one robot added, the stored URLs and secrets are kept', async () => {
  const { c, patch } = await setup();
  const first = await patch({
    robots: [{ body: 'ownersCommittee', vendor: 'dingtalk', url: DINGTALK, secret: DING_SECRET }],
  });
  const again = await patch({
    robots: [...first.body.settings.robots, { body: 'staff', vendor: 'wecom', url: WECOM }],
  });
  expect(again.status).toBe(200);
  const stored = await Compound.findById(c).lean().orFail();
  expect((stored.settings as { robots: unknown[] }).robots).toEqual([
    { body: 'ownersCommittee', vendor: 'dingtalk', url: DINGTALK, secret: DING_SECRET },
    { body: 'staff', vendor: 'wecom', url: WECOM },
  ]);
});

it('when a masked URL does not match the stored robot, it is refused with 422 naming the field', async () => {
  const { patch } = await setup();
  const res = await patch({
    robots: [
      {
        body: 'staff',
        vendor: 'wecom',
        url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****abcd',
      },
    ],
  });
  expect(res.status).toBe(422);
  expect(res.body.error.details.field).toBe('body.robots.0.url');
});

it.each([
  [
    'an http URL',
    { body: 'staff', vendor: 'wecom', url: WECOM.replace('https:', 'http:') },
    'body.robots.0.url',
    /https/,
  ],
  [
    'a foreign host',
    {
      body: 'staff',
      vendor: 'dingtalk',
      url: 'https://robots.example.com/robot/send?access_token=abcdefgh12',
    },
    'body.robots.0.url',
    /oapi\.dingtalk\.com/,
  ],
  [
    'a WeCom URL given as Feishu',
    { body: 'staff', vendor: 'feishu', url: WECOM },
    'body.robots.0.url',
    /open\.feishu\.cn/,
  ],
  [
    'a secret on WeCom',
    { body: 'staff', vendor: 'wecom', url: WECOM, secret: 'x' },
    'body.robots.0.secret',
    /没有签名密钥/,
  ],
  ['an unknown vendor', { body: 'staff', vendor: 'slack', url: WECOM }, 'body.robots.0.vendor', /./],
  ['an unknown body', { body: 'resident', vendor: 'wecom', url: WECOM }, 'body.robots.0.body', /./],
])(
  'when a robot has %s, it answers 400 or 422 naming the field and stores nothing',
  async (what, robot, field, message) => {
    const { c, patch } = await setup();
    const res = await patch({ robots: [robot] });
    // An unknown vendor or body is outside the document's enums; a URL or secret the vendor refuses is a rule.
    expect(res.status).toBe(what.startsWith('an unknown') ? 400 : 422);
    expect(res.body.error.details.field).toBe(field);
    expect(res.body.error.details.fields[0].message).toMatch(message);
    const stored = await Compound.findById(c).lean().orFail();
    expect((stored.settings as { robots?: unknown }).robots).toBeUndefined();
  },
);

it('when two robots are set for one body on one vendor, the second is refused naming it', async () => {
  const { patch } = await setup();
  const res = await patch({
    robots: [
      { body: 'staff', vendor: 'wecom', url: WECOM },
      { body: 'staff', vendor: 'wecom', url: WECOM.replace('abcd', 'ef01') },
    ],
  });
  expect(res.status).toBe(422);
  expect(res.body.error.details.field).toBe('body.robots.1.vendor');
});

it('when more robots are given than bodies × vendors, it is refused', async () => {
  const { patch } = await setup();
  const res = await patch({
    robots: Array.from({ length: 16 }, () => ({ body: 'staff', vendor: 'wecom', url: WECOM })),
  });
  expect(res.status).toBe(400);
  expect(res.body.error.details.field).toBe('body.robots');
});

it('when robots are set, the other settings stay as they were; when other settings change, the robots stay', async () => {
  const { c, patch, read } = await setup();
  expect((await patch({ meetings: { quorumFraction: 0.75 } })).status).toBe(200);
  expect((await patch({ robots: [{ body: 'staff', vendor: 'wecom', url: WECOM }] })).status).toBe(200);
  expect((await patch({ privacy: { staffSeeAnonymousAuthors: true } })).status).toBe(200);
  const shown = await read();
  expect(shown.body.settings.meetings.quorumFraction).toBe(0.75);
  expect(shown.body.settings.privacy.staffSeeAnonymousAuthors).toBe(true);
  expect(shown.body.settings.robots).toHaveLength(1);
  const stored = await Compound.findById(c).lean().orFail();
  expect((stored.settings as { robots: { url: string }[] }).robots[0]!.url).toBe(WECOM);
});

it('when a resident sets robots, it is refused 403', async () => {
  const { patch, resident } = await setup();
  expect((await patch({ robots: [] }, resident)).status).toBe(403);
});
