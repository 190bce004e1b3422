/**
 * The notifier on the real database: the inbox copy is always written, each outside channel is
 * delivered once per notification key, and a failed channel is retried without repeating the others.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createNotifier,
  logChannel,
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
      received.push({ body: JSON.parse(data), key: req.headers['idempotency-key'] as string | undefined });
      res.writeHead(200).end('{}');
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
