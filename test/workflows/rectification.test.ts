/**
 * Rectification orders and the meeting life on the time-skipping server, with the real activities:
 * reminders, completion with evidence, verification (sent back, then accepted), extensions only with
 * a reason; a meeting postponed with a reason and a new date.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { NotificationInput } from '../../activities/notifications';
import { DEFAULT_MEETING_SETTINGS } from '../../domain/meetings';
import { localParts } from '../../domain/calendar';
import { LedgerEntry } from '../../models/ledger-entry';
import { Rectification } from '../../models/rectification';
import {
  completeRectificationUpdate,
  recordMeetingUpdate,
  extendRectificationUpdate,
  meetingStatusQuery,
  postponeMeetingUpdate,
  scheduleMeetingUpdate,
  rectificationStatusQuery,
  rectificationWorkflowId,
  reportRectificationUpdate,
  verifyRectificationUpdate,
} from '../../workflows/meeting-contract';
import type { Actor } from '../../workflows/contract';
import { recordHistory } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { makeCompound } from '../helpers/fixtures';

const DAY = 86_400_000;
const smc: Actor = { userId: 'u-smc', name: '张师傅', roles: ['selfManagementCommittee'] };
const owners: Actor = { userId: 'u-oc', name: '刘主任', roles: ['ownersCommittee'] };
const staff: Actor = { userId: 'u-staff', name: '马丽', roles: ['staff'] };

let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('rect');
  ({ env, sent, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

const now = async () => Number(await env.currentTimeMs());
const refused = async (p: Promise<unknown>, type: string) => {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((err as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe(type);
};

async function startOrder(compoundId: string, days: number) {
  const orderId = `o-${Math.random().toString(16).slice(2, 10)}`;
  const handle = await env.client.workflow.start('rectificationOrder', {
    workflowId: rectificationWorkflowId(orderId),
    taskQueue,
    args: [
      {
        orderId,
        compoundId,
        kind: 'rectification',
        title: '垃圾清运不及时',
        detail: '每日清运两次',
        owner: 'selfManagementCommittee',
        issuer: 'ownersCommittee',
        deadline: new Date((await now()) + days * DAY).toISOString(),
        source: {},
        settings: DEFAULT_MEETING_SETTINGS.rectification,
      },
    ],
  });
  for (let i = 0; i < 500 && !(await Rectification.exists({ _id: orderId })); i++)
    await new Promise((r) => setTimeout(r, 20));
  return { orderId, handle };
}

describe('a rectification order', () => {
  it('is reminded before its deadline, sent back once with a new deadline, then accepted as done late', async () => {
    const c = await makeCompound();
    const { orderId, handle } = await startOrder(c, 10);
    await env.sleep('8 days');
    expect(sent.filter((n) => n.key.startsWith(`${orderId}:reminder`)).map((n) => n.to.role)).toEqual([
      'selfManagementCommittee',
    ]);

    await refused(
      handle.executeUpdate(completeRectificationUpdate, { args: [{ actor: owners, evidence: '照片' }] }),
      'forbidden',
    );
    await refused(
      handle.executeUpdate(completeRectificationUpdate, { args: [{ actor: smc, evidence: ' ' }] }),
      'invalid',
    );
    await handle.executeUpdate(reportRectificationUpdate, { args: [{ actor: smc, note: '已增加清运车辆' }] });
    const done = await handle.executeUpdate(completeRectificationUpdate, {
      args: [{ actor: smc, evidence: '清运记录与照片' }],
    });
    expect(done.completion?.onTime).toBe(true);

    await refused(
      handle.executeUpdate(verifyRectificationUpdate, {
        args: [{ actor: smc, accepted: true, comment: '自验' }],
      }),
      'forbidden',
    );
    await refused(
      handle.executeUpdate(verifyRectificationUpdate, {
        args: [{ actor: owners, accepted: false, comment: '仍有遗漏' }],
      }),
      'invalid', // sent back without a new deadline
    );
    const back = await handle.executeUpdate(verifyRectificationUpdate, {
      args: [
        {
          actor: owners,
          accepted: false,
          comment: '周末仍有遗漏',
          newDeadline: new Date((await now()) + 5 * DAY).toISOString(),
        },
      ],
    });
    expect(back).toMatchObject({ status: 'open', sentBack: 1 });

    await env.sleep('6 days'); // past the new deadline: overdue, to the supervisory board and the branch
    expect((await handle.query(rectificationStatusQuery)).escalationLevel).toBe(1);
    const late = await handle.executeUpdate(completeRectificationUpdate, {
      args: [{ actor: smc, evidence: '增加周末班次' }],
    });
    expect(late.completion?.onTime).toBe(false);
    await handle.executeUpdate(verifyRectificationUpdate, {
      args: [{ actor: owners, accepted: true, comment: '已整改到位' }],
    });
    const final = await handle.result();
    expect(final.status).toBe('verified');
    const doc = await Rectification.findById(orderId).lean().orFail();
    expect(doc).toMatchObject({ status: 'verified', onTime: false });
    const events = (await LedgerEntry.find({ matterId: orderId }).sort({ at: 1 }).lean()).map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining(['issued', 'progress', 'completed', 'sentBack', 'overdue', 'verified']),
    );
    await recordHistory(handle, 'rectificationOrder');
  });

  it('is extended only with a reason and a later date, by the issuer or staff', async () => {
    const c = await makeCompound();
    const { handle } = await startOrder(c, 3);
    const later = new Date((await now()) + 10 * DAY).toISOString();
    await refused(
      handle.executeUpdate(extendRectificationUpdate, { args: [{ actor: staff, until: later, reason: '' }] }),
      'invalid',
    );
    await refused(
      handle.executeUpdate(extendRectificationUpdate, {
        args: [{ actor: smc, until: later, reason: '材料未到' }],
      }),
      'forbidden',
    );
    const before = (await handle.query(rectificationStatusQuery)).deadline;
    await refused(
      handle.executeUpdate(extendRectificationUpdate, {
        args: [{ actor: staff, until: before, reason: '材料未到' }],
      }),
      'invalid',
    );
    await handle.executeUpdate(extendRectificationUpdate, {
      args: [{ actor: staff, until: later, reason: '材料未到' }],
    });
    await env.sleep('5 days');
    const s = await handle.query(rectificationStatusQuery);
    expect(s.escalationLevel).toBe(0);
    expect(s.extensions).toHaveLength(1);
  });
});

describe('a meeting', () => {
  it('is postponed only with a reason and a later date, which also moves its deadline', async () => {
    const c = await makeCompound();
    const plannedAt = new Date((await now()) + 2 * DAY).toISOString();
    const handle = await env.client.workflow.start('periodicCoordination', {
      workflowId: `periodic-coordination/${c}/extra-test`,
      taskQueue,
      args: [
        {
          compoundId: c,
          type: 'periodicCoordination',
          period: 'extra-test',
          timeZone: 'Asia/Shanghai',
          settings: DEFAULT_MEETING_SETTINGS,
          plannedAt,
        },
      ],
    });
    for (let i = 0; i < 500 && !(await handle.query(meetingStatusQuery)).agendaAssembledAt; i++)
      await new Promise((r) => setTimeout(r, 20));
    const newDate = new Date((await now()) + 12 * DAY).toISOString();
    await refused(
      handle.executeUpdate(postponeMeetingUpdate, { args: [{ actor: staff, reason: '', newDate }] }),
      'invalid',
    );
    await refused(
      handle.executeUpdate(postponeMeetingUpdate, {
        args: [{ actor: staff, reason: '书记外出', newDate: plannedAt }],
      }),
      'invalid',
    );
    const moved = await handle.executeUpdate(postponeMeetingUpdate, {
      args: [{ actor: owners, reason: '书记外出学习', newDate }],
    });
    expect(moved.postponements).toHaveLength(1);
    expect(Date.parse(moved.holdBy)).toBeGreaterThan(Date.parse(newDate));
    // The old deadline (7 days) passes without escalation; the meeting is now due later.
    await env.sleep('9 days');
    expect((await handle.query(meetingStatusQuery)).escalationLevel).toBe(0);
  });
});

describe('a scheduled meeting', () => {
  it('reminds the named participants in person, three days and one day before', async () => {
    const c = await makeCompound();
    const handle = await env.client.workflow.start('periodicCoordination', {
      workflowId: `periodic-coordination/${c}/extra-sched`,
      taskQueue,
      args: [
        {
          compoundId: c,
          type: 'periodicCoordination',
          period: 'extra-sched',
          timeZone: 'Asia/Shanghai',
          settings: DEFAULT_MEETING_SETTINGS,
          plannedAt: new Date((await now()) + 6 * DAY).toISOString(),
        },
      ],
    });
    const at = new Date((await now()) + 5 * DAY).toISOString();
    await handle.executeUpdate(scheduleMeetingUpdate, {
      args: [{ actor: owners, at, place: '社区活动室', participants: ['u-oc', 'u-smc'] }],
    });
    await env.sleep('4.5 days');
    const id = `periodic-coordination/${c}/extra-sched`;
    const toUsers = sent.filter((n) => n.key.startsWith(id) && n.to.userId);
    expect(toUsers.map((n) => `${n.to.userId}:${n.title}`).sort()).toEqual([
      'u-oc:提醒：业委会、自管会定期协调会将于 1 天后召开',
      'u-oc:提醒：业委会、自管会定期协调会将于 3 天后召开',
      'u-smc:提醒：业委会、自管会定期协调会将于 1 天后召开',
      'u-smc:提醒：业委会、自管会定期协调会将于 3 天后召开',
    ]);
  });
});

describe('an annual evaluation nobody signs', () => {
  it('reminds both signers three days before the deadline, then escalates to the community', async () => {
    const c = await makeCompound();
    const plannedAt = new Date((await now()) + DAY).toISOString();
    // Last year's evaluation: that year is over, so the record is final once the meeting is recorded.
    const year = localParts(new Date(await now()), 'Asia/Shanghai').year - 1;
    const handle = await env.client.workflow.start('annualEvaluation', {
      workflowId: `annual-evaluation/${c}/extra-2027`,
      taskQueue,
      args: [
        {
          compoundId: c,
          type: 'annualEvaluation',
          period: 'extra-2027',
          timeZone: 'Asia/Shanghai',
          settings: DEFAULT_MEETING_SETTINGS,
          plannedAt,
          year,
        },
      ],
    });
    for (let i = 0; i < 500 && !(await handle.query(meetingStatusQuery)).agendaAssembledAt; i++)
      await new Promise((r) => setTimeout(r, 20));
    await handle.executeUpdate(recordMeetingUpdate, {
      args: [
        {
          actor: staff,
          heldAt: new Date(await now()).toISOString(),
          attendance: ['u-branch', 'u-sup'],
          minutes: '年度评估会',
          decisions: [],
        },
      ],
    });
    for (let i = 0; i < 500 && (await handle.query(meetingStatusQuery)).status !== 'signing'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await handle.query(meetingStatusQuery)).status).toBe('signing');
    const signOffBy = Date.parse((await handle.query(meetingStatusQuery)).annual!.signOffBy);
    await env.sleep(signOffBy - (await now()) + DAY);
    const id = `annual-evaluation/${c}/extra-2027`;
    const mine = sent.filter((n) => n.key.startsWith(id));
    expect(
      mine
        .filter((n) => n.key.includes(':sign-reminder:'))
        .map((n) => n.to.role)
        .sort(),
    ).toEqual(['partyBranch', 'supervisoryBoard']);
    expect(mine.some((n) => n.key.includes(':sign-overdue:1:staff'))).toBe(true);
    expect(await LedgerEntry.countDocuments({ matterId: id, event: 'signOffOverdue' })).toBe(1);
  });
});
