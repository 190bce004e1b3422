/**
 * The voice API against the real stack: FerretDB/MongoDB, the Temporal dev server, a worker with the
 * real activities. Deadlines are set to seconds in the compound's settings so escalation happens live.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createTemporalHandle } from '../../services/temporal-client';
import { sweepVoiceStarts } from '../../services/voice-drift';
import { DEFAULT_VOICE_SETTINGS } from '../../domain/voices';
import { Voice } from '../../models/voice';
import { Notification } from '../../models/notification';
import { createApp } from '../../api/app';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { eventually, JWT_SECRET, startStack } from '../helpers/app';
import { monthKey } from '../../domain/calendar';
import { compoundScope, computeRates, recountRates } from '../../services/rates';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function compoundWithPeople(voices = DEFAULT_VOICE_SETTINGS) {
  const compoundId = await makeCompound({ voices });
  const resident = await makeUser(compoundId, ['resident'], '王小明');
  const smc = await makeUser(compoundId, ['selfManagementCommittee'], '张师傅');
  const staff = await makeUser(compoundId, ['staff'], '李干事');
  return {
    compoundId,
    resident: { ...resident, auth: await stack.login(resident) },
    smc: { ...smc, auth: await stack.login(smc) },
    staff: { ...staff, auth: await stack.login(staff) },
  };
}

const api = () => request(stack.app);

describe('signing in', () => {
  it('when the password is wrong, login is refused with 401 and no token', async () => {
    const c = await makeCompound();
    const u = await makeUser(c, ['resident']);
    const res = await api().post('/api/v1/auth/login').send({ username: u.username, password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body.token).toBeUndefined();
    expect(res.body.error.message).toBe('用户名或密码错误');
  });

  it('when a token signed with the key has no expiry or a subject that is not a plain id, it answers 401', async () => {
    const c = await makeCompound();
    const u = await makeUser(c, ['staff']);
    const sign = (payload: object, opts: jwt.SignOptions = {}) =>
      `Bearer ${jwt.sign(payload, JWT_SECRET, { algorithm: 'HS256', ...opts })}`;
    const path = `/api/v1/compounds/${c}/voices`;
    // The same user, the same key: accepted with an expiry, refused without one.
    expect(
      (
        await api()
          .get(path)
          .set('Authorization', sign({}, { subject: u.id, expiresIn: 60 }))
      ).status,
    ).toBe(200);
    expect(
      (
        await api()
          .get(path)
          .set('Authorization', sign({ sub: u.id }))
      ).status,
    ).toBe(401);
    const injected = sign({ sub: { $ne: null }, exp: Math.floor(Date.now() / 1000) + 60 });
    const res = await api().get(path).set('Authorization', injected);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('when the token is forged, every protected route answers 401', async () => {
    const c = await makeCompound();
    const res = await api().get(`/api/v1/compounds/${c}/voices`).set('Authorization', 'Bearer abc.def.ghi');
    expect(res.status).toBe(401);
  });
});

describe('submitting a voice', () => {
  it('when a resident submits a complaint, it is stored, classified, assigned and listed', async () => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '2号楼门口的垃圾三天没人清运了', buildingId: 'b2' });
    expect(res.status).toBe(202);
    expect(res.body.voice).toMatchObject({ category: 'sanitation', assignee: 'selfManagementCommittee' });

    const voice = await eventually(
      () =>
        api()
          .get(`/api/v1/compounds/${p.compoundId}/voices/${res.body.voice.id}`)
          .set('Authorization', p.resident.auth),
      (r) => r.body.status === 'assigned',
    );
    expect(voice.body.acknowledgeBy).toBeDefined();
    const list = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices?status=assigned`)
      .set('Authorization', p.smc.auth);
    expect(list.body.items.map((v: { id: string }) => v.id)).toContain(res.body.voice.id);
  });

  it('when the same submission is retried with its idempotency key, no second voice is created', async () => {
    const p = await compoundWithPeople();
    const body = { kind: 'appeal', text: '希望增设电动车充电桩', idempotencyKey: 'retry-key-0001' };
    const first = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send(body);
    const again = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send(body);
    expect(first.status).toBe(202);
    expect(again.status).toBe(200);
    expect(again.body.voice.id).toBe(first.body.voice.id);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(1);

    const changed = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ ...body, text: '另一件事' });
    expect(changed.status).toBe(409);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(1);
  });

  it.each([
    [{ kind: 'rumour', text: '内容正常' }, 'body.kind'],
    [{ kind: 'complaint' }, 'body.text'],
    [{ kind: 'complaint', text: '好' }, 'body.text'],
    [{ kind: 'complaint', text: '内容正常', channel: 'telegram' }, 'body.channel'],
    [{ kind: 'complaint', text: '内容正常', contact: { phone: 'call me' } }, 'body.contact.phone'],
    [{ kind: 'complaint', text: '内容正常', extra: 1 }, 'body'],
  ])('when the body is %j, it answers 400 naming %s and stores nothing', async (body, field) => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when the building is not in the compound, it answers 422 naming the field and stores nothing', async () => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '楼道灯坏了', buildingId: 'b99' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.field).toBe('body.buildingId');
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when the body is not JSON, it answers 400 with a JSON error', async () => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .set('Content-Type', 'application/json')
      .send('{"kind": ');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('请求体不是有效的 JSON');
  });

  it('when the Idempotency-Key header is empty or overlong, it answers 400 naming the header and stores nothing', async () => {
    const p = await compoundWithPeople();
    for (const key of ['', 'short', 'k'.repeat(101)]) {
      const res = await api()
        .post(`/api/v1/compounds/${p.compoundId}/voices`)
        .set('Authorization', p.resident.auth)
        .set('Idempotency-Key', key)
        .send({ kind: 'complaint', text: '楼道灯坏了' });
      expect(res.status).toBe(400);
      expect(res.body.error.details.field).toBe('Idempotency-Key');
    }
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when the body is in another charset or compressed unsupportedly, it answers 415, not 500', async () => {
    const p = await compoundWithPeople();
    const charset = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .set('Content-Type', 'application/json; charset=koi8-r')
      .send('{"kind":"complaint","text":"楼道灯坏了"}');
    expect(charset.status).toBe(415);
    expect(charset.body.error.code).toBe('invalid');
    const encoded = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'br-unknown')
      .send('{"kind":"complaint","text":"楼道灯坏了"}');
    expect(encoded.status).toBe(415);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when a path has broken percent-encoding, it answers 400 with a JSON error, even anonymously', async () => {
    const res = await api().get('/api/v1/compounds/%E0%A4%A/echo-wall');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid');
  });

  it('when staff enter a hotline call for a resident, the channel and the entering staff member are recorded', async () => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send({
        kind: 'appeal',
        channel: 'appealHotline',
        text: '小区消防通道被占用',
        onBehalfOf: { name: '赵大妈', phone: '13912345678' },
      });
    expect(res.status).toBe(202);
    const doc = await Voice.findById(res.body.voice.id).lean().orFail();
    expect(doc).toMatchObject({
      channel: 'appealHotline',
      enteredBy: p.staff.id,
      residentName: '赵大妈',
      category: 'fireSafety',
    });
  });

  it('when a resident tries to enter a voice for someone else, it is refused with 403', async () => {
    const p = await compoundWithPeople();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', channel: 'publicPhone', text: '垃圾没人收' });
    expect(res.status).toBe(403);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when Temporal is unreachable, the voice is still accepted (202) and its workflow starts later', async () => {
    const p = await compoundWithPeople();
    const down = createTemporalHandle({
      address: '127.0.0.1:1',
      namespace: 'default',
      taskQueue: stack.worker.taskQueue,
    });
    const app = createApp({
      config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
      temporal: down,
      rateLimits: false,
    });
    const res = await request(app)
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '电梯坏了一周没人修' });
    expect(res.status).toBe(202);
    expect((await Voice.findById(res.body.voice.id).lean().orFail()).status).toBe('received');

    expect((await sweepVoiceStarts(stack.temporal, { olderThanMs: 0 })).started).toBeGreaterThanOrEqual(1);
    await eventually(
      () => Voice.findById(res.body.voice.id).lean().orFail(),
      (v) => v.status === 'assigned',
    );
  });
});

describe('handling a voice over HTTP', () => {
  it('when a complaint is ignored past its deadlines, it escalates to the owners committee, then the party branch', async () => {
    // Deadlines of seconds: 0.001 h = 3.6 s.
    const fast = {
      ...DEFAULT_VOICE_SETTINGS,
      deadlines: {
        ...DEFAULT_VOICE_SETTINGS.deadlines,
        complaint: { acknowledgeHours: 0.001, resolveHours: 0.01 },
      },
      escalationStepHours: 0.001,
    };
    const p = await compoundWithPeople(fast);
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '垃圾站臭气熏天' });
    const escalated = await eventually(
      () =>
        api()
          .get(`/api/v1/compounds/${p.compoundId}/voices/${res.body.voice.id}`)
          .set('Authorization', p.staff.auth),
      (r) => r.body.escalationLevel === 2,
      30_000,
    );
    expect(escalated.body.responsible).toBe('partyBranch');
    expect(escalated.body.overdue).toBe(true);
    const steps = escalated.body.timeline.filter((e: { type: string }) => e.type === 'escalated');
    expect(steps).toHaveLength(2);
    const overdue = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices?overdue=true`)
      .set('Authorization', p.staff.auth);
    expect(overdue.body.items.map((v: { id: string }) => v.id)).toEqual([res.body.voice.id]);
    // Each step reached the inbox of the body it escalated to (the notice follows the step's record).
    const inbox = await eventually(
      () => Notification.find({ voiceId: res.body.voice.id }).lean(),
      (ns) => ns.some((n) => n.to?.role === 'partyBranch'),
    );
    expect(inbox.map((n) => n.to?.role)).toEqual(expect.arrayContaining(['ownersCommittee', 'partyBranch']));
  });

  it('when the assigned body accepts and resolves it and the resident is satisfied, it shows on the echo wall', async () => {
    const p = await compoundWithPeople();
    const submitted = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({
        kind: 'complaint',
        text: '楼下垃圾没人清，电话13812345678',
        contact: { phone: '13812345678' },
        anonymous: true,
      });
    const id = submitted.body.voice.id as string;
    const base = `/api/v1/compounds/${p.compoundId}/voices/${id}`;
    await eventually(
      () => api().get(base).set('Authorization', p.smc.auth),
      (r) => r.body.status === 'assigned',
    );

    const early = await api()
      .post(`${base}/feedback`)
      .set('Authorization', p.resident.auth)
      .send({ satisfied: true });
    expect(early.status).toBe(409);

    expect(
      (await api().post(`${base}/accept`).set('Authorization', p.smc.auth).send({ note: '马上处理' })).status,
    ).toBe(200);
    const again = await api().post(`${base}/accept`).set('Authorization', p.smc.auth).send({});
    expect(again.status).toBe(409);
    const resolved = await api()
      .post(`${base}/resolve`)
      .set('Authorization', p.smc.auth)
      .send({ result: '已清运并加派保洁' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
    const feedback = await api()
      .post(`${base}/feedback`)
      .set('Authorization', p.resident.auth)
      .send({ satisfied: true });
    expect(feedback.body.status).toBe('closed');

    const wall = await api().get(`/api/v1/compounds/${p.compoundId}/echo-wall`);
    expect(wall.status).toBe(200);
    const item = wall.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({
      raisedBy: '匿名居民',
      handledBy: '自管会',
      result: '已清运并加派保洁',
      satisfactionLabel: '满意',
    });
    expect(item.raised).toContain('138****5678');
    expect(JSON.stringify(wall.body)).not.toContain('13812345678');
    expect(JSON.stringify(wall.body)).not.toContain('王小明');

    // The rates' counters followed the voice through its workflow: answered, resolved, satisfied.
    const period = monthKey(new Date(), 'Asia/Shanghai');
    const rates = await eventually(
      () =>
        api()
          .get(`/api/v1/compounds/${p.compoundId}/rates?period=${period}`)
          .set('Authorization', p.staff.auth),
      (r) => r.body.overall?.satisfactionRate === 1,
    );
    expect(rates.body.overall).toMatchObject({
      voices: 1,
      responseRate: 1,
      resolutionRate: 1,
      satisfactionRate: 1,
    });
    expect(rates.body.byBody.selfManagementCommittee).toMatchObject({ voices: 1, resolutionRate: 1 });
    const scope = await compoundScope(p.compoundId);
    expect(JSON.parse(JSON.stringify(await computeRates(scope, period)))).toEqual(
      JSON.parse(JSON.stringify(await recountRates(scope, period))),
    );
  });

  it('when staff extend a deadline without a reason, it is refused with 400 and the deadline stays', async () => {
    const p = await compoundWithPeople();
    const s = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '绿化带杂物堆积' });
    const base = `/api/v1/compounds/${p.compoundId}/voices/${s.body.voice.id}`;
    const before = await eventually(
      () => api().get(base).set('Authorization', p.staff.auth),
      (r) => r.body.status === 'assigned',
    );
    const until = new Date(Date.now() + 5 * 86400_000).toISOString();
    const bad = await api()
      .post(`${base}/extend-deadline`)
      .set('Authorization', p.staff.auth)
      .send({ deadline: 'acknowledge', until });
    expect(bad.status).toBe(400);
    const ok = await api()
      .post(`${base}/extend-deadline`)
      .set('Authorization', p.staff.auth)
      .send({ deadline: 'acknowledge', until, reason: '负责人外出' });
    expect(ok.status).toBe(200);
    expect(Date.parse(ok.body.acknowledgeBy)).toBe(Date.parse(until));
    expect(Date.parse(ok.body.acknowledgeBy)).toBeGreaterThan(Date.parse(before.body.acknowledgeBy));
  });

  it('when a compound keeps its echo wall private, strangers get 401 and members can read it', async () => {
    const compoundId = await makeCompound({ echoWallPublic: false });
    const member = await makeUser(compoundId, ['resident']);
    expect((await api().get(`/api/v1/compounds/${compoundId}/echo-wall`)).status).toBe(401);
    const res = await api()
      .get(`/api/v1/compounds/${compoundId}/echo-wall`)
      .set('Authorization', await stack.login(member));
    expect(res.status).toBe(200);
  });

  it('when the echo wall is asked for an unknown compound or a bad page, it answers 404 / 400', async () => {
    expect((await api().get('/api/v1/compounds/nowhere/echo-wall')).status).toBe(404);
    const c = await makeCompound();
    const bad = await api().get(`/api/v1/compounds/${c}/echo-wall?page=0`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('query.page');
  });
});

describe('the echo wall by month and status', () => {
  it('filters by local month and status, and sums each month up', async () => {
    const p = await compoundWithPeople();
    const post = (body: object) =>
      api().post(`/api/v1/compounds/${p.compoundId}/voices`).set('Authorization', p.resident.auth).send(body);
    const praise = await post({ kind: 'praise', text: '感谢保洁阿姨每天打扫楼道' });
    const complaint = await post({ kind: 'complaint', text: '垃圾桶满了没人清' });
    const base = `/api/v1/compounds/${p.compoundId}/voices/${complaint.body.voice.id}`;
    await eventually(
      () => api().get(base).set('Authorization', p.smc.auth),
      (r) => r.body.status === 'assigned',
    );
    await api().post(`${base}/resolve`).set('Authorization', p.smc.auth).send({ result: '已清运' });
    await api().post(`${base}/feedback`).set('Authorization', p.resident.auth).send({ satisfied: true });
    await eventually(
      () =>
        api()
          .get(`/api/v1/compounds/${p.compoundId}/voices/${praise.body.voice.id}`)
          .set('Authorization', p.staff.auth),
      (r) => r.body.status === 'published',
    );

    const wall = (q: string) => api().get(`/api/v1/compounds/${p.compoundId}/echo-wall${q}`);
    const month = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: '2-digit',
    }).format(new Date());
    expect((await wall(`?month=${month}`)).body.total).toBe(2);
    expect((await wall('?month=2020-01')).body.total).toBe(0);
    expect((await wall('?status=published')).body.items.map((i: { kind: string }) => i.kind)).toEqual([
      'praise',
    ]);
    expect((await wall('?month=2026-13')).status).toBe(400);

    const summary = await wall('/summary?months=2');
    expect(summary.status).toBe(200);
    expect(summary.body.months[0]).toEqual({
      month,
      raised: 1,
      handled: 1,
      satisfied: 1,
      unsatisfied: 0,
      praise: 1,
    });
    expect(summary.body.months).toHaveLength(2);
    expect((await wall('/summary?months=0')).status).toBe(400);
  });
});
