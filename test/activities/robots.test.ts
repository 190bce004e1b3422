/**
 * The offices' group robots on the real database, against a local HTTP server standing in for WeCom,
 * DingTalk and Feishu (it checks signatures as they do). The URL policy is the one injected part: the
 * stand-in is http://127.0.0.1, which production's policy (test/domain/robots.test.ts) refuses.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNotifier, webhookChannel, type NotificationInput } from '../../activities/notifications';
import { flushRobotDigests, robotChannels, type RobotDeps } from '../../activities/robots';
import { TRUNCATED_MARK, utf8Bytes, type RobotSetting } from '../../domain/robots';
import { Compound } from '../../models/compound';
import { Notification } from '../../models/notification';
import { RobotDigest } from '../../models/robot-send';
import { connectTestDb } from '../helpers/db';
import { makeCompound } from '../helpers/fixtures';

interface Received {
  vendor: 'wecom' | 'dingtalk' | 'feishu' | 'other';
  token: string;
  body: Record<string, unknown>;
  query: URLSearchParams;
  /** The stand-in's own check of the signature, when the robot has a secret. */
  signOk?: boolean;
  /** Answered with a canned answer (e.g. a refusal), not accepted. */
  canned?: boolean;
}

let db: Awaited<ReturnType<typeof connectTestDb>>;
let server: Server;
let base: string;
let received: Received[] = [];
/** The secrets the stand-in robots were set up with (token → secret), as the vendor knows them. */
const secrets = new Map<string, string>();
/** The next answers of a robot (token → bodies), e.g. a refusal with HTTP 200. */
const answers = new Map<string, { status: number; body: string; headers?: Record<string, string> }[]>();

function dingtalkSignOk(query: URLSearchParams, secret: string): boolean {
  const timestamp = query.get('timestamp') ?? '';
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return query.get('sign') === expected;
}
function feishuSignOk(body: Record<string, unknown>, secret: string): boolean {
  const timestamp = String(body.timestamp ?? '');
  const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return body.sign === expected && /^\d{10}$/.test(timestamp);
}

beforeAll(async () => {
  db = await connectTestDb();
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const vendor = url.pathname.startsWith('/cgi-bin/webhook/send')
        ? 'wecom'
        : url.pathname === '/robot/send'
          ? 'dingtalk'
          : url.pathname.startsWith('/open-apis/bot/v2/hook/')
            ? 'feishu'
            : 'other';
      const token =
        vendor === 'wecom'
          ? (url.searchParams.get('key') ?? '')
          : vendor === 'dingtalk'
            ? (url.searchParams.get('access_token') ?? '')
            : url.pathname.split('/').pop()!;
      const next = answers.get(token)?.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body);
        if (next.status < 300)
          received.push({ vendor, token, body: JSON.parse(data), query: url.searchParams, canned: true });
        return;
      }
      const body = JSON.parse(data) as Record<string, unknown>;
      const secret = secrets.get(token);
      const signOk =
        secret === undefined
          ? undefined
          : vendor === 'dingtalk'
            ? dingtalkSignOk(url.searchParams, secret)
            : feishuSignOk(body, secret);
      received.push({ vendor, token, body, query: url.searchParams, signOk });
      if (signOk === false) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            vendor === 'dingtalk'
              ? '{"errcode":310000,"errmsg":"sign not match"}'
              : '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}',
          );
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(vendor === 'feishu' ? '{"code":0,"msg":"success","data":{}}' : '{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.drop();
});
beforeEach(() => {
  received = [];
});

let seq = 0;
const token = (label: string) => `${label}${(++seq).toString().padStart(4, '0')}${Date.now().toString(36)}`;
const robotUrl = (vendor: RobotSetting['vendor'], tok: string) =>
  vendor === 'wecom'
    ? `${base}/cgi-bin/webhook/send?key=${tok}`
    : vendor === 'dingtalk'
      ? `${base}/robot/send?access_token=${tok}`
      : `${base}/open-apis/bot/v2/hook/${tok}`;

/** A compound of its own whose robots are the stand-in's. */
async function compoundWith(robots: RobotSetting[]): Promise<string> {
  const id = await makeCompound();
  await Compound.updateOne({ _id: id }, { $set: { 'settings.robots': robots } });
  return id;
}

const testPolicy = (r: RobotSetting) => (r.url.startsWith(`${base}/`) ? undefined : 'not the stand-in');
function notifierAt(now: Date, extra: Partial<RobotDeps> = {}) {
  const deps: RobotDeps = { urlProblem: testPolicy, clock: () => now, warn: () => undefined, ...extra };
  return { deps, notifier: createNotifier({ channels: [], route: robotChannels(deps) }) };
}

let nkey = 0;
const note = (compoundId: string, over: Partial<NotificationInput> = {}): NotificationInput => ({
  key: `robot-n-${++nkey}-${Date.now()}`,
  compoundId,
  to: { role: 'ownersCommittee' },
  title: '居民反映逾期升级，请督办',
  body: '3号楼门口的垃圾三天没人清运，请于明天前接单。',
  ...over,
});
const deliveredOf = async (key: string) =>
  Object.keys(((await Notification.findById(key).lean())?.delivered as object | undefined) ?? {}).sort();

it("when a notification is addressed to a body with three robots, each gets its vendor's format and each delivery is recorded", async () => {
  const [w, d, f] = [token('w'), token('d'), token('f')];
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) },
    { body: 'ownersCommittee', vendor: 'dingtalk', url: robotUrl('dingtalk', d) },
    { body: 'ownersCommittee', vendor: 'feishu', url: robotUrl('feishu', f) },
    { body: 'partyBranch', vendor: 'wecom', url: robotUrl('wecom', token('other')) },
  ]);
  const { notifier } = notifierAt(new Date());
  const n = note(c);
  await notifier.send(n);

  const text = `${n.title}\n${n.body}`;
  expect(received.find((r) => r.token === w)?.body).toEqual({ msgtype: 'text', text: { content: text } });
  expect(received.find((r) => r.token === d)?.body).toEqual({ msgtype: 'text', text: { content: text } });
  expect(received.find((r) => r.token === f)?.body).toEqual({ msg_type: 'text', content: { text } });
  expect(received).toHaveLength(3); // not the party branch's robot
  expect(await deliveredOf(n.key)).toEqual([
    'robot:ownersCommittee:dingtalk',
    'robot:ownersCommittee:feishu',
    'robot:ownersCommittee:wecom',
  ]);
});

it('when a notification is addressed to one user, or the compound set no robot for the body, no robot is posted to', async () => {
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', token('w')) },
  ]);
  const { notifier } = notifierAt(new Date());
  await notifier.send(note(c, { to: { userId: 'u1' } }));
  await notifier.send(note(c, { to: { role: 'supervisoryBoard' } }));
  await notifier.send(note(c, { to: { role: 'resident' } }));
  expect(received).toHaveLength(0);
});

it('when a robot URL stored in the database is not allowed by the policy, it is skipped and the rest still go', async () => {
  const ok = token('w');
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', ok) },
    {
      body: 'ownersCommittee',
      vendor: 'dingtalk',
      url: 'http://169.254.169.254/robot/send?access_token=abcdefgh',
    },
  ]);
  const { notifier } = notifierAt(new Date());
  const n = note(c);
  await notifier.send(n);
  expect(received.map((r) => r.token)).toEqual([ok]);
  expect(await deliveredOf(n.key)).toEqual(['robot:ownersCommittee:wecom']);
});

it('when a notification is longer than WeCom takes, the robot gets 2048 bytes of it, cut on a character and marked', async () => {
  const w = token('w');
  const c = await compoundWith([{ body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) }]);
  const { notifier } = notifierAt(new Date());
  await notifier.send(note(c, { body: '楼道里堆满杂物，消防通道被占。'.repeat(100) }));
  const content = (received[0]?.body.text as { content: string }).content;
  expect(utf8Bytes(content)).toBeLessThanOrEqual(2048);
  expect(content.endsWith(TRUNCATED_MARK)).toBe(true);
  expect(content).not.toContain('\uFFFD');
});

it('when a DingTalk robot has a secret, the URL carries a timestamp and a sign the stand-in verifies', async () => {
  const d = token('d');
  secrets.set(d, 'SECdingtalk-test-secret-0001');
  const c = await compoundWith([
    {
      body: 'ownersCommittee',
      vendor: 'dingtalk',
      url: robotUrl('dingtalk', d),
      secret: 'SECdingtalk-test-secret-0001',
    },
  ]);
  const now = new Date();
  const { notifier } = notifierAt(now);
  const n = note(c);
  await notifier.send(n);
  expect(received[0]?.signOk).toBe(true);
  expect(received[0]?.query.get('timestamp')).toBe(String(now.getTime()));
  expect(await deliveredOf(n.key)).toEqual(['robot:ownersCommittee:dingtalk']);
});

it('when a DingTalk secret is wrong, the robot answers 310000 and the notification is not delivered', async () => {
  const d = token('d');
  secrets.set(d, 'SECthe-right-one');
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'dingtalk', url: robotUrl('dingtalk', d), secret: 'SECa-wrong-one' },
  ]);
  const { notifier } = notifierAt(new Date());
  const n = note(c);
  await expect(notifier.send(n)).rejects.toThrow(/310000/);
  expect(received[0]?.signOk).toBe(false);
  expect(await deliveredOf(n.key)).toEqual([]);
});

it('when a Feishu robot has a secret, the body carries a timestamp in seconds and a sign the stand-in verifies', async () => {
  const f = token('f');
  secrets.set(f, 'feishu-test-secret');
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'feishu', url: robotUrl('feishu', f), secret: 'feishu-test-secret' },
  ]);
  const { notifier } = notifierAt(new Date());
  await notifier.send(note(c));
  expect(received[0]?.signOk).toBe(true);
  expect(received[0]?.body).toMatchObject({
    msg_type: 'text',
    content: { text: expect.stringContaining('督办') },
  });
});

it('when a robot answers 200 with errcode ≠ 0, the send fails, nothing is recorded, and a retry delivers it once', async () => {
  const w = token('w');
  const c = await compoundWith([{ body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) }]);
  answers.set(w, [{ status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' }]);
  const { notifier } = notifierAt(new Date());
  const n = note(c);
  await expect(notifier.send(n)).rejects.toThrow(/93000/);
  expect(await deliveredOf(n.key)).toEqual([]);
  received = [];
  await notifier.send(n);
  await notifier.send(n);
  expect(received).toHaveLength(1);
  expect(await deliveredOf(n.key)).toEqual(['robot:ownersCommittee:wecom']);
});

it('when DingTalk or WeCom answers with its rate-limit errcode, the send fails as rate limited (限流) and is not delivered', async () => {
  const [w, d] = [token('w'), token('d')];
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) },
    { body: 'partyBranch', vendor: 'dingtalk', url: robotUrl('dingtalk', d) },
  ]);
  answers.set(w, [{ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }]);
  answers.set(d, [
    { status: 200, body: '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}' },
  ]);
  const { notifier } = notifierAt(new Date());
  const a = note(c);
  const b = note(c, { to: { role: 'partyBranch' } });
  await expect(notifier.send(a)).rejects.toThrow(/限流.*45009/);
  await expect(notifier.send(b)).rejects.toThrow(/限流.*130101/);
  expect(await deliveredOf(a.key)).toEqual([]);
  expect(await deliveredOf(b.key)).toEqual([]);
});

it('when a robot answers 302, the redirect is not followed and the delivery fails; HTTP 500 fails too', async () => {
  const [w, other, f] = [token('w'), token('elsewhere'), token('f')];
  const c = await compoundWith([
    { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) },
    { body: 'partyBranch', vendor: 'feishu', url: robotUrl('feishu', f) },
  ]);
  answers.set(w, [{ status: 302, body: '', headers: { location: robotUrl('wecom', other) } }]);
  answers.set(f, [{ status: 500, body: '{}' }]);
  const { notifier } = notifierAt(new Date());
  const n = note(c);
  await expect(notifier.send(n)).rejects.toThrow(/redirected \(HTTP 302\)/);
  await expect(notifier.send(note(c, { to: { role: 'partyBranch' } }))).rejects.toThrow(/HTTP 500/);
  expect(received).toHaveLength(0); // nothing reached the redirect's target
  expect(await deliveredOf(n.key)).toEqual([]);
});

it('when the global webhook and a robot both take a notification, each receives it once', async () => {
  const w = token('w');
  const hook = token('hook');
  const c = await compoundWith([{ body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', w) }]);
  const deps: RobotDeps = { urlProblem: testPolicy, warn: () => undefined };
  const notifier = createNotifier({
    channels: [webhookChannel(robotUrl('wecom', hook))],
    route: robotChannels(deps),
  });
  const n = note(c);
  await notifier.send(n);
  await notifier.send(n);
  expect(received.filter((r) => r.token === hook)).toHaveLength(1);
  expect(received.filter((r) => r.token === w)).toHaveLength(1);
  expect(await deliveredOf(n.key)).toEqual(['robot:ownersCommittee:wecom', 'webhook']);
});

describe('a flood to one body', () => {
  it('when 30 notifications reach a WeCom robot in one minute, 20 go alone and one digest after the minute names the other 10', async () => {
    const w = token('w');
    const c = await compoundWith([
      { body: 'selfManagementCommittee', vendor: 'wecom', url: robotUrl('wecom', w) },
    ]);
    const t = new Date('2031-03-04T05:06:05.000Z');
    const { notifier, deps } = notifierAt(t);
    const notes = Array.from({ length: 30 }, (_, i) =>
      note(c, { to: { role: 'selfManagementCommittee' }, title: `楼道堆物第${i + 1}号` }),
    );
    await Promise.all(notes.map((n) => notifier.send(n)));

    expect(received).toHaveLength(20);
    const alone = new Set(received.map((r) => (r.body.text as { content: string }).content.split('\n')[0]));
    const held = notes.map((n) => n.title).filter((title) => !alone.has(title));
    expect(held).toHaveLength(10);
    for (const n of notes) expect(await deliveredOf(n.key)).toEqual(['robot:selfManagementCommittee:wecom']);

    // Within the minute nothing more goes; once 60 s have passed since the sends, the digest goes once.
    expect(await flushRobotDigests(new Date(t.getTime() + 30_000), deps)).toBe(0);
    expect(await flushRobotDigests(new Date(t.getTime() + 61_000), deps)).toBe(1);
    expect(await flushRobotDigests(new Date(t.getTime() + 62_000), deps)).toBe(0);
    expect(received).toHaveLength(21);
    const digest = (received[20]!.body.text as { content: string }).content;
    expect(digest).toMatch(/^【汇总】过去一分钟另有 10 条通知/);
    for (const title of held) expect(digest).toContain(title);
    for (const title of alone) expect(digest).not.toContain(`${title}\n`);
    expect(await RobotDigest.countDocuments({ compoundId: c })).toBe(0);
  });

  it('when the same held-back notification is sent again, it is in the digest once', async () => {
    const d = token('d');
    const c = await compoundWith([{ body: 'staff', vendor: 'dingtalk', url: robotUrl('dingtalk', d) }]);
    const t = new Date('2031-03-04T07:00:10.000Z');
    const { notifier, deps } = notifierAt(t);
    for (let i = 0; i < 20; i++)
      await notifier.send(note(c, { to: { role: 'staff' }, title: `第${i + 1}条` }));
    const extra = note(c, { to: { role: 'staff' }, title: '多出的一条' });
    await notifier.send(extra);
    await Notification.updateOne({ _id: extra.key }, { $unset: { delivered: 1 } }); // as if its record was lost
    await notifier.send(extra);
    expect(received).toHaveLength(20);
    await flushRobotDigests(new Date(t.getTime() + 61_000), deps);
    const digest = (received[20]!.body.text as { content: string }).content;
    expect(digest).toMatch(/另有 1 条通知/);
    expect(digest.split('多出的一条')).toHaveLength(2);
  });

  it('when two flushes race for the same due digest, it is sent once', async () => {
    const f = token('f');
    const c = await compoundWith([{ body: 'partyBranch', vendor: 'wecom', url: robotUrl('wecom', f) }]);
    const t = new Date('2031-03-04T09:00:00.000Z');
    const { notifier, deps } = notifierAt(t);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        notifier.send(note(c, { to: { role: 'partyBranch' }, title: `通知${i}` })),
      ),
    );
    expect(received).toHaveLength(20);
    const later = new Date(t.getTime() + 61_000);
    const counts = await Promise.all([flushRobotDigests(later, deps), flushRobotDigests(later, deps)]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(received).toHaveLength(21);
    expect((received[20]!.body.text as { content: string }).content).toMatch(/另有 5 条通知/);
  });

  it('when a digest send fails, the claim is released and a later flush sends it once', async () => {
    const w = token('w');
    const c = await compoundWith([{ body: 'supervisoryBoard', vendor: 'wecom', url: robotUrl('wecom', w) }]);
    const t = new Date('2031-03-04T11:00:00.000Z');
    const { notifier, deps } = notifierAt(t);
    for (let i = 0; i < 21; i++)
      await notifier.send(note(c, { to: { role: 'supervisoryBoard' }, title: `通知${i}` }));
    answers.set(w, [{ status: 502, body: '' }]);
    const later = new Date(t.getTime() + 61_000);
    await expect(flushRobotDigests(later, deps)).rejects.toThrow(/HTTP 502/);
    expect(await flushRobotDigests(new Date(later.getTime() + 1_000), deps)).toBe(1);
    expect(received.filter((r) => JSON.stringify(r.body).includes('【汇总】'))).toHaveLength(1);
  });
  it("when one robot's digest fails, another robot's due digest still goes; one failing for an hour is dropped", async () => {
    const [bad, good] = [token('w'), token('w')];
    const c = await compoundWith([
      { body: 'ownersCommittee', vendor: 'wecom', url: robotUrl('wecom', bad) },
      { body: 'staff', vendor: 'wecom', url: robotUrl('wecom', good) },
    ]);
    const t = new Date('2031-03-04T13:00:00.000Z');
    const { notifier, deps } = notifierAt(t);
    for (let i = 0; i < 21; i++) {
      await notifier.send(note(c, { title: `甲${i}` }));
      await notifier.send(note(c, { to: { role: 'staff' }, title: `乙${i}` }));
    }
    answers.set(
      bad,
      Array.from({ length: 5 }, () => ({ status: 200, body: '{"errcode":93000,"errmsg":"invalid"}' })),
    );
    await expect(flushRobotDigests(new Date(t.getTime() + 61_000), deps)).rejects.toThrow(/93000/);
    const digests = received.filter((r) => !r.canned && JSON.stringify(r.body).includes('【汇总】'));
    expect(digests.map((r) => r.token)).toEqual([good]);

    expect(await flushRobotDigests(new Date(t.getTime() + 2 * 3600_000), deps)).toBe(0);
    expect(await RobotDigest.countDocuments({ compoundId: c })).toBe(0);
  });
});
