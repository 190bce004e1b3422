/**
 * The quarterly deliberation council (社区党组织主导季度议事会) and the annual evaluation by the rules
 * made precise in DOMAIN.md, on the time-skipping server with the real activities and database:
 * distinct attendance, an exact quorum, voting closed by hand only when everyone has voted, motions
 * with too few ballots referred, one person for one body, the SMC's hiring carried out by the owners'
 * committee, bounded workflows, and orders overdue twice put before the council.
 *
 * Every meeting here is extraordinary, dated from the test server's "now", so no test depends on where
 * in the calendar it runs (the suite also runs at pinned instants, GONGZHI_TEST_NOW).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { storeText } from '../../services/texts';
import { localParts } from '../../domain/calendar';
import { LIMITS, type TextRef } from '../../domain/limits';
import {
  DEFAULT_MEETING_SETTINGS,
  meetingWorkflowId,
  type MajorMatter,
  type MeetingSettings,
} from '../../domain/meetings';
import type { Role } from '../../domain/roles';
import type { VoteChoice } from '../../domain/votes';
import { Evaluation } from '../../models/evaluation';
import { LedgerEntry } from '../../models/ledger-entry';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { Referral } from '../../models/referral';
import type { Actor } from '../../workflows/contract';
import {
  addMotionUpdate,
  castVoteUpdate,
  closeVotingUpdate,
  confirmConveningUpdate,
  meetingStatusQuery,
  postponeMeetingUpdate,
  recordMeetingUpdate,
  rectificationStatusQuery,
  rectificationWorkflowId,
  scheduleMeetingUpdate,
  signEvaluationUpdate,
  type Body,
  type MeetingInput,
  type MeetingState,
  type MotionInput,
  type RectificationInput,
  type VoteReceipt,
} from '../../workflows/meeting-contract';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { recordHistory } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('council');
  ({ env, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

const now = async () => Number(await env.currentTimeMs());
const isoIn = async (ms: number) => new Date((await now()) + ms).toISOString();

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 1200; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Moves the test server's clock on, a day at a time (a long-held call can be cut by keepalive). */
async function sleepFor(ms: number) {
  for (let left = ms; left > 0; left -= DAY) await env.sleep(Math.min(left, DAY));
}

/** The update is refused: a WorkflowUpdateFailedError caused by an ApplicationFailure of this type. */
async function refused(p: Promise<unknown>, type: 'invalid' | 'forbidden' | 'conflict') {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(type);
}

async function person(compoundId: string, roles: Role[], name: string): Promise<Actor> {
  const u = await makeUser(compoundId, roles, name);
  return { userId: u.id, name, roles };
}

const stateOf = (h: WorkflowHandle) => h.query(meetingStatusQuery);
const agendaOf = (h: WorkflowHandle) =>
  waitFor(
    () => stateOf(h),
    (s) => s.agendaAssembledAt !== undefined,
    `agenda of ${h.workflowId}`,
  );
const statusIs = (h: WorkflowHandle, status: MeetingState['status']) =>
  waitFor(
    () => stateOf(h),
    (s) => s.status === status,
    `${h.workflowId} ${status}`,
  );
/** Closed in the read model (the last save is done), then the workflow's own result. */
async function closed(h: WorkflowHandle): Promise<MeetingState> {
  await waitFor(
    () => Meeting.findById(h.workflowId).lean(),
    (m) => m?.status === 'closed',
    `${h.workflowId} closed`,
  );
  return (await h.result()) as MeetingState;
}

let meetingSeq = 0;
/** An extraordinary meeting planned two hours from the server's now: its agenda is assembled at once. */
async function startMeeting(
  type: 'quarterlyDeliberation' | 'annualEvaluation',
  compoundId: string,
  opts: { settings?: Partial<MeetingSettings>; year?: number } = {},
): Promise<WorkflowHandle> {
  const period = `extra-test-${++meetingSeq}`;
  const input: MeetingInput = {
    compoundId,
    type,
    period,
    timeZone: TZ,
    settings: { ...DEFAULT_MEETING_SETTINGS, ...opts.settings },
    plannedAt: await isoIn(2 * HOUR),
    extraordinary: { reason: '测试', requestedBy: '测试' },
    ...(opts.year !== undefined ? { year: opts.year } : {}),
  };
  const handle = await env.client.workflow.start(type, {
    workflowId: meetingWorkflowId(type, compoundId, period),
    taskQueue,
    args: [input],
  });
  await agendaOf(handle);
  return handle;
}

interface Council {
  compoundId: string;
  handle: WorkflowHandle;
  staff: Actor;
  branch: Actor;
  owners: Actor;
  /** The whole roster: branch, owners' committee, then the council members. */
  members: Actor[];
}

/** A compound whose council has `size` members (branch, owners' committee, representatives). */
async function council(size: number, settings?: Partial<MeetingSettings>): Promise<Council> {
  const compoundId = await makeCompound();
  const staff = await person(compoundId, ['staff'], '马丽');
  const branch = await person(compoundId, ['partyBranch'], '王书记');
  const owners = await person(compoundId, ['ownersCommittee'], '刘主任');
  const reps: Actor[] = [];
  for (let i = 1; i <= size - 2; i++)
    reps.push(await person(compoundId, ['councilMember', 'resident'], `代表${i}`));
  const handle = await startMeeting('quarterlyDeliberation', compoundId, { settings });
  const s = await stateOf(handle);
  expect(s.quarterly!.roster).toHaveLength(size);
  return { compoundId, handle, staff, branch, owners, members: [branch, owners, ...reps] };
}

const convene = async (c: Council) => {
  await c.handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: c.branch }] });
  await c.handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: c.owners }] });
};
const recordHeld = async (h: WorkflowHandle, staff: Actor, attendance: string[]) =>
  h.executeUpdate(recordMeetingUpdate, {
    args: [
      {
        actor: staff,
        heldAt: new Date(await now()).toISOString(),
        attendance,
        minutes: '会议按议程逐项审议。',
        decisions: [],
      },
    ],
  });
const propose = (h: WorkflowHandle, actor: Actor, fields: Partial<MotionInput> = {}) =>
  h.executeUpdate(addMotionUpdate, {
    args: [{ actor, title: '更换门禁系统', matter: 'vitalInterests' as MajorMatter, ...fields }],
  });
const newMotionId = (before: MeetingState, after: MeetingState) =>
  after.agenda.find((i) => i.motion && !before.agenda.some((b) => b.id === i.id))!.id;
const vote = (h: WorkflowHandle, actor: Actor, motionId: string, choice: VoteChoice) =>
  h.executeUpdate(castVoteUpdate, { args: [{ actor, motionId, choice }] });
const ids = (as: Actor[]) => as.map((a) => a.userId);

describe('council attendance', () => {
  it('refuses one member listed four times, a non-member, and more people than the roster; accepts distinct members', async () => {
    const c = await council(4);
    const outsider = await person(c.compoundId, ['resident'], '路人甲');
    const [branch, owners, rep1] = c.members as [Actor, Actor, Actor, Actor];
    await convene(c);
    const before = await stateOf(c.handle);

    await refused(
      recordHeld(c.handle, c.staff, [rep1.userId, rep1.userId, rep1.userId, rep1.userId]),
      'invalid',
    );
    await refused(recordHeld(c.handle, c.staff, [branch.userId, outsider.userId]), 'invalid');
    await refused(recordHeld(c.handle, c.staff, [...ids(c.members), outsider.userId]), 'invalid');
    await refused(
      recordHeld(
        c.handle,
        c.staff,
        Array.from({ length: LIMITS.participants + 1 }, (_, i) => `nobody-${i}`),
      ),
      'invalid',
    );
    expect(await stateOf(c.handle)).toEqual(before);
    expect(await LedgerEntry.countDocuments({ matterId: c.handle.workflowId, event: 'held' })).toBe(0);

    const held = await recordHeld(c.handle, c.staff, [branch.userId, owners.userId, rep1.userId]);
    expect(held.held!.attendance).toEqual([branch.userId, owners.userId, rep1.userId]);
    const done = await closed(c.handle);
    expect(done.quarterly!.quorum).toMatchObject({ present: 3, members: 4, met: true, needed: 3 });
  });
});

describe('the council quorum', () => {
  it('with a quorum of 2/3 and six members, three present is no quorum and the motion is referred', async () => {
    const c = await council(6, { quorumFraction: '2/3' });
    await convene(c);
    const before = await stateOf(c.handle);
    const after = await propose(c.handle, c.members[2]!);
    const motionId = newMotionId(before, after);
    await recordHeld(c.handle, c.staff, ids(c.members.slice(0, 3)));
    const done = await closed(c.handle);
    expect(done.quarterly!.quorum).toEqual({
      present: 3,
      members: 6,
      met: false,
      fraction: '2/3',
      needed: 4,
    });
    expect(done.quarterly!.results).toEqual({});
    expect(done.quarterly!.referred![motionId]!.reason).toContain('未达到法定人数 4 人');
  });

  it('with a quorum of 2/3 and six members, four present is a quorum', async () => {
    const c = await council(6, { quorumFraction: '2/3' });
    await convene(c);
    await recordHeld(c.handle, c.staff, ids(c.members.slice(0, 4)));
    const done = await closed(c.handle);
    expect(done.quarterly!.quorum).toEqual({ present: 4, members: 6, met: true, fraction: '2/3', needed: 4 });
  });

  it.each(['0.5001', 0.5001])(
    'with a quorum of %p and two members, one present is no quorum (rounding the share would say it is)',
    async (fraction) => {
      const c = await council(2, { quorumFraction: fraction });
      await convene(c);
      await recordHeld(c.handle, c.staff, [c.branch.userId]);
      const done = await closed(c.handle);
      expect(done.quarterly!.quorum).toMatchObject({ present: 1, members: 2, met: false, needed: 2 });
    },
  );
});

describe('closing the vote', () => {
  it('refuses closing by hand while votes are missing; once everyone present has voted it closes by itself and decides', async () => {
    const c = await council(4);
    const [branch, owners, rep1] = c.members as [Actor, Actor, Actor, Actor];
    await convene(c);
    const s0 = await stateOf(c.handle);
    const s1 = await propose(c.handle, rep1, { title: '增设电动车充电桩' });
    const m1 = newMotionId(s0, s1);
    const s2 = await propose(c.handle, rep1, { title: '小区绿化改造' });
    const m2 = newMotionId(s1, s2);
    const present = [branch, owners, rep1];
    await recordHeld(c.handle, c.staff, ids(present));
    const open = await statusIs(c.handle, 'voting');

    await refused(c.handle.executeUpdate(closeVotingUpdate, { args: [{ actor: branch }] }), 'conflict');
    for (const p of present) await vote(c.handle, p, m1, 'yes');
    await vote(c.handle, branch, m2, 'yes');
    await vote(c.handle, owners, m2, 'no');
    // Everyone has voted on the first motion, not yet on the second: still refused, nothing changed.
    const before = await stateOf(c.handle);
    await refused(c.handle.executeUpdate(closeVotingUpdate, { args: [{ actor: branch }] }), 'conflict');
    expect(await stateOf(c.handle)).toEqual(before);
    expect(before.status).toBe('voting');

    await vote(c.handle, rep1, m2, 'no');
    // The clock is read when the meeting shows closed, before awaiting the result: awaiting a
    // workflow's result lets the test server skip time, past the window, once it only waits on timers.
    await waitFor(
      () => Meeting.findById(c.handle.workflowId).lean(),
      (m) => m?.status === 'closed',
      'meeting closed',
    );
    expect(await now()).toBeLessThan(Date.parse(open.quarterly!.votingOpenUntil!));
    const done = await closed(c.handle);
    expect(done.quarterly!.results[m1]).toMatchObject({ passed: true, tally: { yes: 3, no: 0, abstain: 0 } });
    expect(done.quarterly!.results[m2]).toMatchObject({
      passed: false,
      tally: { yes: 1, no: 2, abstain: 0 },
    });
  });

  it('closes when the voting window ends with votes missing, and decides the motion then', async () => {
    const c = await council(3, { votingWindowHours: 5 });
    const [branch, owners, rep1] = c.members as [Actor, Actor, Actor];
    await convene(c);
    const s0 = await stateOf(c.handle);
    const motionId = newMotionId(s0, await propose(c.handle, rep1));
    await recordHeld(c.handle, c.staff, ids(c.members));
    const open = await statusIs(c.handle, 'voting');
    const until = Date.parse(open.quarterly!.votingOpenUntil!);
    expect(until - Date.parse(open.held!.heldAt)).toBeGreaterThanOrEqual(5 * HOUR - 60_000);
    await vote(c.handle, branch, motionId, 'yes');
    await vote(c.handle, owners, motionId, 'yes');

    await env.sleep(until - (await now()) - HOUR);
    expect((await stateOf(c.handle)).status).toBe('voting');
    await env.sleep(until - (await now()) + 60_000);
    const done = await closed(c.handle);
    expect(done.quarterly!.results[motionId]).toMatchObject({
      passed: true,
      tally: { yes: 2, no: 0, abstain: 0 },
    });
    const decided = await LedgerEntry.findOne({ matterId: c.handle.workflowId, event: 'motionDecided' })
      .lean()
      .orFail();
    expect(decided.at.getTime()).toBeGreaterThanOrEqual(until);
  });
});

describe('a motion with fewer ballots than the quorum', () => {
  it('decides nothing: no result, referred with its reason filed, a referral for the next council, no resolution', async () => {
    const c = await council(4); // quorum 2/3 of 4: 3
    const [branch, owners, rep1] = c.members as [Actor, Actor, Actor, Actor];
    await convene(c);
    const s0 = await stateOf(c.handle);
    const s1 = await propose(c.handle, rep1, { title: '更换电梯', matter: 'fundUse', amount: 200_000 });
    const thin = newMotionId(s0, s1);
    const full = newMotionId(s1, await propose(c.handle, rep1, { title: '增设路灯' }));
    await recordHeld(c.handle, c.staff, ids(c.members));
    await statusIs(c.handle, 'voting');
    await vote(c.handle, branch, thin, 'yes');
    await vote(c.handle, owners, thin, 'yes');
    for (const p of [branch, owners, rep1]) await vote(c.handle, p, full, 'yes');
    await env.sleep(DEFAULT_MEETING_SETTINGS.votingWindowHours * HOUR + 60_000);
    const done = await closed(c.handle);

    expect(done.quarterly!.quorum).toMatchObject({ met: true, needed: 3 });
    expect(done.quarterly!.results[thin]).toBeUndefined();
    expect(done.quarterly!.results[full]).toMatchObject({ passed: true });
    const referred = done.quarterly!.referred![thin]!;
    expect(referred.reason).toContain('仅 2 人表决');
    const ledger = await LedgerEntry.find({ matterId: c.handle.workflowId }).lean();
    const filed = ledger.filter((e) => e.event === 'motionReferred');
    expect(filed).toHaveLength(1);
    expect(filed[0]!.content).toMatchObject({ motionId: thin, reason: referred.reason });
    const referral = await Referral.findById(referred.referralId).lean().orFail();
    expect(referral).toMatchObject({
      compoundId: c.compoundId,
      target: 'quarterlyDeliberation',
      matter: 'fundUse',
      amount: 200_000,
      source: { meetingId: c.handle.workflowId, motionId: thin },
    });
    expect(await Rectification.countDocuments({ 'source.motionId': thin })).toBe(0);
    expect(await Rectification.countDocuments({ 'source.motionId': full })).toBe(1);
    await recordHistory(c.handle, 'quarterlyDeliberation-referred');

    // The next council takes it up again as a motion.
    const next = await startMeeting('quarterlyDeliberation', c.compoundId);
    const item = (await stateOf(next)).agenda.find((i) => i.referralIds?.includes(referred.referralId));
    expect(item?.motion).toMatchObject({ matter: 'fundUse', amount: 200_000, proposedBy: 'referral' });
  });

  it('when the branch votes yes alone and nobody else votes, the motion does not pass "1/1 = 100%"', async () => {
    const c = await council(3);
    await convene(c);
    const s0 = await stateOf(c.handle);
    const motionId = newMotionId(s0, await propose(c.handle, c.branch, { title: '党支部提议：修缮车棚' }));
    await recordHeld(c.handle, c.staff, ids(c.members));
    await statusIs(c.handle, 'voting');
    const receipt = await vote(c.handle, c.branch, motionId, 'yes');
    expect(receipt).toEqual({ motionId, choice: 'yes', ballots: 1 });
    await env.sleep(DEFAULT_MEETING_SETTINGS.votingWindowHours * HOUR + 60_000);
    const done = await closed(c.handle);

    expect(done.quarterly!.results).toEqual({});
    expect(done.quarterly!.referred![motionId]!.reason).toContain('仅 1 人表决，少于法定人数 2 人');
    const events = (await LedgerEntry.find({ matterId: c.handle.workflowId }).lean()).map((e) => e.event);
    expect(events).toContain('motionReferred');
    expect(events).not.toContain('motionDecided');
    expect(events).not.toContain('resolution');
    expect(await Rectification.countDocuments({ 'source.meetingId': c.handle.workflowId })).toBe(0);
    expect(
      await Referral.countDocuments({ 'source.motionId': motionId, target: 'quarterlyDeliberation' }),
    ).toBe(1);
  });
});

describe('one person, one body', () => {
  it('lets a member of both the branch and the owners’ committee confirm convening once; a second person confirms for the other body', async () => {
    const compoundId = await makeCompound();
    const staff = await person(compoundId, ['staff'], '马丽');
    const both = await person(compoundId, ['partyBranch', 'ownersCommittee'], '王书记兼主任');
    const owners2 = await person(compoundId, ['ownersCommittee'], '刘委员');
    const rep = await person(compoundId, ['councilMember'], '陈代表');
    const handle = await startMeeting('quarterlyDeliberation', compoundId);

    const first = await handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: both }] });
    expect(first.quarterly!.convening.partyBranch?.userId).toBe(both.userId);
    const before = await stateOf(handle);
    await refused(handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: both }] }), 'conflict');
    await refused(
      handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: both, body: 'ownersCommittee' }] }),
      'conflict',
    );
    await refused(recordHeld(handle, staff, ids([both, owners2, rep])), 'conflict');
    expect(await stateOf(handle)).toEqual(before);

    const second = await handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: owners2 }] });
    expect(second.quarterly!.convening.ownersCommittee?.userId).toBe(owners2.userId);
    const held = await recordHeld(handle, staff, ids([both, owners2, rep]));
    expect(held.held?.attendance).toHaveLength(3);
    await closed(handle);
  });

  it('lets a member of both the branch and the supervisory board sign the annual evaluation once; another supervisor signs for the board', async () => {
    const compoundId = await makeCompound();
    const staff = await person(compoundId, ['staff'], '马丽');
    const both = await person(compoundId, ['partyBranch', 'supervisoryBoard'], '杨书记兼监事');
    const sup2 = await person(compoundId, ['supervisoryBoard'], '耿大爷');
    const lastYear = localParts(new Date(await now()), TZ).year - 1;
    const handle = await startMeeting('annualEvaluation', compoundId, { year: lastYear });
    await recordHeld(handle, staff, ids([both, sup2]));
    await statusIs(handle, 'signing');
    const ratings = { ownersCommittee: 'trustworthy', selfManagementCommittee: 'average' } as const;

    const first = await handle.executeUpdate(signEvaluationUpdate, {
      args: [{ actor: both, ratings, comment: '总体良好' }],
    });
    expect(first.annual!.signatures.partyBranch?.userId).toBe(both.userId);
    const before = await stateOf(handle);
    await refused(
      handle.executeUpdate(signEvaluationUpdate, { args: [{ actor: both, ratings, comment: '同意' }] }),
      'conflict',
    );
    await refused(
      handle.executeUpdate(signEvaluationUpdate, {
        args: [{ actor: both, ratings, comment: '同意', body: 'supervisoryBoard' }],
      }),
      'conflict',
    );
    expect(await stateOf(handle)).toEqual(before);

    const second = await handle.executeUpdate(signEvaluationUpdate, {
      args: [{ actor: sup2, ratings, comment: '同意' }],
    });
    expect(second.annual!.signatures.supervisoryBoard?.userId).toBe(sup2.userId);
    await closed(handle);
    const published = await Evaluation.findById(handle.workflowId).lean().orFail();
    expect(published).toMatchObject({ year: lastYear, ratings });
  });
});

describe('hiring or dismissing the self-management committee', () => {
  it('refuses delegating it to the committee itself; passed, the owners’ committee carries out the resolution', async () => {
    const c = await council(3);
    const [, , rep1] = c.members as [Actor, Actor, Actor];
    const before = await stateOf(c.handle);
    await refused(
      propose(c.handle, rep1, {
        title: '续聘自管会',
        matter: 'selfManagementCommittee',
        delegateTo: 'selfManagementCommittee',
      }),
      'invalid',
    );
    expect(await stateOf(c.handle)).toEqual(before);
    const after = await propose(c.handle, rep1, { title: '续聘自管会', matter: 'selfManagementCommittee' });
    const motionId = newMotionId(before, after);
    expect(after.agenda.find((i) => i.id === motionId)!.motion!.delegateTo).toBe('ownersCommittee');

    await convene(c);
    await recordHeld(c.handle, c.staff, ids(c.members));
    await statusIs(c.handle, 'voting');
    for (const p of c.members) await vote(c.handle, p, motionId, 'yes');
    const done = await closed(c.handle);
    const result = done.quarterly!.results[motionId]!;
    expect(result.passed).toBe(true);
    const order = await waitFor(
      () => Rectification.findById(result.resolutionId).lean(),
      (o) => o !== null,
      'the resolution order',
    );
    expect(order).toMatchObject({ kind: 'resolution', owner: 'ownersCommittee', issuer: 'ownersCommittee' });
  });
});

const textOf = (n: number, ch = '议') => ch.repeat(n);
const hexRef = (seed: number): TextRef => ({
  ref: `text:${seed.toString(16).padStart(64, '0')}`,
  excerpt: '详见附件',
});

describe('bounded workflows', () => {
  it(`refuses a member's motion beyond ${LIMITS.motionsPerMember}`, async () => {
    const c = await council(3);
    const rep = c.members[2]!;
    for (let i = 0; i < LIMITS.motionsPerMember; i++) await propose(c.handle, rep, { title: `议案${i}` });
    const before = await stateOf(c.handle);
    await refused(propose(c.handle, rep, { title: '再一项' }), 'conflict');
    expect(await stateOf(c.handle)).toEqual(before);
    await propose(c.handle, c.branch, { title: '他人的议案' });
  });

  it(`refuses a council's motion beyond ${LIMITS.motionsPerCouncil}`, async () => {
    const size = Math.ceil((LIMITS.motionsPerCouncil + 1) / LIMITS.motionsPerMember);
    const c = await council(size);
    for (let i = 0; i < LIMITS.motionsPerCouncil; i++)
      await propose(c.handle, c.members[Math.floor(i / LIMITS.motionsPerMember)]!, { title: `议案${i}` });
    const before = await stateOf(c.handle);
    expect(before.agenda.filter((i) => i.motion)).toHaveLength(LIMITS.motionsPerCouncil);
    await refused(propose(c.handle, c.members[size - 1]!, { title: '多出的议案' }), 'conflict');
    expect(await stateOf(c.handle)).toEqual(before);
  });

  it(`refuses a title over ${LIMITS.titleChars} characters and a plain detail over ${LIMITS.inlineTextChars}; a reference carries long text`, async () => {
    const c = await council(3);
    const rep = c.members[2]!;
    const before = await stateOf(c.handle);
    await refused(propose(c.handle, rep, { title: textOf(LIMITS.titleChars + 1) }), 'invalid');
    await refused(
      propose(c.handle, rep, { title: '门禁', detail: textOf(LIMITS.inlineTextChars + 1, '详') }),
      'invalid',
    );
    await refused(
      propose(c.handle, rep, { title: '门禁', detail: { ref: 'text:not-a-hash', excerpt: '详见' } }),
      'invalid',
    );
    expect(await stateOf(c.handle)).toEqual(before);
    // At the limits (counted in characters, not UTF-16 units): accepted.
    await propose(c.handle, rep, {
      title: textOf(LIMITS.titleChars, '𠀀'),
      detail: textOf(LIMITS.inlineTextChars, '详'),
    });
    const after = await propose(c.handle, rep, { title: '门禁', detail: hexRef(1) });
    expect(after.agenda.at(-1)!.detail).toEqual(hexRef(1));
  });

  it(`refuses a postponement beyond ${LIMITS.postponements} and a place over ${LIMITS.placeChars} characters`, async () => {
    const c = await council(3);
    for (let i = 1; i <= LIMITS.postponements; i++) {
      await c.handle.executeUpdate(postponeMeetingUpdate, {
        args: [{ actor: c.staff, reason: `第${i}次延期`, newDate: await isoIn((2 + i) * HOUR) }],
      });
    }
    const before = await stateOf(c.handle);
    expect(before.postponements).toHaveLength(LIMITS.postponements);
    await refused(
      c.handle.executeUpdate(postponeMeetingUpdate, {
        args: [{ actor: c.staff, reason: '再延期', newDate: await isoIn(DAY) }],
      }),
      'conflict',
    );
    await refused(
      c.handle.executeUpdate(scheduleMeetingUpdate, {
        args: [
          {
            actor: c.staff,
            at: await isoIn(HOUR),
            place: textOf(LIMITS.placeChars + 1, '室'),
            participants: ids(c.members),
          },
        ],
      }),
      'invalid',
    );
    expect(await stateOf(c.handle)).toEqual(before);
  });

  it('a council at every cap completes, with a history well under Temporal’s limits and small update results', async () => {
    const compoundId = await makeCompound();
    const staff = await person(compoundId, ['staff'], '马丽');
    const branch = await person(compoundId, ['partyBranch'], '王书记');
    const owners = await person(compoundId, ['ownersCommittee'], '刘主任');
    const reps = await Promise.all(
      Array.from({ length: LIMITS.rosterMembers - 2 }, (_, i) =>
        person(compoundId, ['councilMember', 'resident'], `代表${String(i + 1).padStart(2, '0')}`),
      ),
    );
    const members = [branch, owners, ...reps];
    const handle = await startMeeting('quarterlyDeliberation', compoundId);
    expect((await stateOf(handle)).quarterly!.roster).toHaveLength(LIMITS.rosterMembers);

    // Motions: every one with a maximal title and a long detail by reference.
    const detail = await storeText(compoundId, textOf(LIMITS.textChars, '详'));
    for (let i = 0; i < LIMITS.motionsPerCouncil; i++) {
      const title = `${String(i).padStart(2, '0')}号`;
      const s = await propose(handle, members[Math.floor(i / LIMITS.motionsPerMember)]!, {
        title: title + textOf(LIMITS.titleChars - title.length),
        detail,
      });
      expect(s.agenda.at(-1)!.detail).toEqual(detail);
    }
    for (let i = 1; i <= LIMITS.postponements; i++) {
      await handle.executeUpdate(postponeMeetingUpdate, {
        args: [
          {
            actor: staff,
            reason: `${i}` + textOf(LIMITS.reasonChars - 1, '因'),
            newDate: await isoIn((2 + i) * HOUR),
          },
        ],
      });
    }
    await handle.executeUpdate(scheduleMeetingUpdate, {
      args: [
        {
          actor: staff,
          at: await isoIn(6 * HOUR),
          place: textOf(LIMITS.placeChars, '室'),
          participants: ids(members).slice(0, LIMITS.participants),
        },
      ],
    });
    await handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: branch }] });
    await handle.executeUpdate(confirmConveningUpdate, { args: [{ actor: owners }] });
    await recordHeld(handle, staff, ids(members));
    const open = await statusIs(handle, 'voting');
    const motions = open.agenda.filter((i) => i.motion).map((i) => i.id);
    expect(motions).toHaveLength(LIMITS.motionsPerCouncil);

    // Every member votes on every motion: 4 in 5 yes, so every motion passes.
    const ballots = motions.flatMap((motionId) =>
      members.map((m, i) => ({ m, motionId, choice: (i % 5 === 4 ? 'no' : 'yes') as VoteChoice })),
    );
    const receipts: VoteReceipt[] = [];
    for (let i = 0; i < ballots.length; i += 10) {
      const batch = ballots.slice(i, i + 10);
      receipts.push(
        ...((await Promise.all(batch.map((b) => vote(handle, b.m, b.motionId, b.choice)))) as VoteReceipt[]),
      );
    }
    for (const [i, r] of receipts.entries()) {
      expect(Object.keys(r).sort()).toEqual(['ballots', 'choice', 'motionId']);
      expect(r).toMatchObject({ motionId: ballots[i]!.motionId, choice: ballots[i]!.choice });
      expect(JSON.stringify(r).length).toBeLessThan(200);
    }

    await waitFor(
      () => Meeting.findById(handle.workflowId).lean(),
      (m) => m?.status === 'closed',
      'the maximal council closed',
    );
    const done = (await handle.result()) as MeetingState;
    expect(Object.values(done.quarterly!.results).filter((r) => r.passed)).toHaveLength(
      LIMITS.motionsPerCouncil,
    );
    // Who voted what stays in the workflow and the votes collection, never in its answers or read model.
    expect(done.quarterly!.votes).toBeUndefined();
    const saved = await Meeting.findById(handle.workflowId).lean().orFail();
    expect((saved.state as MeetingState).quarterly!.votes).toBeUndefined();
    expect(done.quarterly!.ballots).toEqual(
      Object.fromEntries(motions.map((id) => [id, LIMITS.rosterMembers])),
    );

    const h = await handle.fetchHistory();
    const events = h.events?.length ?? 0;
    const bytes = temporal.api.history.v1.History.encode(h).finish().length;
    const largest = Math.max(
      ...(h.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length),
    );
    console.log(
      `[bounded] council history: ${events} events, ${bytes} bytes (largest event ${largest} bytes)`,
    );
    expect(events).toBeLessThan(51_200);
    expect(bytes).toBeLessThan(50 * 1024 * 1024);
    expect(largest).toBeLessThan(2 * 1024 * 1024); // Temporal's limit on one payload
  }, 600_000);
});

describe('an order overdue a second time', () => {
  async function overdueTwice(owner: Body) {
    const compoundId = await makeCompound();
    const orderId = `o-${Math.random().toString(16).slice(2, 10)}`;
    const settings = DEFAULT_MEETING_SETTINGS.rectification;
    const input: RectificationInput = {
      orderId,
      compoundId,
      kind: 'rectification',
      title: '垃圾清运不及时',
      detail: '每日清运两次',
      timeZone: TZ,
      owner,
      issuer: owner === 'ownersCommittee' ? 'partyBranch' : 'ownersCommittee',
      deadline: await isoIn(DAY),
      source: {},
      settings,
    };
    const order = await env.client.workflow.start('rectificationOrder', {
      workflowId: rectificationWorkflowId(orderId),
      taskQueue,
      args: [input],
    });
    await sleepFor(DAY + settings.secondEscalationDays * DAY + HOUR);
    expect((await order.query(rectificationStatusQuery)).escalationLevel).toBe(2);
    const referral = await waitFor(
      () => Referral.findById(`${orderId}-overdue-2`).lean(),
      (r) => r !== null,
      'the second overdue referral',
    );
    return { compoundId, orderId, referral: referral! };
  }

  it.each([
    ['selfManagementCommittee', 'selfManagementCommittee', 'ownersCommittee'],
    ['ownersCommittee', 'vitalInterests', 'ownersCommittee'],
  ] as const)(
    'owned by %s reaches the council as a motion on %s, carried out by %s',
    async (owner, matter, delegateTo) => {
      const { compoundId, orderId, referral } = await overdueTwice(owner);
      expect(referral).toMatchObject({
        target: 'quarterlyDeliberation',
        matter,
        delegateTo,
        source: { orderId },
      });

      await person(compoundId, ['partyBranch'], '王书记');
      const next = await startMeeting('quarterlyDeliberation', compoundId);
      const motions = (await stateOf(next)).agenda.filter((i) => i.motion);
      expect(motions).toHaveLength(1);
      expect(motions[0]).toMatchObject({
        id: `referral-${orderId}-overdue-2`,
        referralIds: [`${orderId}-overdue-2`],
        motion: { matter, delegateTo, proposedBy: 'referral' },
      });
    },
  );
});
