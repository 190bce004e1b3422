/**
 * The meetings over HTTP on the real stack: an extraordinary council with its 5030 vote, and an
 * annual evaluation's sign-off — who may vote and sign, and what is refused (and changes nothing).
 */
import request from 'supertest';
import type { Role } from '../../domain/roles';
import { Vote } from '../../models/vote';
import { LedgerEntry } from '../../models/ledger-entry';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { eventually, startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

async function people(compoundId: string) {
  const make = async (roles: Role[], name: string) => {
    const u = await makeUser(compoundId, roles, name);
    return { id: u.id, auth: await stack.login(u) };
  };
  return {
    staff: await make(['staff'], '马丽'),
    branch: await make(['partyBranch'], '王书记'),
    owners: await make(['ownersCommittee'], '刘主任'),
    supervisor: await make(['supervisoryBoard'], '杨大爷'),
    rep1: await make(['councilMember'], '陈代表'),
    rep2: await make(['councilMember'], '赵代表'),
    resident: await make(['resident'], '王小明'),
  };
}

const soon = () => new Date(Date.now() + 2 * 3600_000).toISOString();

async function trigger(compoundId: string, auth: string, type: string, extra: object = {}) {
  const res = await request(stack.app)
    .post(`/api/v1/compounds/${compoundId}/meetings`)
    .set('Authorization', auth)
    .send({ type, reason: '临时召开', plannedAt: soon(), ...extra });
  expect(res.status).toBe(201);
  const slug = (res.body.id as string).split('/')[0];
  const path = `/api/v1/compounds/${compoundId}/meetings/${slug}/${res.body.period as string}`;
  await eventually(
    () => request(stack.app).get(path).set('Authorization', auth),
    (r) => r.status === 200 && r.body.agendaAssembledAt !== undefined,
  );
  return path;
}

describe('the quarterly council over HTTP', () => {
  it('lets present members vote once each, refuses others, and decides by the 5030 rule', async () => {
    const c = await makeCompound();
    const p = await people(c);
    const path = await trigger(c, p.staff.auth, 'quarterlyDeliberation');
    const post = (action: string, who: { auth: string }, body: object = {}) =>
      request(stack.app).post(`${path}/${action}`).set('Authorization', who.auth).send(body);

    expect((await post('confirm-convening', p.rep1)).status).toBe(403);
    expect((await post('confirm-convening', p.branch)).status).toBe(200);
    expect((await post('confirm-convening', p.branch)).status).toBe(409);
    expect((await post('confirm-convening', p.owners)).status).toBe(200);
    const small = await post('motions', p.rep1, { title: '购买办公用品', matter: 'fundUse', amount: 500 });
    expect(small.status).toBe(422); // the documented shape, but below the council's threshold
    const motion = await post('motions', p.rep1, {
      title: '更换小区门禁系统',
      matter: 'fundUse',
      amount: 50000,
    });
    expect(motion.status).toBe(200);
    const motionId = motion.body.agenda.find((i: { title: string }) => i.title === '更换小区门禁系统')
      .id as string;

    const present = [p.branch, p.owners, p.supervisor, p.rep1];
    const record = await post('record', p.staff, {
      heldAt: new Date().toISOString(),
      attendance: present.map((x) => x.id),
      minutes: '审议门禁议案',
    });
    expect(record.status).toBe(200);
    await eventually(
      () => request(stack.app).get(path).set('Authorization', p.staff.auth),
      (r) => r.body.status === 'voting',
    );

    expect((await post('votes', p.resident, { motionId, choice: 'yes' })).status).toBe(403); // not a council role
    expect((await post('votes', p.staff, { motionId, choice: 'yes' })).status).toBe(403);
    expect((await post('votes', p.rep2, { motionId, choice: 'yes' })).status).toBe(403); // member, not present
    expect((await post('votes', p.rep1, { motionId, choice: 'maybe' })).status).toBe(400);
    expect((await post('votes', p.rep1, { motionId, choice: 'yes' })).status).toBe(200);
    expect((await post('votes', p.rep1, { motionId, choice: 'no' })).status).toBe(409); // once only
    // The same ballot retried (the phone lost the answer) gets its receipt again and counts once.
    const again = await post('votes', p.rep1, { motionId, choice: 'yes' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ motionId, choice: 'yes', ballots: 1, repeated: true });
    expect(await Vote.countDocuments({ motionId })).toBe(1);
    for (const [who, choice] of [
      [p.branch, 'yes'],
      [p.owners, 'yes'],
      [p.supervisor, 'no'],
    ] as const) {
      expect((await post('votes', who, { motionId, choice })).status).toBe(200);
    }
    const closed = await eventually(
      () => request(stack.app).get(path).set('Authorization', p.resident.auth),
      (r) => r.body.status === 'closed',
    );
    // 3 yes of 4 = 75% > 50%; 1 no = 25% < 30%: passes, with the arithmetic stored.
    const result = closed.body.quarterly.results[motionId];
    expect(result).toMatchObject({ passed: true, tally: { yes: 3, no: 1, abstain: 0 }, base: 4 });
    // After the close a counted ballot's retry still hears it was counted, not "voting closed".
    const late = await post('votes', p.supervisor, { motionId, choice: 'no' });
    expect(late.body).toMatchObject({ choice: 'no', ballots: 4, repeated: true });
    const changed = await post('votes', p.supervisor, { motionId, choice: 'yes' });
    expect(changed.status).toBe(409);
    expect(changed.body.error.message).toMatch(/已对该议案表决/);
    expect(await Vote.countDocuments({ motionId })).toBe(4);
    expect(result.arithmetic).toContain('通过');
    expect(result.resolutionId).toBeDefined();
    const ledger = await LedgerEntry.find({ compoundId: c, event: 'motionDecided' }).lean();
    expect(ledger).toHaveLength(1);

    // One matter, one record: the motion's decision and its resolution's life, with links to follow.
    const get = (url: string, who = p.resident) => request(stack.app).get(url).set('Authorization', who.auth);
    const motionRecord = await eventually(
      () => get(`/api/v1/compounds/${c}/ledger?motionId=${motionId}`),
      (r) => r.body.items?.some((e: { event: string }) => e.event === 'issued'),
    );
    const events = motionRecord.body.items.map((e: { event: string }) => e.event);
    expect(events).toEqual(expect.arrayContaining(['motionDecided', 'resolution', 'issued']));
    const seqs = motionRecord.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const decided = motionRecord.body.items.find((e: { event: string }) => e.event === 'motionDecided');
    expect(decided.links).toMatchObject({ meeting: path, votes: `${path}/votes?motionId=${motionId}` });
    const votes = await get(decided.links.votes);
    expect(votes.status).toBe(200);
    expect(
      votes.body.items.map((v: { name: string; choiceLabel: string }) => `${v.name}:${v.choiceLabel}`).sort(),
    ).toEqual(['刘主任:赞成', '杨大爷:反对', '王书记:赞成', '陈代表:赞成']);
    const issued = motionRecord.body.items.find((e: { event: string }) => e.event === 'issued');
    expect(issued.links.meeting).toBe(path);
    const order = await get(issued.links.order, p.staff);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({
      id: result.resolutionId,
      kind: 'resolution',
      links: { meeting: path },
    });
    const orderRecord = await get(order.body.links.record);
    expect(orderRecord.body.items[0]).toMatchObject({ event: 'issued', matterId: result.resolutionId });

    // Another compound's users get nothing of it.
    const other = await makeCompound();
    const stranger = await makeUser(other, ['staff'], '外人');
    const strangerAuth = await stack.login(stranger);
    expect(
      (await request(stack.app).get(decided.links.votes).set('Authorization', strangerAuth)).status,
    ).toBe(403);
    expect((await request(stack.app).get(issued.links.order).set('Authorization', strangerAuth)).status).toBe(
      403,
    );
    expect((await get(`/api/v1/compounds/${c}/rectifications/nope`, p.staff)).status).toBe(404);
    expect((await get(`/api/v1/compounds/${c}/ledger?motionId=`)).status).toBe(400);
  });
});

describe('the annual evaluation over HTTP', () => {
  it('lets only the branch and the supervisory board sign, once each, and publishes when they agree', async () => {
    const c = await makeCompound();
    const p = await people(c);
    const other = await makeCompound();
    const foreignSupervisor = await makeUser(other, ['supervisoryBoard'], '外小区监事');
    // Last year's evaluation: the year is over, so its record is final once the meeting is recorded.
    const lastYear =
      Number(
        new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Asia/Shanghai' }).format(new Date()),
      ) - 1;
    const path = await trigger(c, p.staff.auth, 'annualEvaluation', { year: lastYear });
    const sign = (who: { auth: string }, body: object) =>
      request(stack.app).post(`${path}/sign`).set('Authorization', who.auth).send(body);
    const ok = {
      ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'average' },
      comment: '总体良好',
    };

    expect((await sign(p.branch, ok)).status).toBe(409); // not held yet
    const held = await request(stack.app)
      .post(`${path}/record`)
      .set('Authorization', p.staff.auth)
      .send({
        heldAt: new Date().toISOString(),
        attendance: [p.branch.id, p.supervisor.id],
        minutes: '年度评估',
      });
    expect(held.status).toBe(200);
    await eventually(
      () => request(stack.app).get(path).set('Authorization', p.staff.auth),
      (r) => r.body.status === 'signing',
    );
    expect((await sign(p.owners, ok)).status).toBe(403);
    expect((await sign(p.resident, ok)).status).toBe(403);
    expect((await sign({ auth: await stack.login(foreignSupervisor) }, ok)).status).toBe(403);
    expect((await sign(p.branch, { ...ok, ratings: { ownersCommittee: 'excellent' } })).status).toBe(400);
    expect((await sign(p.branch, ok)).status).toBe(200);
    expect((await sign(p.branch, ok)).status).toBe(409);
    expect((await sign(p.supervisor, ok)).status).toBe(200);

    const published = await eventually(
      () =>
        request(stack.app).get(`/api/v1/compounds/${c}/evaluations`).set('Authorization', p.resident.auth),
      (r) => r.body.items?.length === 1,
    );
    expect(published.body.items[0].ratings).toEqual(ok.ratings);

    // The report offices print and file: HTML with its charts, CSV and XLSX with Chinese headers.
    const year = published.body.items[0].year as number;
    const report = (format: string) =>
      request(stack.app)
        .get(`/api/v1/compounds/${c}/evaluations/${year}/report.${format}`)
        .set('Authorization', p.resident.auth);
    const html = await report('html');
    expect(html.status).toBe(200);
    expect(html.text).toContain('年度评估报告');
    expect(html.text).toContain('业主委员会：<span class="rating">值得信任</span>');
    expect(html.text).toContain('<svg');
    const csv = await report('csv');
    expect(csv.text.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      '组织,响应率,解决率,满意率,整改按期完成率,会议按期召开率,综合得分,建议评级,最终评级',
    );
    expect(csv.text).toContain('自管会');
    expect((await report('xlsx')).status).toBe(200);
    expect((await report('pdf')).status).toBe(400);
    expect(
      (
        await request(stack.app)
          .get(`/api/v1/compounds/${c}/evaluations/1999/report.html`)
          .set('Authorization', p.resident.auth)
      ).status,
    ).toBe(400);
    expect(
      (
        await request(stack.app)
          .get(`/api/v1/compounds/${c}/evaluations/2001/report.html`)
          .set('Authorization', p.resident.auth)
      ).status,
    ).toBe(404);
  });
});

describe('meeting settings', () => {
  it('when staff set a quorum above one, it answers 422 naming the field and keeps the old setting; a valid one is stored', async () => {
    const c = await makeCompound();
    const p = await people(c);
    const patch = (body: object) =>
      request(stack.app)
        .patch(`/api/v1/compounds/${c}/settings`)
        .set('Authorization', p.staff.auth)
        .send(body);
    const bad = await patch({ meetings: { quorumFraction: 1.5 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.fields[0].field).toBe('body.meetings.quorumFraction');
    const ok = await patch({ meetings: { quorumFraction: 0.75, holidays: ['2027-01-01'] } });
    expect(ok.status).toBe(200);
    const read = await request(stack.app).get(`/api/v1/compounds/${c}`).set('Authorization', p.resident.auth);
    expect(read.body.settings.meetings).toMatchObject({
      quorumFraction: 0.75,
      holidays: ['2027-01-01'],
      reminderDaysBefore: [3, 1],
    });
  });
});
