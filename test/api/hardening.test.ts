/**
 * The defences a stranger meets first, on the real stack: rate limits (with the app's limits on, as in
 * production), security headers, refusal of what a route does not declare, the API document covering every
 * route, and the echo wall's summary cache.
 */
import request from 'supertest';
import { createApp, routeTable } from '../../api/app';
import { ttlCache } from '../../api/ttl-cache';
import { Voice } from '../../models/voice';
import { makeCompound, makeUser, PASSWORD } from '../helpers/fixtures';
import { createTemporalHandle } from '../../services/temporal-client';
import { JWT_SECRET, eventually, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
let limited: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await startStack();
  // The production default: every limit on.
  limited = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal: stack.temporal,
    rateLimits: true,
  });
});
afterAll(() => stack.stop());

describe('rate limits', () => {
  it('when one user name is tried over and over, login answers 429 with Retry-After, while another name may still try', async () => {
    const c = await makeCompound();
    const target = await makeUser(c, ['resident']);
    const other = await makeUser(c, ['resident']);
    const statuses: number[] = [];
    let refused: request.Response | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await request(limited)
        .post('/api/v1/auth/login')
        .send({ username: target.username, password: 'wrong-password' });
      statuses.push(res.status);
      if (res.status === 429) refused ??= res;
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(refused!.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused!.body.error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('秒'),
    });
    // Even the right password waits: the lockout is per name, not a guessing oracle.
    const right = await request(limited)
      .post('/api/v1/auth/login')
      .send({ username: target.username, password: PASSWORD });
    expect(right.status).toBe(429);
    const neighbour = await request(limited)
      .post('/api/v1/auth/login')
      .send({ username: other.username, password: PASSWORD });
    expect(neighbour.status).toBe(200);
  });

  it('when a resident submits voices faster than the intake limit, the excess answers 429 and is not stored', async () => {
    const c = await makeCompound();
    const resident = await makeUser(c, ['resident']);
    const auth = await stack.login(resident);
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_v, i) =>
        request(limited)
          .post(`/api/v1/compounds/${c}/voices`)
          .set('Authorization', auth)
          .send({ kind: 'complaint', text: `楼道灯坏了 ${i}`, idempotencyKey: `limit-${c}-${i}` }),
      ),
    );
    const accepted = answers.filter((a) => a.status === 202).length;
    const limitedOut = answers.filter((a) => a.status === 429);
    expect(accepted + limitedOut.length).toBe(24);
    expect(accepted).toBe(20);
    expect(Number(limitedOut[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(await Voice.countDocuments({ compoundId: c })).toBe(20);
  });
});

describe('what a route does not declare', () => {
  it('when a query parameter is not one the route declares, it answers 400 naming it', async () => {
    const c = await makeCompound();
    const auth = await stack.login(await makeUser(c, ['staff']));
    const res = await request(stack.app).get(`/api/v1/compounds/${c}?debug=1`).set('Authorization', auth);
    expect(res.status).toBe(400);
    expect(res.body.error.details.field).toBe('query');
    expect(JSON.stringify(res.body.error.details.fields)).toContain('debug');
    const list = await request(stack.app)
      .get(`/api/v1/compounds/${c}/voices?page=1&sort=$where`)
      .set('Authorization', auth);
    expect(list.status).toBe(400);
  });

  it('when a known path is called with a method it does not take, it answers 405 with Allow', async () => {
    const c = await makeCompound();
    const res = await request(stack.app).delete(`/api/v1/compounds/${c}/voices`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toContain('POST');
    expect(res.body.error.code).toBeDefined();
  });

  it('when staff enter a voice on behalf of a user who is not a resident of that compound, it answers 422 and stores nothing', async () => {
    const c = await makeCompound();
    const elsewhere = await makeUser(await makeCompound(), ['resident']);
    const staff = await stack.login(await makeUser(c, ['staff']));
    const res = await request(stack.app)
      .post(`/api/v1/compounds/${c}/voices`)
      .set('Authorization', staff)
      .send({
        kind: 'appeal',
        channel: 'appealHotline',
        text: '消防通道被占用',
        onBehalfOf: { userId: elsewhere.id, name: '赵大妈' },
      });
    expect(res.status).toBe(422);
    expect(res.body.error.details.field).toBe('body.onBehalfOf.userId');
    expect(await Voice.countDocuments({ compoundId: c })).toBe(0);
  });
});

describe('when Temporal cannot be reached', () => {
  it('an action on a voice answers 503 with Retry-After, not 500, and the voice is unchanged', async () => {
    const c = await makeCompound();
    const resident = await stack.login(await makeUser(c, ['resident']));
    const staff = await stack.login(await makeUser(c, ['staff']));
    const sent = await request(stack.app)
      .post(`/api/v1/compounds/${c}/voices`)
      .set('Authorization', resident)
      .send({ kind: 'complaint', text: '楼道灯坏了', idempotencyKey: `down-${c}` });
    expect(sent.status).toBe(202);
    const id = sent.body.voice.id as string;
    await eventually(
      () => Voice.findById(id).lean(),
      (v) => v?.status === 'assigned',
    );
    const down = createTemporalHandle({ address: '127.0.0.1:1', namespace: 'default', taskQueue: 'none' });
    const cut = createApp({ config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 }, temporal: down });
    const res = await request(cut)
      .post(`/api/v1/compounds/${c}/voices/${id}/accept`)
      .set('Authorization', staff)
      .send({});
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('unavailable');
    const after = await Voice.findById(id).lean();
    expect(after?.status).toBe('assigned');
    await down.close();
  });
});

describe('headers', () => {
  it('when anything is answered, it is never sniffed or framed; an answer behind a sign-in is never cached', async () => {
    const c = await makeCompound({ echoWallPublic: true });
    const pub = await request(stack.app).get(`/api/v1/compounds/${c}/echo-wall`);
    expect(pub.status).toBe(200);
    expect(pub.headers['x-content-type-options']).toBe('nosniff');
    expect(pub.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(pub.headers['content-security-policy']).toContain("default-src 'none'");
    expect(pub.headers['x-powered-by']).toBeUndefined();
    const auth = await stack.login(await makeUser(c, ['resident']));
    const mine = await request(stack.app).get(`/api/v1/compounds/${c}/voices`).set('Authorization', auth);
    expect(mine.status).toBe(200);
    expect(mine.headers['cache-control']).toContain('no-store');
  });
});

describe('the API document', () => {
  it('when the document is read, it names every route of the table with its method, and Swagger UI serves it without a CDN', async () => {
    const doc = (await request(stack.app).get('/api/v1/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.components.securitySchemes.bearer).toBeDefined();
    const routes = routeTable({
      config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
      temporal: stack.temporal,
    });
    const missing = routes
      .map((r) => ({ method: r.method, path: r.path.replace(/:(\w+)/g, '{$1}') }))
      .filter((r) => !doc.paths[r.path]?.[r.method]);
    expect(missing).toEqual([]);
    const ui = await request(stack.app).get('/api/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    expect(ui.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });
});

describe('the echo wall summary cache', () => {
  it('when the same key is read within its time, it is computed once; concurrent readers share it; after it, anew', async () => {
    let t = 0;
    let computed = 0;
    const cache = ttlCache<number>({ ttlMs: 1000, maxEntries: 2, now: () => t });
    const compute = async () => ++computed;
    expect(await Promise.all([cache.get('a', compute), cache.get('a', compute)])).toEqual([1, 1]);
    t = 999;
    expect(await cache.get('a', compute)).toBe(1);
    t = 1000;
    expect(await cache.get('a', compute)).toBe(2);
    await cache.get('b', compute);
    await cache.get('c', compute);
    expect(cache.size).toBe(2);
  });

  it('when a computation fails, the failure is not kept', async () => {
    const cache = ttlCache<number>({ ttlMs: 60_000, maxEntries: 10 });
    await expect(cache.get('x', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    await new Promise((r) => setImmediate(r));
    expect(await cache.get('x', async () => 7)).toBe(7);
  });
});
