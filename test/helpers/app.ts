import request from 'supertest';
import { createApp } from '../../api/app';
import { createTemporalHandle, type TemporalHandle } from '../../services/temporal-client';
import { createActivities } from '../../activities';
import { createNotifier, type NotificationInput } from '../../activities/notifications';
import { connectTestDb } from './db';
import { startDevWorker, uniqueTaskQueue } from './temporal';
import { PASSWORD } from './fixtures';

export const JWT_SECRET = 'test-secret-0123456789abcdef';

/** The real stack for API tests: database, Temporal dev server, a worker with real activities, the app. */
export async function startStack() {
  const db = await connectTestDb();
  const sent: NotificationInput[] = [];
  const notifier = createNotifier({
    channels: [{ name: 'capture', deliver: async (n) => void sent.push(n) }],
  });
  const taskQueue = uniqueTaskQueue('api');
  const address = process.env.TEMPORAL_ADDRESS ?? '';
  const temporal: TemporalHandle = createTemporalHandle({ address, namespace: 'default', taskQueue });
  const worker = await startDevWorker(
    createActivities({ notifier, temporal: () => temporal.client() }),
    taskQueue,
  );
  // Registration codes as an SMS gateway would get them (a deployment with SMS configured).
  const codes: { phone: string; code: string }[] = [];
  const app = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal,
    rateLimits: false,
    oneTimeCodes: { send: async (phone, code) => void codes.push({ phone, code }) },
  });
  return {
    app,
    db,
    sent,
    codes,
    temporal,
    worker,
    async login(user: { username: string }) {
      const res = await request(app)
        .post('/api/v1/auth/login')
        .send({ username: user.username, password: PASSWORD });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return `Bearer ${res.body.token as string}`;
    },
    async stop() {
      await temporal.close();
      await worker.stop();
      await db.drop();
    },
  };
}

/** Polls until `check` passes or the time is up; for real-time waits on the dev server. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!check(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}
