/**
 * Privacy over HTTP on the real stack (DOMAIN.md "Privacy"): residents never read another resident's
 * words through agendas, order titles, the ledger, notifications or the echo wall; officers who do not
 * handle a voice read a masked summary; an anonymous author is hidden from every officer, and from the
 * staff desk too unless the compound allows it.
 */
import request from 'supertest';
import type { Role } from '../../domain/roles';
import { maskedSummary } from '../../domain/privacy';
import { CATEGORY_LABELS, DEFAULT_VOICE_SETTINGS, type VoiceSettings } from '../../domain/voices';
import { Voice } from '../../models/voice';
import { makeCompound, makeUser, makeVoice } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const api = () => request(stack.app);
type Person = { id: string; name: string; auth: string };

async function people(compoundId: string) {
  const make = async (roles: Role[], name: string): Promise<Person> => {
    const u = await makeUser(compoundId, roles, name);
    return { id: u.id, name, auth: await stack.login(u) };
  };
  return {
    compoundId,
    author: await make(['resident'], '王小明'),
    neighbour: await make(['resident'], '赵大妈'),
    staff: await make(['staff'], '马丽'),
    admin: await make(['admin'], '孙管理'),
    branch: await make(['partyBranch'], '周书记'),
    owners: await make(['ownersCommittee'], '刘主任'),
    smc: await make(['selfManagementCommittee'], '张师傅'),
    supervisor: await make(['supervisoryBoard'], '杨大爷'),
  };
}
type People = Awaited<ReturnType<typeof people>>;

/** Personal data as residents type it, and what must never come back unmasked. */
const PHONE_DASHED = '138-1234-5678';
const ID_SPACED = '110101 19900307 123X';
const EMAIL = 'wangxm@example.com';
const UNMASKED = [
  '138-1234-5678',
  '1234-5678',
  '138 1234 5678',
  '13812345678',
  '１２３４５６７８',
  '19900307',
  'wangxm',
  '13912345678',
];

/** Fails naming the first forbidden string found anywhere in what the reader received. */
function expectNoneOf(received: unknown, forbidden: string[], what: string) {
  const text = typeof received === 'string' ? received : JSON.stringify(received);
  const found = forbidden.filter((s) => text.includes(s));
  expect({ what, found }).toEqual({ what, found: [] });
}

async function submit(p: People, who: Person, body: object): Promise<string> {
  const res = await api()
    .post(`/api/v1/compounds/${p.compoundId}/voices`)
    .set('Authorization', who.auth)
    .send({ kind: 'complaint', ...body });
  expect(res.status).toBe(202);
  return res.body.voice.id as string;
}

const voicePath = (p: People, id: string) => `/api/v1/compounds/${p.compoundId}/voices/${id}`;
const get = (url: string, who?: Person) => {
  const req = api().get(url);
  return who ? req.set('Authorization', who.auth) : req;
};

async function assigned(p: People, id: string) {
  return eventually(
    () => get(voicePath(p, id), p.staff),
    (r) => r.body.status === 'assigned',
  );
}

/** An extraordinary monthly consultation: its agenda assembles at once, whatever the date. */
async function consultation(p: People): Promise<string> {
  const res = await api()
    .post(`/api/v1/compounds/${p.compoundId}/meetings`)
    .set('Authorization', p.staff.auth)
    .send({
      type: 'monthlyConsultation',
      reason: '临时',
      plannedAt: new Date(Date.now() + 2 * 3600_000).toISOString(),
    });
  expect(res.status).toBe(201);
  const path = `/api/v1/compounds/${p.compoundId}/meetings/monthly-consultation/${res.body.period as string}`;
  await eventually(
    () => get(path, p.staff),
    (r) => r.status === 200 && r.body.agendaAssembledAt !== undefined,
  );
  return path;
}

/** The prompt coordination a complaint about the committee's service calls. */
async function promptCoordination(p: People, voiceId: string): Promise<string> {
  const path = `/api/v1/compounds/${p.compoundId}/meetings/periodic-coordination/prompt-${voiceId}`;
  await eventually(
    () => get(path, p.staff),
    (r) => r.status === 200 && r.body.agendaAssembledAt !== undefined,
  );
  return path;
}

async function recordMeeting(p: People, path: string, attendance: Person[], decisions: object[]) {
  const res = await api()
    .post(`${path}/record`)
    .set('Authorization', p.staff.auth)
    .send({
      heldAt: new Date().toISOString(),
      attendance: attendance.map((a) => a.id),
      minutes: '会议讨论了议程上的事项',
      decisions,
    });
  expect(res.status).toBe(200);
  return eventually(
    () => get(path, p.staff),
    (r) => r.body.status === 'closed',
  );
}

type AgendaItem = { id: string; title: string; category?: string; detail?: string; voiceCount?: number };

/**
 * A complaint about the committee's service, through its prompt coordination (which orders a
 * rectification) and an extraordinary consultation (which sends it to the committee with an opinion).
 */
async function throughCoordinationAndConsultation(p: People, text: string) {
  const voiceId = await submit(p, p.author, { text });
  await assigned(p, voiceId);
  const coordination = await promptCoordination(p, voiceId);
  const agenda = (await get(coordination, p.staff)).body.agenda as AgendaItem[];
  await recordMeeting(
    p,
    coordination,
    [p.owners, p.smc],
    agenda.map((i) =>
      i.id === `trigger-${voiceId}`
        ? { itemId: i.id, decision: '责令整改', rectify: true, handlingOpinion: '三日内整改服务态度并回访' }
        : { itemId: i.id, decision: '已审阅' },
    ),
  );
  const monthly = await consultation(p);
  const items = (await get(monthly, p.staff)).body.agenda as AgendaItem[];
  expect(items.map((i) => i.id)).toContain('voices-serviceQuality');
  await recordMeeting(
    p,
    monthly,
    [p.branch, p.owners],
    items.map((i) =>
      i.id === 'voices-serviceQuality'
        ? {
            itemId: i.id,
            decision: '交自管会办理',
            disposition: 'selfManagementCommittee',
            handlingOpinion: '加强保洁员服务培训',
          }
        : { itemId: i.id, decision: '知悉', disposition: 'noFurtherAction' },
    ),
  );
  // Both orders issued and filed (一事一记): the ledger holds an `issued` entry for each.
  await eventually(
    () => get(`/api/v1/compounds/${p.compoundId}/ledger?event=issued`, p.staff),
    (r) => r.body.items?.length === 2,
  );
  return { voiceId, coordination, monthly };
}

describe('agendas of the monthly consultation', () => {
  it('when a resident reads the consultation agenda, they see the category and a masked summary, never another resident’s words or numbers', async () => {
    const p = await people(await makeCompound());
    const texts = [
      `垃圾没人清，电话${PHONE_DASHED}，身份证${ID_SPACED}，邮箱${EMAIL}`,
      '楼道垃圾堆满，电话138 1234 5678',
      '绿化带杂物堆积，电话+8613812345678',
      '保洁区域有异味，电话１３８１２３４５６７８',
      '清扫不及时，证件110101-19900307-123X',
      `垃圾清运太慢，邮箱${EMAIL}`,
    ];
    for (const text of texts) await assigned(p, await submit(p, p.author, { text }));

    const path = await consultation(p);
    const read = await get(path, p.neighbour);

    expect(read.status).toBe(200);
    const item = (read.body.agenda as AgendaItem[]).find((i) => i.id === 'voices-sanitation');
    expect(item).toMatchObject({ category: 'sanitation', voiceCount: texts.length });
    expect(item!.title).toContain(CATEGORY_LABELS.sanitation);
    for (const masked of [
      '138-****-5678',
      '138 **** 5678',
      '+86138****5678',
      '１３８****５６７８',
      '110101-********-123X',
      'w***@example.com',
    ]) {
      expect(item!.detail).toContain(masked);
    }
    expectNoneOf(read.body, [...texts, ...UNMASKED], 'the agenda read by another resident');
  });

  it('when the author reads their own complaint, they see the whole text with every number; another resident cannot open it', async () => {
    const p = await people(await makeCompound());
    const text = `垃圾没人清，电话${PHONE_DASHED}，身份证${ID_SPACED}，邮箱${EMAIL}`;
    const id = await submit(p, p.author, { text, contact: { phone: '13912345678' } });
    await assigned(p, id);

    const own = await get(voicePath(p, id), p.author);
    const other = await get(voicePath(p, id), p.neighbour);
    const list = await get(`/api/v1/compounds/${p.compoundId}/voices`, p.neighbour);

    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      text,
      textMasked: false,
      residentName: '王小明',
      contact: { phone: '13912345678' },
    });
    expect(other.status).toBe(404);
    expectNoneOf(other.body, [text, ...UNMASKED], 'another resident opening the voice');
    expect(list.body.items).toEqual([]);
  });

  it('when a resident writes an ID number in groups of four, the agenda does not show its birth date', async () => {
    const p = await people(await makeCompound());
    const text = '清扫不及时，身份证110101 1990 0307 123X';
    await assigned(p, await submit(p, p.author, { text }));

    const read = await get(await consultation(p), p.neighbour);

    const item = (read.body.agenda as AgendaItem[]).find((i) => i.id === 'voices-sanitation');
    expect(item?.detail).toContain('110101');
    expectNoneOf(item, [text, '1990 0307'], 'the agenda item');
  });
});

describe('the prompt coordination a complaint about the committee calls', () => {
  it('when another resident reads its agenda and the order it issued, the titles carry only the masked summary', async () => {
    const p = await people(await makeCompound());
    const text = '自管会保洁员服务态度差，我的电话13812345678，住在3号楼2单元501室';
    const voiceId = await submit(p, p.author, { text });
    await assigned(p, voiceId);
    const path = await promptCoordination(p, voiceId);

    const agenda = await get(path, p.neighbour);

    expect(agenda.status).toBe(200);
    const title = `投诉自管会服务：${maskedSummary(text)}`;
    const trigger = (agenda.body.agenda as AgendaItem[]).find((i) => i.id === `trigger-${voiceId}`);
    expect(trigger?.title).toBe(title);
    expect(title).toContain('138****5678');
    expectNoneOf(agenda.body, [text, '3号楼2单元501室', ...UNMASKED], 'the coordination agenda');

    await recordMeeting(
      p,
      path,
      [p.owners, p.smc],
      (agenda.body.agenda as AgendaItem[]).map((i) =>
        i.id === trigger!.id
          ? { itemId: i.id, decision: '责令整改', rectify: true, handlingOpinion: '三日内整改并回访居民' }
          : { itemId: i.id, decision: '已审阅' },
      ),
    );
    const orders = await eventually(
      () => get(`/api/v1/compounds/${p.compoundId}/rectifications`, p.neighbour),
      (r) => r.body.items?.length === 1,
    );
    const order = orders.body.items[0] as { id: string; title: string; owner: string };
    const one = await get(`/api/v1/compounds/${p.compoundId}/rectifications/${order.id}`, p.neighbour);
    const cycles = await get(`/api/v1/compounds/${p.compoundId}/cycles`, p.neighbour);
    const closed = await get(path, p.neighbour);

    expect(order).toMatchObject({ title, owner: 'selfManagementCommittee' });
    for (const [what, body] of [
      ['the order list', orders.body],
      ['the order', one.body],
      ['the cycles', cycles.body],
      ['the closed coordination', closed.body],
    ] as const) {
      expectNoneOf(body, [text, '3号楼2单元501室', ...UNMASKED], what);
    }
  });
});

describe('the supervisory record ledger', () => {
  it('when a voice went through a coordination and a consultation, neither the internal nor the public ledger holds its words or unmasked data', async () => {
    const p = await people(await makeCompound({ echoWallPublic: true }));
    const text = `自管会保洁员服务态度差，电话${PHONE_DASHED}，身份证${ID_SPACED}，邮箱${EMAIL}`;
    await throughCoordinationAndConsultation(p, text);

    const internal = await get(`/api/v1/compounds/${p.compoundId}/ledger?pageSize=500`, p.neighbour);
    const csv = await get(`/api/v1/compounds/${p.compoundId}/ledger.csv`, p.neighbour);
    const pub = await get(`/api/v1/public/compounds/${p.compoundId}/ledger?pageSize=200`);

    expect(internal.status).toBe(200);
    expect(pub.status).toBe(200);
    const events = (internal.body.items as { event: string }[]).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['rectificationOrdered', 'disposition', 'issued']));
    const summaries = (internal.body.items as { summary: string }[]).map((e) => e.summary);
    expect(summaries.some((s) => s.includes('138-****-5678'))).toBe(true);
    expectNoneOf(internal.body, [text, ...UNMASKED], 'the internal ledger');
    expectNoneOf(csv.text, [text, ...UNMASKED], 'the ledger CSV');
    expectNoneOf(pub.body, [text, ...UNMASKED, '王小明'], 'the public ledger');
  });
});

describe('anonymous voices', () => {
  it('when officers read an anonymous complaint about the committee, none sees the author; staff see it only once the compound allows', async () => {
    const p = await people(await makeCompound());
    const text = '自管会巡逻员工作态度恶劣，晚上根本不巡逻';
    const id = await submit(p, p.author, { text, anonymous: true, contact: { phone: '13912345678' } });
    await assigned(p, id);
    const author = ['王小明', '13912345678', p.author.id];
    const hidden = async (who: Person, what: string) => {
      const one = await get(voicePath(p, id), who);
      const list = await get(`/api/v1/compounds/${p.compoundId}/voices`, who);
      expect(one.status).toBe(200);
      expect(one.body.residentName).toBeUndefined();
      expect(one.body.contact).toBeUndefined();
      const intake = (one.body.timeline as { type: string; actor?: { name?: string } }[]).find(
        (e) => e.type === 'received',
      );
      expect(intake?.actor?.name).toBe('匿名居民');
      const listed = (list.body.items as { id: string }[]).find((v) => v.id === id);
      expect(listed).toMatchObject({ anonymous: true });
      expectNoneOf([one.body, listed], author, what);
      return one.body as { text: string; textMasked: boolean };
    };

    // The body it is about, the body that handles it, the supervisors, and the desk before it is allowed.
    const smc = await hidden(p.smc, 'the self-management committee');
    const owners = await hidden(p.owners, 'the owners’ committee');
    await hidden(p.supervisor, 'the supervisory board');
    await hidden(p.branch, 'the party branch');
    await hidden(p.admin, 'an administrator');
    const staffBefore = await hidden(p.staff, 'staff before the setting');
    expect(owners).toMatchObject({ text, textMasked: false });
    expect(smc).toMatchObject({ textMasked: true });
    expect(staffBefore).toMatchObject({ text, textMasked: false });

    const settings = (who: Person) =>
      api()
        .patch(`/api/v1/compounds/${p.compoundId}/settings`)
        .set('Authorization', who.auth)
        .send({ privacy: { staffSeeAnonymousAuthors: true } });
    expect((await settings(p.owners)).status).toBe(403);
    expect((await settings(p.staff)).status).toBe(200);

    const staffAfter = await get(voicePath(p, id), p.staff);
    expect(staffAfter.body).toMatchObject({ residentName: '王小明', contact: { phone: '13912345678' } });
    const intake = (staffAfter.body.timeline as { type: string; actor?: { name?: string } }[]).find(
      (e) => e.type === 'received',
    );
    expect(intake?.actor?.name).toBe('王小明');
    for (const [who, what] of [
      [p.smc, 'the self-management committee after the setting'],
      [p.owners, 'the owners’ committee after the setting'],
      [p.supervisor, 'the supervisory board after the setting'],
      [p.admin, 'an administrator after the setting'],
    ] as const) {
      await hidden(who, what);
    }
    const coordination = await get(await promptCoordination(p, id), p.owners);
    expectNoneOf(coordination.body, author, 'the prompt coordination');

    const own = await get(voicePath(p, id), p.author);
    expect(own.body).toMatchObject({ text, residentName: '王小明', contact: { phone: '13912345678' } });
  });
});

describe('officers who do not handle a voice', () => {
  it('when the supervisory board or the committee read a voice the owners’ committee handles, they get a masked summary; the handlers get the text', async () => {
    const p = await people(await makeCompound());
    const text = '物业费收费不透明，请联系我13812345678，账单在我家门口';
    const id = await submit(p, p.author, { kind: 'appeal', text });
    const voice = await assigned(p, id);
    expect(voice.body.assignee).toBe('ownersCommittee');

    for (const who of [p.supervisor, p.smc, p.branch]) {
      const one = await get(voicePath(p, id), who);
      const list = await get(`/api/v1/compounds/${p.compoundId}/voices`, who);
      const listed = (list.body.items as { id: string }[]).find((v) => v.id === id);
      for (const view of [one.body, listed]) {
        expect(view).toMatchObject({
          text: maskedSummary(text),
          textMasked: true,
          residentName: '王*明',
        });
        expect(view.contact).toBeUndefined();
        expectNoneOf(view, [text, '13812345678', '账单在我家门口', '王小明'], `${who.name} reading it`);
      }
    }
    for (const who of [p.owners, p.staff]) {
      const one = await get(voicePath(p, id), who);
      const list = await get(`/api/v1/compounds/${p.compoundId}/voices`, who);
      const listed = (list.body.items as { id: string }[]).find((v) => v.id === id);
      expect(one.body).toMatchObject({ text, textMasked: false, residentName: '王小明' });
      expect(listed).toMatchObject({ text, textMasked: false });
    }
  });

  it('when a voice the committee handles escalates to the owners’ committee, the owners’ committee reads its text and the party branch still a masked summary', async () => {
    // The acknowledgement deadline passes in seconds (0.003 h = 10.8 s); the next rung gets an hour.
    const fast: VoiceSettings = {
      ...DEFAULT_VOICE_SETTINGS,
      deadlines: {
        ...DEFAULT_VOICE_SETTINGS.deadlines,
        complaint: { acknowledgeHours: 0.003, resolveHours: 7 * 24 },
      },
      escalationStepHours: 1,
    };
    const p = await people(await makeCompound({ voices: fast }));
    const text = '楼道垃圾堆满没人清，电话13812345678';
    const id = await submit(p, p.author, { text });
    const before = await assigned(p, id);
    expect(before.body).toMatchObject({ assignee: 'selfManagementCommittee', escalationLevel: 0 });
    const atFirst = await get(voicePath(p, id), p.owners);

    const escalated = await eventually(
      () => get(voicePath(p, id), p.owners),
      (r) => r.body.escalationLevel === 1,
      30_000,
    );
    const branch = await get(voicePath(p, id), p.branch);
    const smc = await get(voicePath(p, id), p.smc);

    expect(atFirst.body).toMatchObject({ text: maskedSummary(text), textMasked: true, escalationLevel: 0 });
    expect(escalated.body).toMatchObject({ text, textMasked: false, responsible: 'ownersCommittee' });
    expect(branch.body).toMatchObject({ text: maskedSummary(text), textMasked: true, escalationLevel: 1 });
    expect(smc.body).toMatchObject({ text, textMasked: false });
  });
});

describe('voices entered for a resident', () => {
  it('when a building leader enters a voice for a resident with an account, it is accepted', async () => {
    const p = await people(await makeCompound());
    const leader = await makeUser(p.compoundId, ['buildingLeader'], '钱楼长');
    const res = await api()
      .post(`/api/v1/compounds/${p.compoundId}/voices`)
      .set('Authorization', await stack.login(leader))
      .send({
        kind: 'appeal',
        channel: 'buildingLeader',
        text: '楼道灯坏了三天，老人晚上看不见',
        onBehalfOf: { userId: p.author.id, name: '王小明' },
      });

    expect(res.status).toBe(202);
  });

  it('when a building leader entered a resident’s voice for them, the leader and the resident read its text in detail and list; neighbours cannot', async () => {
    const p = await people(await makeCompound());
    const leader = await makeUser(p.compoundId, ['buildingLeader'], '钱楼长');
    const byLeader = { id: leader.id, name: leader.name, auth: await stack.login(leader) };
    const text = '楼道灯坏了三天，老人晚上看不见，电话13812345678';
    // As intake stores a voice entered for a resident with an account (no workflow needed to read it).
    const stored = await makeVoice(p.compoundId, { kind: 'appeal', text, submittedBy: p.author.id });
    await Voice.updateOne({ _id: stored._id }, { $set: { enteredBy: leader.id, channel: 'buildingLeader' } });

    const leaderOne = await get(voicePath(p, stored._id), byLeader);
    const leaderList = await get(`/api/v1/compounds/${p.compoundId}/voices`, byLeader);
    const authorOne = await get(voicePath(p, stored._id), p.author);
    const neighbourOne = await get(voicePath(p, stored._id), p.neighbour);

    expect(leaderOne.body).toMatchObject({ text, textMasked: false });
    expect(authorOne.body).toMatchObject({ text, textMasked: false });
    expect(neighbourOne.status).toBe(404);
    const listed = (leaderList.body.items as { id: string }[]).find((v) => v.id === stored._id);
    expect(listed).toMatchObject({ text, textMasked: false });
  });
});

describe('notifications', () => {
  it('when a complaint goes through a coordination and a consultation, no body’s or other resident’s inbox carries its words', async () => {
    const p = await people(await makeCompound());
    const text = `自管会保洁员服务态度差，电话${PHONE_DASHED}，身份证${ID_SPACED}，邮箱${EMAIL}`;
    await throughCoordinationAndConsultation(p, text);
    const inbox = (who: Person) => get(`/api/v1/compounds/${p.compoundId}/inbox?limit=100`, who);
    // The committee's notice of its order arrives after the order is filed.
    const smc = await eventually(
      () => inbox(p.smc),
      (r) => (r.body.items as { title: string }[]).some((n) => n.title.includes('整改')),
    );

    const owners = await inbox(p.owners);
    expect((owners.body.items as { title: string }[]).map((n) => n.title)).toContain('新的居民反映待接单');
    for (const [who, body] of [
      [p.smc, smc.body],
      [p.owners, owners.body],
      [p.branch, (await inbox(p.branch)).body],
      [p.supervisor, (await inbox(p.supervisor)).body],
      [p.staff, (await inbox(p.staff)).body],
      [p.neighbour, (await inbox(p.neighbour)).body],
    ] as const) {
      expectNoneOf(body, [text, ...UNMASKED, '王小明'], `${who.name}’s inbox`);
    }
  });
});

describe('the echo wall', () => {
  it('when handled voices are shown on the echo wall, phones, IDs and e-mails are masked and anonymous residents are 匿名居民', async () => {
    const p = await people(await makeCompound({ echoWallPublic: true }));
    const praise = `感谢保洁员每天打扫楼道，有事联系${PHONE_DASHED}或${EMAIL}`;
    const complaint = `楼下垃圾没人清，身份证${ID_SPACED}，电话１３８１２３４５６７８`;
    const praiseId = await submit(p, p.author, { kind: 'praise', text: praise });
    const complaintId = await submit(p, p.author, {
      text: complaint,
      anonymous: true,
      contact: { phone: '13912345678' },
    });
    await assigned(p, complaintId);
    const base = voicePath(p, complaintId);
    const resolved = await api()
      .post(`${base}/resolve`)
      .set('Authorization', p.smc.auth)
      .send({ result: '已清运，有问题请找保洁组长13912345678' });
    expect(resolved.status).toBe(200);
    await eventually(
      () => get(voicePath(p, praiseId), p.staff),
      (r) => r.body.status === 'published',
    );

    const wall = await get(`/api/v1/compounds/${p.compoundId}/echo-wall`);

    expect(wall.status).toBe(200);
    type Row = { id: string; raised: string; raisedBy: string; result?: string };
    const rows = wall.body.items as Row[];
    const shownPraise = rows.find((r) => r.id === praiseId);
    const shownComplaint = rows.find((r) => r.id === complaintId);
    expect(shownPraise).toMatchObject({ raisedBy: '王*明' });
    expect(shownPraise!.raised).toContain('138-****-5678');
    expect(shownPraise!.raised).toContain('w***@example.com');
    expect(shownComplaint).toMatchObject({ raisedBy: '匿名居民' });
    expect(shownComplaint!.raised).toContain('110101 ******** 123X');
    expect(shownComplaint!.raised).toContain('１３８****５６７８');
    expect(shownComplaint!.result).toContain('139****5678');
    expectNoneOf(wall.body, [praise, complaint, ...UNMASKED, '王小明', p.author.id], 'the echo wall');
  });
});
