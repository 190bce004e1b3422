/**
 * A compound through a whole year of the four meetings, on the time-skipping server with the real
 * activities and database: twelve monthly consultations, twelve coordinations, four councils and the
 * annual evaluation — with a missed meeting and an overdue rectification escalating as they should.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { NotificationInput } from '../../activities/notifications';
import { localParts, zonedTime } from '../../domain/calendar';
import { testNow } from '../helpers/clock';
import { meetingWorkflowId, type MeetingType } from '../../domain/meetings';
import type { Role } from '../../domain/roles';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { Referral } from '../../models/referral';
import { LedgerEntry } from '../../models/ledger-entry';
import { Evaluation } from '../../models/evaluation';
import { Vote } from '../../models/vote';
import {
  addMotionUpdate,
  castVoteUpdate,
  confirmConveningUpdate,
  cycleWorkflowId,
  finalizeEvaluationUpdate,
  meetingStatusQuery,
  recordMeetingUpdate,
  signEvaluationUpdate,
  type Decision,
  type MeetingState,
} from '../../workflows/meeting-contract';
import type { Actor } from '../../workflows/contract';
import { recordHistory } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { makeCompound, makeUser, makeVoice } from '../helpers/fixtures';

const TZ = 'Asia/Shanghai';
/** The year the test runs through: the one after the run's (possibly pinned) start, so it is all ahead. */
const Y = localParts(testNow(), TZ).year + 1;
let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('year');
  ({ env, sent, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

const now = async () => Number(await env.currentTimeMs());
/** YEAR_TRACE=1 prints where the year is, for when a step hangs. */
const t0 = Date.now();
const trace = (what: string) =>
  process.env.YEAR_TRACE && console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${what}`);
async function sleepUntil(t: Date) {
  trace(`sleep until ${t.toISOString()}`);
  const ms = t.getTime() - (await now());
  if (ms <= 0) return;
  // Day by day: each call to the test server stays short (a long-held call can be cut by keepalive).
  for (let left = ms; left > 0; left -= 86_400_000) await env.sleep(Math.min(left, 86_400_000));
}
const at = (y: number, m: number, d: number, h = 10) => zonedTime(TZ, y, m, d, h);

async function waitFor<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('runs a compound through a year of the four meetings, escalating a missed meeting and an overdue order', async () => {
  const compoundId = await makeCompound();
  const person = async (roles: Role[], name: string): Promise<Actor> => {
    const u = await makeUser(compoundId, roles, name);
    return { userId: u.id, name, roles };
  };
  const staff = await person(['staff'], '马丽');
  const branch = await person(['partyBranch'], '王书记');
  const owners = await person(['ownersCommittee'], '刘主任');
  const supervisor = await person(['supervisoryBoard'], '杨大爷');
  const leader = await person(['buildingLeader', 'resident'], '李楼长');
  const rep1 = await person(['councilMember', 'resident'], '陈代表');
  const rep2 = await person(['councilMember', 'resident'], '赵代表');
  const outsider = await person(['resident'], '路人甲');
  await makeVoice(compoundId, { text: '3号楼垃圾清运不及时' });
  await makeVoice(compoundId, { text: '自管会巡逻人员服务态度差，推诿' });

  const cycle = await env.client.workflow.start('governanceCycle', {
    workflowId: cycleWorkflowId(compoundId),
    taskQueue,
    args: [{ compoundId, nextMonth: `${Y}-01` }],
  });
  const firstRun = (await cycle.describe()).runId;

  const handle = (type: MeetingType, period: string) =>
    env.client.workflow.getHandle(meetingWorkflowId(type, compoundId, period));
  const stateOf = (h: WorkflowHandle) => h.query(meetingStatusQuery);
  // Closed in the read model, not only in the workflow: the last save may still be on its way.
  const closed = async (h: WorkflowHandle) => {
    await waitFor(
      () => Meeting.findById(h.workflowId).lean(),
      (m) => m?.status === 'closed',
      `${h.workflowId} closed`,
    );
    return stateOf(h);
  };
  const agendaOf = (h: WorkflowHandle) =>
    waitFor(
      () => stateOf(h),
      (s) => s.agendaAssembledAt !== undefined,
      `agenda of ${h.workflowId}`,
    );
  const record = async (
    h: WorkflowHandle,
    decide: (s: MeetingState) => Decision[],
    attendance?: string[],
  ) => {
    const s = await agendaOf(h);
    const result = await h.executeUpdate(recordMeetingUpdate, {
      args: [
        {
          actor: staff,
          heldAt: new Date(await now()).toISOString(),
          attendance: attendance ?? [branch.userId, owners.userId],
          minutes: '会议按议程逐项讨论并形成决定。',
          decisions: decide(s),
        },
      ],
    });
    // Let the meeting finish what follows its record before the clock moves on.
    if (s.type !== 'quarterlyDeliberation' && s.type !== 'annualEvaluation') {
      await closed(h);
    }
    return result;
  };
  let lateEvaluation: { ev: WorkflowHandle; preliminaryVoices: number } | undefined;
  const noAction = (s: MeetingState): Decision[] =>
    s.agenda.map((i) => ({ itemId: i.id, decision: '已研究', disposition: 'noFurtherAction' }));

  for (let month = 1; month <= 12; month++) {
    const period = `${Y}-${String(month).padStart(2, '0')}`;

    // Mid-month: the periodic coordination.
    await sleepUntil(at(Y, month, 14));
    await record(
      handle('periodicCoordination', period),
      (s) => s.agenda.map((i) => ({ itemId: i.id, decision: '督促按期完成' })),
      [owners.userId],
    );

    // Late in the quarter's last month: the council.
    if (month % 3 === 0) {
      const q = handle('quarterlyDeliberation', `${Y}-Q${month / 3}`);
      await sleepUntil(at(Y, month, 23));
      const s = await agendaOf(q);
      expect(s.quarterly!.roster.map((m) => m.userId).sort()).toEqual(
        [branch, owners, supervisor, leader, rep1, rep2].map((a) => a.userId).sort(),
      );
      // Recording before both conveners confirm is refused.
      await expect(record(q, () => [], [branch.userId])).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await q.executeUpdate(confirmConveningUpdate, { args: [{ actor: branch }] });
      await q.executeUpdate(confirmConveningUpdate, { args: [{ actor: owners }] });
      await q.executeUpdate(addMotionUpdate, {
        args: [{ actor: rep1, title: `更换${month}号楼门禁系统`, matter: 'fundUse', amount: 50_000 }],
      });
      const present = [branch, owners, supervisor, leader, rep1];
      await record(
        q,
        () => [],
        present.map((p) => p.userId),
      );
      const open = await waitFor(
        () => stateOf(q),
        (x) => x.status === 'voting',
        'voting open',
      );
      const motions = open.agenda.filter((i) => i.motion);
      // Everyone present votes: the member's motion passes 4:1; referred items fail 3:2 (no ≥ 30%).
      for (const m of motions) {
        const byMember = m.motion!.proposedBy !== 'referral';
        for (const [i, p] of present.entries()) {
          const choice = byMember ? (i < 4 ? 'yes' : 'no') : i < 3 ? 'yes' : 'no';
          await q.executeUpdate(castVoteUpdate, { args: [{ actor: p, motionId: m.id, choice }] });
        }
      }
      if (month === 3) {
        const first = motions[0]!.id;
        const again = q.executeUpdate(castVoteUpdate, {
          args: [{ actor: rep1, motionId: first, choice: 'no' }],
        });
        await expect(again).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await expect(
          q.executeUpdate(castVoteUpdate, { args: [{ actor: outsider, motionId: first, choice: 'yes' }] }),
        ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await expect(
          q.executeUpdate(castVoteUpdate, { args: [{ actor: rep2, motionId: first, choice: 'yes' }] }),
        ).rejects.toBeInstanceOf(WorkflowUpdateFailedError); // not present
      }
      const done = await closed(q);
      for (const m of motions) {
        const r = done.quarterly!.results[m.id]!;
        if (m.motion!.proposedBy !== 'referral') {
          expect(r).toMatchObject({ passed: true, tally: { yes: 4, no: 1, abstain: 0 }, base: 5 });
          expect(r.resolutionId).toBeDefined();
        } else {
          expect(r).toMatchObject({ passed: false, tally: { yes: 3, no: 2, abstain: 0 } });
        }
      }
      if (month === 3) {
        // The January complaint about the committee's service was sent to the council.
        expect(motions.some((m) => m.title.includes('自管会服务'))).toBe(true);
      }
    }

    // December: the annual evaluation.
    if (month === 12) {
      const ev = handle('annualEvaluation', String(Y));
      await sleepUntil(at(Y, 12, 27));
      const s = await agendaOf(ev);
      expect(s.annual!.records.map((r) => r.body).sort()).toEqual([
        'ownersCommittee',
        'selfManagementCommittee',
      ]);
      const preliminary = s.annual!.records.find((r) => r.body === 'selfManagementCommittee')!;
      await record(ev, () => [], [branch.userId, supervisor.userId]);
      // Recorded before the year is out: the sign-off waits for the whole year's record.
      const early = ev.executeUpdate(signEvaluationUpdate, {
        args: [
          {
            actor: branch,
            ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'average' },
            comment: '总体良好',
          },
        ],
      });
      await expect(early).rejects.toThrow(WorkflowUpdateFailedError);
      await expect(early.catch((e: Error) => Promise.reject(e.cause))).rejects.toThrow(/年末汇总/);
      // A complaint raised after the window opened still counts in the year's record.
      await makeVoice(compoundId, { text: '年底2号楼垃圾没人清运', createdAt: at(Y, 12, 29) });
      lateEvaluation = { ev, preliminaryVoices: preliminary.voices.total };
    }

    // Month end: the monthly consultation — except March, which is missed.
    const mc = handle('monthlyConsultation', period);
    if (month === 3) continue;
    const window = async () => new Date(Date.parse((await stateOf(mc)).plannedAt) - 2 * 86_400_000);
    await sleepUntil(month === 4 ? at(Y, 4, 6) : await window());
    if (month === 4) {
      // March's consultation, never held: escalated twice, then held late.
      const missed = handle('monthlyConsultation', `${Y}-03`);
      const s = await stateOf(missed);
      expect(s.escalationLevel).toBe(2);
      expect(s.overdue).toBe(true);
      const held = await record(missed, noAction);
      expect(held.held!.onTime).toBe(false);
      await sleepUntil(await window());
    }
    await record(mc, (s) =>
      s.agenda.map((i) =>
        i.category === 'sanitation'
          ? {
              itemId: i.id,
              decision: '交自管会',
              disposition: 'selfManagementCommittee',
              handlingOpinion: '增加清运频次',
              deadline: '10',
            }
          : i.category === 'serviceQuality'
            ? {
                itemId: i.id,
                decision: '提交议事会',
                disposition: 'residentsCouncil',
                handlingOpinion: '评议自管会服务',
              }
            : { itemId: i.id, decision: '已研究', disposition: 'noFurtherAction' },
      ),
    );
    if (month === 2) {
      // January's order to the committee ran over: it is on February's agenda.
      const feb = await stateOf(mc);
      expect(feb.agenda.some((i) => i.title.startsWith('逾期整改'))).toBe(true);
    }
  }

  // The year is over: the record is compiled again over the whole year, then both bodies sign.
  await sleepUntil(zonedTime(TZ, Y + 1, 1, 1, 0, 1));
  const { ev, preliminaryVoices } = lateEvaluation!;
  const signing = await waitFor(
    () => stateOf(ev),
    (x) => x.status === 'signing',
    'signing after the year end',
  );
  expect(signing.annual!.compiled?.final).toBeDefined();
  const final = signing.annual!.records.find((r) => r.body === 'selfManagementCommittee')!;
  expect(final.voices.total).toBe(preliminaryVoices + 1);
  await expect(
    ev.executeUpdate(signEvaluationUpdate, {
      args: [
        {
          actor: owners,
          ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'trustworthy' },
          comment: '自评',
        },
      ],
    }),
  ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await ev.executeUpdate(signEvaluationUpdate, {
    args: [
      {
        actor: branch,
        ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'average' },
        comment: '总体良好',
      },
    ],
  });
  await ev.executeUpdate(signEvaluationUpdate, {
    args: [
      {
        actor: supervisor,
        ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'untrustworthy' },
        comment: '整改屡次逾期',
      },
    ],
  });
  await waitFor(
    () => stateOf(ev),
    (x) => x.annual?.disagreement !== undefined,
    'disagreement',
  );
  await ev.executeUpdate(finalizeEvaluationUpdate, {
    args: [
      {
        actor: staff,
        ratings: { ownersCommittee: 'trustworthy', selfManagementCommittee: 'average' },
        comment: '责成自管会限期整改',
      },
    ],
  });
  await closed(ev);
  const published = await Evaluation.findById(meetingWorkflowId('annualEvaluation', compoundId, String(Y)))
    .lean()
    .orFail();
  expect(published.ratings).toEqual({
    ownersCommittee: 'trustworthy',
    selfManagementCommittee: 'average',
  });

  // Every period ran exactly once.
  const meetings = await Meeting.find({ compoundId, period: new RegExp(`^${Y}`) }).lean();
  const count = (t: string) => meetings.filter((m) => m.type === t).length;
  expect([
    count('monthlyConsultation'),
    count('periodicCoordination'),
    count('quarterlyDeliberation'),
    count('annualEvaluation'),
  ]).toEqual([12, 12, 4, 1]);
  expect(meetings.filter((m) => m.type !== 'annualEvaluation').every((m) => m.status === 'closed')).toBe(
    true,
  );

  // The January order: overdue → supervisory board and branch, February's consultation; overdue again → the council.
  const janOrder = await Rectification.findOne({
    compoundId,
    'source.meetingId': meetingWorkflowId('monthlyConsultation', compoundId, `${Y}-01`),
  })
    .lean()
    .orFail();
  expect(janOrder.escalationLevel).toBe(2);
  expect(sent.some((n) => n.to.role === 'supervisoryBoard' && n.title.includes('整改逾期'))).toBe(true);
  expect(await Referral.countDocuments({ compoundId, 'source.orderId': janOrder._id })).toBe(2);

  // The missed meeting was escalated to the party branch, and all of it is in the ledger.
  const march = await LedgerEntry.find({
    matterId: meetingWorkflowId('monthlyConsultation', compoundId, `${Y}-03`),
  }).lean();
  expect(march.filter((e) => e.event === 'escalated')).toHaveLength(2);
  expect(await LedgerEntry.countDocuments({ compoundId, event: 'motionDecided' })).toBeGreaterThanOrEqual(8);
  expect(await Vote.countDocuments({})).toBeGreaterThan(0);

  // The cycle continued as new instead of growing one endless history.
  expect((await cycle.describe()).runId).not.toBe(firstRun);

  // Histories of every workflow type, for the replay test (RECORD_HISTORIES=1 refreshes them).
  await recordHistory(
    env.client.workflow.getHandle(cycleWorkflowId(compoundId), firstRun),
    'governanceCycle',
  );
  await recordHistory(handle('monthlyConsultation', `${Y}-01`), 'monthlyConsultation');
  await recordHistory(handle('monthlyConsultation', `${Y}-03`), 'monthlyConsultation-missed');
  await recordHistory(handle('periodicCoordination', `${Y}-06`), 'periodicCoordination');
  await recordHistory(handle('quarterlyDeliberation', `${Y}-Q1`), 'quarterlyDeliberation');
  await recordHistory(handle('annualEvaluation', String(Y)), 'annualEvaluation');
  await recordHistory(
    env.client.workflow.getHandle(`rectification/${janOrder._id}`),
    'rectificationOrder-overdue',
  );
});
