/**
 * The open intake for outside systems against the real stack: keys staff issue, Open311 GeoReport v2
 * (services, requests as voices, status open/closed), and 12345 work orders on hotline voices.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { SERVICE_CODES } from '../../domain/open311';
import { ApiKey } from '../../models/api-key';
import { LedgerEntry } from '../../models/ledger-entry';
import { Voice } from '../../models/voice';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { eventually, JWT_SECRET, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const api = () => request(stack.app);
const O = '/api/open311/v2';

async function compoundWithStaff() {
  const compoundId = await makeCompound();
  const staff = await makeUser(compoundId, ['staff'], '李干事');
  const resident = await makeUser(compoundId, ['resident'], '王小明');
  return {
    compoundId,
    staff: { ...staff, auth: await stack.login(staff) },
    resident: { ...resident, auth: await stack.login(resident) },
  };
}

async function issueKey(compoundId: string, auth: string, name = '12345 热线平台') {
  const res = await api()
    .post(`/api/v1/compounds/${compoundId}/api-keys`)
    .set('Authorization', auth)
    .send({ name });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; masked: string };
}

/** A form post, as Open311 clients send it. */
const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  api().post(`${O}/requests.json`).type('form').set(headers).send(new URLSearchParams(fields).toString());

const sanitation = (compoundId: string, key: string, extra: Record<string, string> = {}) => ({
  api_key: key,
  jurisdiction_id: compoundId,
  service_code: 'complaint.sanitation',
  address_id: 'b1',
  description: '1号楼门口垃圾堆了三天没人清运，联系电话13812345678',
  first_name: '小明',
  last_name: '王',
  phone: '13812345678',
  email: 'wangxm@example.com',
  ...extra,
});

const expectOpen311Error = (res: request.Response, status: number, mentions?: string) => {
  expect(res.status).toBe(status);
  expect(Array.isArray(res.body)).toBe(true);
  expect(res.body[0]).toEqual({ code: status, description: expect.any(String) });
  if (mentions)
    expect(res.body.map((e: { description: string }) => e.description).join(' ')).toContain(mentions);
};

describe('services.json', () => {
  it('when asked for a compound, it lists every kind × category as a realtime service without metadata, named in Chinese', async () => {
    const c = await makeCompound();
    const res = await api().get(`${O}/services.json?jurisdiction_id=${c}`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(SERVICE_CODES.length);
    expect(res.body.map((s: { service_code: string }) => s.service_code)).toEqual(
      expect.arrayContaining(['complaint.sanitation', 'praise.serviceQuality', 'suggestion.other']),
    );
    const one = res.body.find((s: { service_code: string }) => s.service_code === 'complaint.sanitation');
    expect(one).toMatchObject({
      service_name: '环境卫生 · 吐槽/投诉',
      type: 'realtime',
      metadata: false,
      group: '环境卫生',
    });
  });

  it('when a service definition is asked for, it has no attributes; an unknown code is 404', async () => {
    const c = await makeCompound();
    const res = await api().get(`${O}/services/complaint.sanitation.json?jurisdiction_id=${c}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ service_code: 'complaint.sanitation', attributes: [] });
    expectOpen311Error(await api().get(`${O}/services/complaint.unicorns.json?jurisdiction_id=${c}`), 404);
  });

  it('when a path of the intake is called with another method or does not exist, it answers 405 or 404 in Open311 shape', async () => {
    const c = await makeCompound();
    const wrong = await api().post(`${O}/services.json?jurisdiction_id=${c}`).send({});
    expectOpen311Error(wrong, 405);
    expect(wrong.headers.allow).toContain('GET');
    expectOpen311Error(await api().get(`${O}/tokens/1.json`), 404);
  });

  it('when the jurisdiction is missing it answers 400, and when unknown 404, both in Open311 shape', async () => {
    expectOpen311Error(await api().get(`${O}/services.json`), 400, 'jurisdiction_id');
    expectOpen311Error(await api().get(`${O}/services.json?jurisdiction_id=nowhere`), 404, 'nowhere');
  });
});

describe('keys for outside systems', () => {
  it('when staff issue a key, it is shown once in full, stored only as a hash, listed masked, and filed in the ledger', async () => {
    const p = await compoundWithStaff();
    const issued = await issueKey(p.compoundId, p.staff.auth);
    expect(issued.key).toMatch(/^gz311_[0-9a-f]{10}_[A-Za-z0-9_-]{43}$/);
    const stored = await ApiKey.findById(issued.id).lean().orFail();
    const secret = issued.key.slice(`gz311_${issued.id}_`.length);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored.hash).toMatch(/^[0-9a-f]{64}$/);
    const list = await api()
      .get(`/api/v1/compounds/${p.compoundId}/api-keys`)
      .set('Authorization', p.staff.auth);
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: issued.id, name: '12345 热线平台', active: true }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(issued.key);
    expect(list.body.items[0].masked).toBe(`gz311_${issued.id}_****`);
    const filed = await LedgerEntry.find({ compoundId: p.compoundId, matterType: 'apiKey' }).lean();
    expect(filed.map((e) => e.event)).toEqual(['issued']);
    expect(filed[0]!.summary).toContain('李干事');
  });

  it('when a resident tries to issue a key, it is refused 403 and nothing is stored', async () => {
    const p = await compoundWithStaff();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/api-keys`)
      .set('Authorization', p.resident.auth)
      .send({ name: '某系统' });
    expect(res.status).toBe(403);
    expect(await ApiKey.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });

  it('when a compound already has ten keys in force, an eleventh is refused 409 until one is revoked', async () => {
    const p = await compoundWithStaff();
    const keys = [];
    for (let i = 0; i < 10; i++) keys.push(await issueKey(p.compoundId, p.staff.auth, `系统${i}`));
    const more = await api()
      .post(`/api/v1/compounds/${p.compoundId}/api-keys`)
      .set('Authorization', p.staff.auth)
      .send({ name: '第十一个' });
    expect(more.status).toBe(409);
    await api()
      .post(`/api/v1/compounds/${p.compoundId}/api-keys/${keys[0]!.id}/revoke`)
      .set('Authorization', p.staff.auth)
      .send({});
    await issueKey(p.compoundId, p.staff.auth, '第十一个');
  });
});

describe('POST requests.json', () => {
  it('when a valid key posts a form, a voice is filed through intake, listed for staff, and its workflow assigns it', async () => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const res = await post(sanitation(p.compoundId, key));
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        service_request_id: expect.stringMatching(/^[0-9a-f]{24}$/),
        service_notice: expect.stringContaining('自管会'),
      },
    ]);
    const id = res.body[0].service_request_id as string;

    const voice = await eventually(
      () => api().get(`/api/v1/compounds/${p.compoundId}/voices/${id}`).set('Authorization', p.staff.auth),
      (r) => r.body.status === 'assigned',
    );
    expect(voice.body).toMatchObject({
      kind: 'complaint',
      category: 'sanitation',
      channel: 'outsideSystem',
      channelLabel: '外部系统接入',
      buildingId: 'b1',
      residentName: '王小明',
      contact: { name: '王小明', phone: '13812345678', email: 'wangxm@example.com' },
    });
    expect(voice.body.timeline[0].message).toContain('12345 热线平台');
    const list = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth);
    expect(list.body.items.map((v: { id: string }) => v.id)).toContain(id);
  });

  it('when the request is posted as JSON with null fields, it is accepted and the nulls count as absent', async () => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const res = await api()
      .post(`${O}/requests.json`)
      .send({
        ...sanitation(p.compoundId, key),
        service_code: 'suggestion.facilities',
        address_id: null,
        address_string: '2号楼东侧健身区',
        media_url: null,
      });
    expect(res.status).toBe(200);
    const v = await Voice.findById(res.body[0].service_request_id).lean().orFail();
    expect(v).toMatchObject({ kind: 'suggestion', category: 'facilities', channel: 'outsideSystem' });
    expect(v.buildingId).toBeUndefined();
    expect(v.contact?.address).toBe('2号楼东侧健身区');
  });

  it('when the same request is retried with its Idempotency-Key, it files one voice and answers with it', async () => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const headers = { 'Idempotency-Key': 'outside-req-000123' };
    const first = await post(sanitation(p.compoundId, key), headers);
    const again = await post(sanitation(p.compoundId, key), headers);
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.body[0].service_request_id).toBe(first.body[0].service_request_id);
    expect(again.body[0].service_notice).toContain('重复提交');
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(1);
  });

  it('when there is no key, a revoked key, or another compound’s key, it answers 403 in Open311 shape and files nothing', async () => {
    const p = await compoundWithStaff();
    const other = await compoundWithStaff();
    const { key, id } = await issueKey(p.compoundId, p.staff.auth);
    const { key: otherKey } = await issueKey(other.compoundId, other.staff.auth);
    const fields = sanitation(p.compoundId, key);

    const { api_key: _omit, ...withoutKey } = fields;
    expectOpen311Error(await post(withoutKey), 403, 'api_key');
    expectOpen311Error(await post({ ...fields, api_key: `${key.slice(0, -1)}x` }), 403);
    expectOpen311Error(await post({ ...fields, api_key: otherKey }), 403, p.compoundId);

    const revoked = await api()
      .post(`/api/v1/compounds/${p.compoundId}/api-keys/${id}/revoke`)
      .set('Authorization', p.staff.auth)
      .send({});
    expect(revoked.body).toMatchObject({ active: false, revokedBy: '李干事' });
    expectOpen311Error(await post(fields), 403, '吊销');
    expect(await Voice.countDocuments({ compoundId: { $in: [p.compoundId, other.compoundId] } })).toBe(0);
    const filed = await LedgerEntry.find({ compoundId: p.compoundId, matterType: 'apiKey' })
      .sort({ seq: 1 })
      .lean();
    expect(filed.map((e) => e.event)).toEqual(['issued', 'revoked']);
  });

  it.each([
    [{ service_code: 'complaint.unicorns' }, 404, 'service_code=complaint.unicorns'],
    [{ service_code: '' }, 400, 'service_code'],
    [{ description: '' }, 400, 'description'],
    [{ address_id: '', address_string: '' }, 400, 'address_string'],
    [{ address_id: 'b9' }, 400, 'address_id=b9'],
    [{ 'attribute[WHISPAWN]': '123' }, 400, 'attribute'],
    [{ lat: '38.1' }, 400, 'long'],
    [{ jurisdiction_id: '' }, 400, 'jurisdiction_id'],
  ])('when the form has %j, it answers %i naming %s and files nothing', async (change, status, mentions) => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    expectOpen311Error(await post({ ...sanitation(p.compoundId, key), ...change }), status, mentions);
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(0);
  });
});

describe('GET requests', () => {
  it('when a request is followed, it is open with its agency and expected time, then closed once the voice is closed; no personal data shows', async () => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const id = (await post(sanitation(p.compoundId, key, { address_string: '1号楼2单元501室' }))).body[0]
      .service_request_id as string;
    const one = `${O}/requests/${id}.json?jurisdiction_id=${p.compoundId}&api_key=${key}`;
    const open = await eventually(
      () => api().get(one),
      (r) => r.status === 200 && r.body[0].expected_datetime !== null,
    );
    expect(open.body).toEqual([
      expect.objectContaining({
        service_request_id: id,
        status: 'open',
        status_notes: '待接单',
        service_code: 'complaint.sanitation',
        service_name: '环境卫生 · 吐槽/投诉',
        agency_responsible: '自管会',
        address_id: 'b1',
        requested_datetime: expect.any(String),
        updated_datetime: expect.any(String),
      }),
    ]);
    const v = await Voice.findById(id).lean().orFail();
    expect(open.body[0].expected_datetime).toBe(v.resolveBy!.toISOString());
    const text = JSON.stringify(open.body);
    for (const personal of ['王小明', '小明', '13812345678', 'wangxm@example.com', '2单元501'])
      expect(text).not.toContain(personal);

    const base = `/api/v1/compounds/${p.compoundId}/voices/${id}`;
    for (const [action, body] of [
      ['accept', {}],
      ['resolve', { result: '已清运，加派保洁' }],
      ['feedback', { satisfied: true }],
    ] as const) {
      const r = await api().post(`${base}/${action}`).set('Authorization', p.staff.auth).send(body);
      expect(r.status).toBe(200);
    }
    const closed = await eventually(
      () => api().get(one),
      (r) => r.body[0]?.status === 'closed',
    );
    expect(closed.body[0].status_notes).toBe('已关闭：已清运，加派保洁');
    const listed = await api().get(
      `${O}/requests.json?jurisdiction_id=${p.compoundId}&api_key=${key}&service_request_id=${id},ffffffffffffffffffffffff`,
    );
    expect(listed.body.map((r: { status: string }) => r.status)).toEqual(['closed']);
    const byStatus = await api().get(
      `${O}/requests.json?jurisdiction_id=${p.compoundId}&api_key=${key}&status=open`,
    );
    expect(byStatus.body).toEqual([]);
  });

  it('when a key asks for a request of another compound, or one entered in the app, it is not found', async () => {
    const p = await compoundWithStaff();
    const other = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const { key: otherKey } = await issueKey(other.compoundId, other.staff.auth);
    const id = (await post(sanitation(p.compoundId, key))).body[0].service_request_id as string;
    const inApp = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.resident.auth)
      .send({ kind: 'complaint', text: '楼道灯坏了好几天' });
    expectOpen311Error(
      await api().get(`${O}/requests/${id}.json?jurisdiction_id=${other.compoundId}&api_key=${otherKey}`),
      404,
    );
    expectOpen311Error(
      await api().get(`${O}/requests/${id}.json?jurisdiction_id=${p.compoundId}&api_key=${otherKey}`),
      403,
    );
    expectOpen311Error(
      await api().get(
        `${O}/requests/${inApp.body.voice.id}.json?jurisdiction_id=${p.compoundId}&api_key=${key}`,
      ),
      404,
    );
    const all = await api().get(`${O}/requests.json?jurisdiction_id=${p.compoundId}&api_key=${key}`);
    expect(all.body.map((r: { service_request_id: string }) => r.service_request_id)).toEqual([id]);
  });
});

describe('12345 work orders', () => {
  const hotlineVoice = (workOrderNo: string, text = '12345转来：小区东门路灯不亮') => ({
    kind: 'appeal',
    channel: 'hotline12345',
    text,
    onBehalfOf: { name: '赵阿姨', phone: '13912345678' },
    hotline: { workOrderNo, classificationCode: '0301' },
  });

  it('when staff enter a 12345 voice, its work order is kept, shown to staff, and the staff list finds it by number', async () => {
    const p = await compoundWithStaff();
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send(hotlineVoice('nx2026120200017'));
    expect(res.status).toBe(202);
    const id = res.body.voice.id as string;
    const read = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices/${id}`)
      .set('Authorization', p.staff.auth);
    expect(read.body.hotline).toEqual({ workOrderNo: 'NX2026120200017', classificationCode: '0301' });
    expect(read.body.channelLabel).toBe('12345热线');
    await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send(hotlineVoice('NX2026120200018', '12345转来：3号楼电梯故障'));
    const found = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices?workOrderNo=NX2026120200017`)
      .set('Authorization', p.staff.auth);
    expect(found.body.items.map((v: { id: string }) => v.id)).toEqual([id]);
  });

  it('when the same work order is entered again, the same request by the same sender is answered with the first and any other is refused 409 naming it', async () => {
    const p = await compoundWithStaff();
    const colleague = await makeUser(p.compoundId, ['staff'], '周干事');
    const first = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send(hotlineVoice('NX2026120200099'));
    const repeated = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send(hotlineVoice('NX2026120200099'));
    expect(repeated.status).toBe(200);
    expect(repeated.body.voice.id).toBe(first.body.voice.id);
    const byColleague = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', await stack.login(colleague))
      .send(hotlineVoice('nx2026120200099', '同一工单又录一遍'));
    expect(byColleague.status).toBe(409);
    expect(byColleague.body.error.details).toMatchObject({ voiceId: first.body.voice.id });
    expect(await Voice.countDocuments({ compoundId: p.compoundId })).toBe(1);
  });

  it('when a work order comes on a channel that is not a hotline it answers 422, and malformed 400, naming hotline', async () => {
    const p = await compoundWithStaff();
    const onDoor = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send({ ...hotlineVoice('NX2026120200100'), channel: 'doorToDoorVisit' });
    expect(onDoor.status).toBe(422);
    expect(onDoor.body.error.details.field).toBe('body.hotline');
    const malformed = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', p.staff.auth)
      .send(hotlineVoice('12 34'));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.field).toBe('body.hotline.workOrderNo');
  });

  it('when the 12345 platform posts a work order through Open311 twice, one voice is filed on the 12345 channel, searchable by staff', async () => {
    const p = await compoundWithStaff();
    const { key } = await issueKey(p.compoundId, p.staff.auth);
    const fields = sanitation(p.compoundId, key, {
      hotline_work_order_no: 'YC-20261202-0042',
      hotline_classification_code: '03.01',
    });
    const first = await post(fields);
    const again = await post(fields);
    expect(again.body[0].service_request_id).toBe(first.body[0].service_request_id);
    const id = first.body[0].service_request_id as string;
    const found = await api()
      .get(`/api/v1/compounds/${p.compoundId}/voices?workOrderNo=YC-20261202-0042`)
      .set('Authorization', p.staff.auth);
    expect(found.body.items).toEqual([
      expect.objectContaining({
        id,
        channel: 'hotline12345',
        hotline: { workOrderNo: 'YC-20261202-0042', classificationCode: '03.01' },
      }),
    ]);
    const read = await api().get(`${O}/requests/${id}.json?jurisdiction_id=${p.compoundId}&api_key=${key}`);
    expect(read.body[0].hotline_work_order_no).toBe('YC-20261202-0042');
    const changed = await post({ ...fields, description: '同一工单，内容却不同了' });
    expectOpen311Error(changed, 409, 'YC-20261202-0042');
  });
});

describe('the API document and limits', () => {
  it('when the OpenAPI document is read, it lists the Open311 routes under their own server with the apiKey scheme', async () => {
    const doc = (await api().get('/api/v1/openapi.json')).body;
    expect(doc.components.securitySchemes.apiKey).toMatchObject({
      type: 'apiKey',
      in: 'query',
      name: 'api_key',
    });
    for (const path of ['/services.json', '/requests.json', '/requests/{service_request_id}.json'])
      expect(doc.paths[path].servers).toEqual([{ url: '/api/open311/v2' }]);
    const postRequest = doc.paths['/requests.json'].post;
    expect(postRequest.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(postRequest.requestBody.content)).toEqual([
      'application/x-www-form-urlencoded',
      'application/json',
    ]);
    expect(postRequest.responses['403']).toBeDefined();
    expect(postRequest.responses['401']).toBeUndefined();
    expect(doc.paths['/compounds/{compoundId}/api-keys'].post['x-permission']).toBe('apikey:manage');
  });

  it('when one key calls too often it is refused 429 in Open311 shape, while another key of the compound is not', async () => {
    const limited = createApp({
      config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
      temporal: stack.temporal,
      rateLimits: true,
    });
    const p = await compoundWithStaff();
    const busy = await issueKey(p.compoundId, p.staff.auth, '繁忙系统');
    const calm = await issueKey(p.compoundId, p.staff.auth, '安静系统');
    const list = (k: string) =>
      request(limited).get(`${O}/requests.json?jurisdiction_id=${p.compoundId}&api_key=${k}`);
    let last = await list(busy.key);
    for (let i = 0; i < 80 && last.status === 200; i++) last = await list(busy.key);
    expectOpen311Error(last, 429);
    expect(last.headers['retry-after']).toBeDefined();
    expect((await list(calm.key)).status).toBe(200);
  });
});
