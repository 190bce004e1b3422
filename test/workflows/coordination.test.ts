/**
 * The periodic coordination (业委会、自管会定期协调会) and the triage desk on the time-skipping server,
 * with the real activities: a procedure agreed for an order that closed in the meantime is still filed
 * and the meeting completes; complaints and appeals about the self-management committee's service call
 * the prompt coordination (and only those); staff reclassify and reassign with a reason; deadlines use
 * the compound's zone and, where the compound counts them so, China's working days.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { NotificationInput } from '../../activities/notifications';
import { workCalendarFor } from '../../activities/work-calendar';
import { formatLocal, localParts } from '../../domain/calendar';
import { DEFAULT_MEETING_SETTINGS, meetingWorkflowId } from '../../domain/meetings';
import { DEFAULT_VOICE_SETTINGS, type VoiceKind } from '../../domain/voices';
import { addWorkingDays } from '../../domain/working-days';
import { getOrder } from '../../api/orders/reads';
import { workflowInputOf } from '../../services/intake';
import { Compound } from '../../models/compound';
import { LedgerEntry } from '../../models/ledger-entry';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { Voice } from '../../models/voice';
import {
  completeRectificationUpdate,
  meetingStatusQuery,
  rectificationStatusQuery,
  rectificationWorkflowId,
  recordMeetingUpdate,
  verifyRectificationUpdate,
  type MeetingState,
} from '../../workflows/meeting-contract';
import {
  acceptVoiceUpdate,
  giveFeedbackUpdate,
  reassignVoiceUpdate,
  resolveVoiceUpdate,
  voiceStatusQuery,
  voiceWorkflowId,
  type Actor,
} from '../../workflows/contract';
import { recordHistory } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { makeCompound, makeVoice } from '../helpers/fixtures';

const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const smc: Actor = { userId: 'u-smc', name: '张师傅', roles: ['selfManagementCommittee'] };
const owners: Actor = { userId: 'u-oc', name: '刘主任', roles: ['ownersCommittee'] };
const staff: Actor = { userId: 'u-staff', name: '马丽', roles: ['staff'] };
const resident: Actor = { userId: 'resident-1', name: '王小明', roles: ['resident'] };

let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('coord');
  ({ env, sent, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

const now = async () => Number(await env.currentTimeMs());
async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const refused = async (p: Promise<unknown>, type: string) => {
  const err = await p.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(((err as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe(type);
};

async function startOrder(compoundId: string) {
  const orderId = `o-${Math.random().toString(16).slice(2, 10)}`;
  const handle = await env.client.workflow.start('rectificationOrder', {
    workflowId: rectificationWorkflowId(orderId),
    taskQueue,
    args: [
      {
        orderId,
        compoundId,
        kind: 'resolution',
        title: '更换小区门禁系统',
        owner: 'selfManagementCommittee',
        issuer: 'ownersCommittee',
        deadline: new Date((await now()) + 20 * DAY).toISOString(),
        timeZone: TZ,
        source: {},
        settings: DEFAULT_MEETING_SETTINGS.rectification,
      },
    ],
  });
  await until(() => Rectification.exists({ _id: orderId }), Boolean, 'the order read model');
  return { orderId, handle };
}

/** An extraordinary coordination two hours ahead: its agenda is assembled at once. */
async function startCoordination(compoundId: string, period: string): Promise<WorkflowHandle> {
  const handle = await env.client.workflow.start('periodicCoordination', {
    workflowId: meetingWorkflowId('periodicCoordination', compoundId, period),
    taskQueue,
    args: [
      {
        compoundId,
        type: 'periodicCoordination',
        period,
        timeZone: TZ,
        settings: DEFAULT_MEETING_SETTINGS,
        plannedAt: new Date((await now()) + 2 * 3600_000).toISOString(),
        extraordinary: { reason: '督办决议执行', requestedBy: '马丽' },
      },
    ],
  });
  await until(
    () => handle.query(meetingStatusQuery),
    (s: MeetingState) => s.agendaAssembledAt !== undefined,
    'the agenda',
  );
  return handle;
}

describe('a procedure agreed at the coordination', () => {
  it('when the order was verified after the agenda was drawn up, the procedure is still filed on it and the meeting completes', async () => {
    const compoundId = await makeCompound();
    const { orderId, handle: order } = await startOrder(compoundId);
    const meeting = await startCoordination(compoundId, 'extra-closed-order');
    const agenda = await meeting.query(meetingStatusQuery);
    const item = agenda.agenda.find((i) => i.orderId === orderId)!;
    expect(item).toBeDefined();

    // The order is done and verified before the meeting sits: its workflow ends.
    await order.executeUpdate(completeRectificationUpdate, {
      args: [{ actor: smc, evidence: '已安装完毕' }],
    });
    await order.executeUpdate(verifyRectificationUpdate, {
      args: [{ actor: owners, accepted: true, comment: '验收合格' }],
    });
    await order.result();

    await meeting.executeUpdate(recordMeetingUpdate, {
      args: [
        {
          actor: staff,
          heldAt: new Date(await now()).toISOString(),
          attendance: [owners.userId, smc.userId],
          minutes: '督办门禁更换',
          decisions: agenda.agenda.map((i) =>
            i.id === item.id
              ? { itemId: i.id, decision: '存档', procedure: '完工资料交监事会存档' }
              : { itemId: i.id, decision: '已研究' },
          ),
        },
      ],
    });
    await until(
      () => Meeting.findById(meeting.workflowId).lean(),
      (m) => m?.status === 'closed',
      'closed',
    );
    await meeting.result();

    const filed = await getOrder(compoundId, orderId);
    expect(filed.procedures).toEqual([
      expect.objectContaining({ meetingId: meeting.workflowId, procedure: '完工资料交监事会存档' }),
    ]);
    expect(await LedgerEntry.countDocuments({ matterId: meeting.workflowId, event: 'procedureAgreed' })).toBe(
      1,
    );
    await recordHistory(meeting, 'periodicCoordination-closed-order');
  });

  it('when the order still runs, the procedure reaches its workflow and its record, once', async () => {
    const compoundId = await makeCompound();
    const { orderId, handle: order } = await startOrder(compoundId);
    const meeting = await startCoordination(compoundId, 'extra-open-order');
    const agenda = (await meeting.query(meetingStatusQuery)).agenda;
    const item = agenda.find((i) => i.orderId === orderId)!;
    const long = '自管会每周一向业委会报告进展；'.repeat(20); // longer than a workflow carries inline
    await meeting.executeUpdate(recordMeetingUpdate, {
      args: [
        {
          actor: staff,
          heldAt: new Date(await now()).toISOString(),
          attendance: [owners.userId, smc.userId],
          minutes: '商定执行程序',
          decisions: agenda.map((i) =>
            i.id === item.id
              ? { itemId: i.id, decision: '按程序执行', procedure: '每周报告进展' }
              : { itemId: i.id, decision: '已研究' },
          ),
        },
      ],
    });
    await meeting.result();
    const live = await until(
      () => order.query(rectificationStatusQuery),
      (s) => s.procedures.length === 1,
      'the procedure in the order',
    );
    expect(live.procedures[0]).toMatchObject({ meetingId: meeting.workflowId, procedure: '每周报告进展' });
    const filed = await getOrder(compoundId, orderId);
    expect(filed.procedures).toHaveLength(1);
    // A long text as the workflow would receive it plainly is refused: it must come by reference.
    const other = await startCoordination(compoundId, 'extra-long-text');
    const otherAgenda = (await other.query(meetingStatusQuery)).agenda;
    const otherItem = otherAgenda.find((i) => i.orderId === orderId)!;
    await refused(
      other.executeUpdate(recordMeetingUpdate, {
        args: [
          {
            actor: staff,
            heldAt: new Date(await now()).toISOString(),
            attendance: [owners.userId, smc.userId],
            minutes: '商定执行程序',
            decisions: otherAgenda.map((i) =>
              i.id === otherItem.id
                ? { itemId: i.id, decision: '按程序执行', procedure: long }
                : { itemId: i.id, decision: '已研究' },
            ),
          },
        ],
      }),
      'invalid',
    );
  });
});

async function startVoice(compoundId: string, text: string, kind: VoiceKind = 'complaint') {
  const v = await makeVoice(compoundId, { text, kind, createdAt: new Date(await now()) });
  const compound = (await Compound.findById(compoundId).lean())!;
  const handle = await env.client.workflow.start('residentVoice', {
    workflowId: voiceWorkflowId(v._id),
    taskQueue,
    args: [{ ...workflowInputOf(v, DEFAULT_VOICE_SETTINGS, compound), submitterUserId: resident.userId }],
  });
  await until(
    () => handle.query(voiceStatusQuery),
    (s) => s.status !== 'received',
    'assignment',
  );
  return { v, handle };
}

const promptCoordination = (compoundId: string, voiceId: string) =>
  env.client.workflow.getHandle(meetingWorkflowId('periodicCoordination', compoundId, `prompt-${voiceId}`));
const hasStarted = async (h: WorkflowHandle) =>
  h.describe().then(
    () => true,
    () => false,
  );

describe('the prompt coordination', () => {
  it('when a resident complains that the committee’s cleaner does poor work, the owners’ committee and the committee are called within days', async () => {
    const compoundId = await makeCompound();
    const { v } = await startVoice(compoundId, '自管会保洁员服务质量太差');
    expect(v.category).toBe('serviceQuality');
    const h = promptCoordination(compoundId, v._id);
    const s = await until(
      () => h.query(meetingStatusQuery).catch(() => undefined),
      (x) => !!x?.agendaAssembledAt,
      'prompt',
    );
    expect(s!.agenda[0]!.title).toMatch(/^投诉自管会服务：/);
    expect(Date.parse(s!.holdBy) - (await now())).toBeLessThanOrEqual(3 * DAY);
  });

  it('when a resident appeals about the committee’s complaint handling, the prompt coordination is called too', async () => {
    const compoundId = await makeCompound();
    const { v } = await startVoice(compoundId, '向自管会投诉了三次都没人管，希望督促', 'appeal');
    expect(v.category).toBe('serviceQuality');
    await until(() => hasStarted(promptCoordination(compoundId, v._id)), Boolean, 'prompt coordination');
  });

  it('when the complaint is about the property company’s attitude, no coordination of the committee is called', async () => {
    const compoundId = await makeCompound();
    const { v, handle } = await startVoice(compoundId, '物业公司服务态度差');
    expect(v.category).toBe('propertyCompany');
    await env.sleep('1 hour');
    expect((await handle.query(voiceStatusQuery)).status).toBe('assigned');
    expect(await hasStarted(promptCoordination(compoundId, v._id))).toBe(false);
  });
});

describe('staff reclassify and reassign a voice', () => {
  it('with a reason, it goes to the new body with fresh deadlines, filed and notified, and calls the coordination a service complaint needs', async () => {
    const compoundId = await makeCompound();
    const { v, handle } = await startVoice(compoundId, '楼道垃圾没人清扫');
    expect(v.assignee).toBe('selfManagementCommittee');
    await env.sleep('10 hours');
    const t = await now();

    const after = await handle.executeUpdate(reassignVoiceUpdate, {
      args: [{ actor: staff, category: 'serviceQuality', reason: '实为投诉自管会保洁员服务态度' }],
    });
    expect(after).toMatchObject({
      assignee: 'ownersCommittee',
      responsible: 'ownersCommittee',
      category: 'serviceQuality',
    });
    // 24 hours from the reassignment (a few milliseconds after `t`), not from intake.
    expect(Date.parse(after.acknowledgeBy!) - (t + 24 * 3600_000)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(after.acknowledgeBy!) - (t + 24 * 3600_000)).toBeLessThan(60_000);

    const doc = await until(
      () => Voice.findById(v._id).lean(),
      (d) => d?.category === 'serviceQuality',
      'read model',
    );
    expect(doc).toMatchObject({ assignee: 'ownersCommittee', subject: 'selfManagementCommittee' });
    expect(doc!.timeline.find((e) => e.type === 'reassigned')!.message).toContain(
      '理由：实为投诉自管会保洁员服务态度',
    );
    expect(await LedgerEntry.countDocuments({ matterId: v._id, event: 'reassigned' })).toBe(1);
    const told = sent.filter((n) => n.voiceId === v._id && n.title.includes('改派')).map((n) => n.to.role);
    expect(told.sort()).toEqual(['ownersCommittee', 'selfManagementCommittee']);
    await until(() => hasStarted(promptCoordination(compoundId, v._id)), Boolean, 'prompt coordination');
    await handle.executeUpdate(acceptVoiceUpdate, { args: [{ actor: owners, note: '已约谈自管会' }] });
    await handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor: owners, result: '已整改' }] });
    await handle.executeUpdate(giveFeedbackUpdate, { args: [{ actor: resident, satisfied: true }] });
    await handle.result();
    await recordHistory(handle, 'residentVoice-reassigned');
  });

  it('refuses without a reason, from anyone but staff, and when nothing changes', async () => {
    const compoundId = await makeCompound();
    const { handle } = await startVoice(compoundId, '3号楼门口的垃圾三天没人清运了');
    await refused(
      handle.executeUpdate(reassignVoiceUpdate, { args: [{ actor: staff, assignee: 'staff', reason: ' ' }] }),
      'invalid',
    );
    await refused(
      handle.executeUpdate(reassignVoiceUpdate, {
        args: [{ actor: owners, assignee: 'staff', reason: '改派' }],
      }),
      'forbidden',
    );
    await refused(
      handle.executeUpdate(reassignVoiceUpdate, {
        args: [{ actor: staff, assignee: 'selfManagementCommittee', reason: '不变' }],
      }),
      'invalid',
    );
    expect((await handle.query(voiceStatusQuery)).assignee).toBe('selfManagementCommittee');
  });
});

describe('deadlines in the compound’s zone and its working days', () => {
  it('when the compound keeps New York time, the voice’s messages give its deadlines in New York time', async () => {
    const compoundId = await makeCompound();
    await Compound.updateOne({ _id: compoundId }, { $set: { timeZone: 'America/New_York' } });
    const { v } = await startVoice(compoundId, '3号楼门口的垃圾三天没人清运了');
    const doc = await until(
      () => Voice.findById(v._id).lean(),
      (d) => d?.status === 'assigned',
      'assigned',
    );
    const due = formatLocal(doc!.acknowledgeBy!, 'America/New_York');
    expect(doc!.timeline.find((e) => e.type === 'assigned')!.message).toContain(due);
    expect(due).not.toBe(formatLocal(doc!.acknowledgeBy!, TZ));
  });

  it('when the compound counts complaints in working days, the deadline is the end of the Nth working day by China’s calendar', async () => {
    const compoundId = await makeCompound({
      voices: {
        ...DEFAULT_VOICE_SETTINGS,
        deadlines: {
          ...DEFAULT_VOICE_SETTINGS.deadlines,
          complaint: { acknowledgeHours: 24, resolveHours: 168, workingDays: { acknowledge: 1, resolve: 5 } },
        },
      },
    });
    const start = new Date(await now());
    const v = await makeVoice(compoundId, { text: '3号楼门口的垃圾三天没人清运了', createdAt: start });
    const compound = (await Compound.findById(compoundId).lean())!;
    const settings = compound.settings!.voices as typeof DEFAULT_VOICE_SETTINGS;
    const input = workflowInputOf(v, settings, compound);
    expect(input.calendar).toBeDefined();
    const handle = await env.client.workflow.start('residentVoice', {
      workflowId: voiceWorkflowId(v._id),
      taskQueue,
      args: [input],
    });
    const s = await until(
      () => handle.query(voiceStatusQuery),
      (x) => x.status === 'assigned',
      'assigned',
    );
    const year = localParts(start, TZ).year;
    const cal = workCalendarFor(compound, { from: year, to: year + 1 });
    expect(Date.parse(s.acknowledgeBy!)).toBe(
      Math.max(addWorkingDays(start, 1, TZ, cal).at.getTime(), start.getTime()),
    );
    expect(Date.parse(s.resolveBy!)).toBe(addWorkingDays(start, 5, TZ, cal).at.getTime());
    const doc = await until(
      () => Voice.findById(v._id).lean(),
      (d) => d?.status === 'assigned',
      'assigned',
    );
    const uncovered = addWorkingDays(start, 5, TZ, cal).uncoveredYears;
    // Where the holiday data stops, the resident and the body are told, not left to guess.
    expect(doc!.timeline.find((e) => e.type === 'assigned')!.message.includes('节假日数据未覆盖')).toBe(
      uncovered.length > 0,
    );
  });
});
