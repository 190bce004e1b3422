/**
 * The notifier on the real database: the inbox copy is always written, each outside channel is
 * delivered once per notification key, and a failed channel is retried without repeating the others.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNotifier,
  logChannel,
  vendorRefusal,
  webhookChannel,
  type NotificationInput,
} from '../../activities/notifications';
import { Notification } from '../../models/notification';
import { connectTestDb } from '../helpers/db';

let db: Awaited<ReturnType<typeof connectTestDb>>;
let server: Server;
let url: string;
const received: { body: unknown; key: string | undefined }[] = [];
let failNext = 0;
/** The next answers' bodies, as a robot that refuses with HTTP 200 would send them. */
const refuseNext: string[] = [];

beforeAll(async () => {
  db = await connectTestDb();
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(502).end();
        return;
      }
      const refusal = refuseNext.shift();
      if (refusal) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(refusal);
        return;
      }
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/hook' }).end();
        return;
      }
      received.push({ body: JSON.parse(data), key: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(200).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await db.drop();
});

const note = (key: string): NotificationInput => ({
  key,
  compoundId: 'dongshunyuan',
  to: { role: 'ownersCommittee' },
  title: '居民反映逾期升级，请督办',
  body: '请于明天前接单。',
  voiceId: 'v1',
});

it('when the same notification is sent twice, the webhook receives it once and the inbox holds one copy', async () => {
  const lines: string[] = [];
  const notifier = createNotifier({ channels: [logChannel((l) => lines.push(l)), webhookChannel(url)] });
  await notifier.send(note('n-once'));
  await notifier.send(note('n-once'));
  expect(received.filter((r) => r.key === 'n-once')).toHaveLength(1);
  expect(received.find((r) => r.key === 'n-once')?.body).toMatchObject({
    msgtype: 'text',
    text: { content: expect.stringContaining('督办') },
  });
  expect(lines).toHaveLength(1);
  expect(await Notification.countDocuments({ key: 'n-once' })).toBe(1);
  const stored = await Notification.findById('n-once').lean().orFail();
  expect(Object.keys(stored.delivered as object).sort()).toEqual(['log', 'webhook']);
});

it('when the webhook fails, the inbox copy is kept, the send throws, and a retry delivers it without repeating the log', async () => {
  const lines: string[] = [];
  const notifier = createNotifier({ channels: [logChannel((l) => lines.push(l)), webhookChannel(url)] });
  failNext = 1;
  await expect(notifier.send(note('n-retry'))).rejects.toThrow(/HTTP 502/);
  expect(await Notification.countDocuments({ key: 'n-retry' })).toBe(1);
  expect(received.filter((r) => r.key === 'n-retry')).toHaveLength(0);

  await notifier.send(note('n-retry'));
  expect(received.filter((r) => r.key === 'n-retry')).toHaveLength(1);
  expect(lines).toHaveLength(1);
});

it('when a WeCom or DingTalk robot answers 200 with errcode ≠ 0, the delivery failed and a retry sends it', async () => {
  const notifier = createNotifier({ channels: [webhookChannel(url)] });
  refuseNext.push('{"errcode":45009,"errmsg":"api freq out of limit"}');
  await expect(notifier.send(note('n-refused'))).rejects.toThrow(/45009/);
  const kept = await Notification.findById('n-refused').lean().orFail();
  expect(Object.keys((kept.delivered as object | undefined) ?? {})).toEqual([]);
  await notifier.send(note('n-refused'));
  expect(received.filter((r) => r.key === 'n-refused')).toHaveLength(1);
  expect(Object.keys((await Notification.findById('n-refused').lean().orFail()).delivered as object)).toEqual(
    ['webhook'],
  );
});

it('when the robot URL redirects, the message is not followed there and the delivery fails', async () => {
  const notifier = createNotifier({ channels: [webhookChannel(url.replace('/hook', '/moved'))] });
  await expect(notifier.send(note('n-moved'))).rejects.toThrow(/redirected/);
  expect(received.filter((r) => r.key === 'n-moved')).toHaveLength(0);
});

it("reads each vendor's refusal: WeCom/DingTalk errcode, Feishu code; success and plain bodies pass", () => {
  expect(vendorRefusal('{"errcode":0,"errmsg":"ok"}')).toBeUndefined();
  expect(vendorRefusal('{"code":0,"msg":"success"}')).toBeUndefined();
  expect(vendorRefusal('ok')).toBeUndefined();
  expect(vendorRefusal('{"errcode":310000,"errmsg":"sign not match"}')).toMatch(/310000.*sign not match/);
  expect(vendorRefusal('{"code":19021,"msg":"sign match fail"}')).toMatch(/19021/);
});
