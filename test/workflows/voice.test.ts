/**
 * The voice workflow on the time-skipping test server: days pass in seconds. Activities are the real
 * ones, writing to the real database; a capturing channel shows what was notified.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { NotificationInput } from '../../activities/notifications';
import { DEFAULT_VOICE_SETTINGS } from '../../domain/voices';
import { Voice } from '../../models/voice';
import { LedgerEntry } from '../../models/ledger-entry';
import { workflowInputOf } from '../../services/intake';
import {
  acceptVoiceUpdate,
  extendDeadlineUpdate,
  giveFeedbackUpdate,
  resolveVoiceUpdate,
  voiceStatusQuery,
  voiceWorkflowId,
  type Actor,
} from '../../workflows/contract';
import { meetingStatusQuery, type MeetingState } from '../../workflows/meeting-contract';
import { recordHistory } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { makeCompound, makeVoice } from '../helpers/fixtures';

const smc: Actor = { userId: 'u-smc', name: '自管会张师傅', roles: ['selfManagementCommittee'] };
const resident: Actor = { userId: 'resident-1', name: '王小明', roles: ['resident'] };
const staff: Actor = { userId: 'u-staff', name: '社区李干事', roles: ['staff'] };

let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('voice');
  ({ env, sent, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

async function startVoice(text: string, kind: 'complaint' | 'praise' | 'suggestion' = 'complaint') {
  const compoundId = await makeCompound();
  const v = await makeVoice(compoundId, { text, kind });
  const now = new Date(Number(await env.currentTimeMs()));
  const handle = await env.client.workflow.start('residentVoice', {
    workflowId: voiceWorkflowId(v._id),
    taskQueue,
    args: [
      {
        ...workflowInputOf(v, DEFAULT_VOICE_SETTINGS),
        submittedAt: now.toISOString(),
        submitterUserId: 'resident-1',
      },
    ],
  });
  // Let the workflow set its timers before the test moves the clock.
  for (let i = 0; i < 500 && (await handle.query(voiceStatusQuery)).status === 'received'; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  return { v, handle, compoundId };
}

async function stored(id: string) {
  return Voice.findById(id).lean().orFail();
}

describe('a resident complaint', () => {
  it('when nobody accepts it for ten days, it escalates twice: to the owners committee, then the party branch', async () => {
    const { v, handle } = await startVoice('楼下垃圾堆了一周，没人清理');
    await env.sleep('10 days');
    const state = await handle.query(voiceStatusQuery);
    expect(state.escalations.map((e) => [e.from, e.to])).toEqual([
      ['selfManagementCommittee', 'ownersCommittee'],
      ['ownersCommittee', 'partyBranch'],
    ]);
    expect(state.responsible).toBe('partyBranch');
    expect(state.overdue).toBe(true);

    const doc = await stored(v._id);
    expect(doc.escalationLevel).toBe(2);
    expect(doc.responsible).toBe('partyBranch');
    const types = doc.timeline.map((e) => e.type);
    expect(types.filter((t) => t === 'escalated')).toHaveLength(2);
    // …and filed with the supervisory board's ledger.
    expect(await LedgerEntry.countDocuments({ matterId: v._id, event: 'escalated' })).toBe(2);
    await recordHistory(handle, 'residentVoice-escalated');
    expect(types).toContain('overdue');
    // Each rung was reminded before its deadline and told when it escalated.
    const mine = sent.filter((n) => n.voiceId === v._id);
    expect(mine.filter((n) => n.title.startsWith('提醒')).map((n) => n.to.role)).toEqual([
      'selfManagementCommittee',
      'ownersCommittee',
      'partyBranch',
    ]);
    expect(mine.filter((n) => n.title.includes('督办')).map((n) => n.to.role)).toEqual([
      'ownersCommittee',
      'partyBranch',
    ]);
  });

  it('when it is accepted and resolved in time, it never escalates and closes once the resident is satisfied', async () => {
    const { v, handle } = await startVoice('小区路灯坏了，晚上很黑，垃圾也没清');
    await env.sleep('2 hours');
    await handle.executeUpdate(acceptVoiceUpdate, { args: [{ actor: smc, note: '今天下午处理' }] });
    await env.sleep('2 days');
    await handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor: smc, result: '已清运垃圾' }] });
    const after = await handle.executeUpdate(giveFeedbackUpdate, {
      args: [{ actor: resident, satisfied: true }],
    });
    expect(after.status).toBe('closed');
    await handle.result();
    await recordHistory(handle, 'residentVoice');

    const doc = await stored(v._id);
    expect(doc.escalationLevel).toBe(0);
    expect(doc.status).toBe('closed');
    expect(doc.satisfaction).toBe('satisfied');
    expect(doc.result).toBe('已清运垃圾');
    expect(doc.handledBy).toBe('selfManagementCommittee');
    expect(doc.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['assigned', 'accepted', 'resolved', 'feedback']),
    );
    expect(doc.timeline.map((e) => e.type)).not.toContain('escalated');
  });

  it('when the resident is not satisfied, it reopens once with a new deadline; a second "no" closes it', async () => {
    const { v, handle } = await startVoice('垃圾桶满了没人清');
    await handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor: smc, result: '已清理' }] });
    const reopened = await handle.executeUpdate(giveFeedbackUpdate, {
      args: [{ actor: resident, satisfied: false, comment: '第二天又满了' }],
    });
    expect(reopened.status).toBe('inProgress');
    expect(reopened.reopened).toBe(true);
    const now = Number(await env.currentTimeMs());
    expect(Date.parse(reopened.resolveBy!)).toBeGreaterThanOrEqual(now + 7 * 24 * 3600_000 - 60_000);

    await handle.executeUpdate(resolveVoiceUpdate, {
      args: [{ actor: smc, result: '增加清运频次为每日两次' }],
    });
    const closed = await handle.executeUpdate(giveFeedbackUpdate, {
      args: [{ actor: resident, satisfied: false }],
    });
    expect(closed.status).toBe('closed');
    expect(closed.satisfaction).toBe('unsatisfied');
    await handle.result();
    expect((await stored(v._id)).timeline.filter((e) => e.type === 'reopened')).toHaveLength(1);
  });

  it('when the resident never answers, it closes by itself after the feedback window', async () => {
    const { v, handle } = await startVoice('楼道卫生太差');
    await handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor: smc, result: '已安排保洁' }] });
    await env.sleep('8 days');
    const final = await handle.result();
    expect(final.status).toBe('closed');
    expect(final.satisfaction).toBeUndefined();
    expect((await stored(v._id)).status).toBe('closed');
  });

  it('when staff extend the deadline with a reason, escalation waits for the new deadline', async () => {
    const { handle } = await startVoice('垃圾站异味严重');
    const now = Number(await env.currentTimeMs());
    const until = new Date(now + 5 * 24 * 3600_000).toISOString();
    await handle.executeUpdate(extendDeadlineUpdate, {
      args: [{ actor: staff, deadline: 'acknowledge', until, reason: '自管会负责人外出培训' }],
    });
    await env.sleep('4 days');
    expect((await handle.query(voiceStatusQuery)).escalations).toHaveLength(0);
    await env.sleep('2 days');
    expect((await handle.query(voiceStatusQuery)).escalations).toHaveLength(1);
  });

  it('refuses an extension without a reason, into the past, or by a non-staff user, and changes nothing', async () => {
    const { handle } = await startVoice('垃圾没人收');
    const before = await handle.query(voiceStatusQuery);
    const now = Number(await env.currentTimeMs());
    const later = new Date(now + 5 * 24 * 3600_000).toISOString();
    const attempts = [
      { actor: staff, deadline: 'acknowledge' as const, until: later, reason: '  ' },
      {
        actor: staff,
        deadline: 'acknowledge' as const,
        until: new Date(now - 1000).toISOString(),
        reason: '理由',
      },
      { actor: smc, deadline: 'acknowledge' as const, until: later, reason: '理由' },
    ];
    for (const args of attempts) {
      await expect(handle.executeUpdate(extendDeadlineUpdate, { args: [args] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
    }
    expect(await handle.query(voiceStatusQuery)).toEqual(before);
  });

  it('refuses action by a body not responsible for it, and a resolution before acceptance phase rules', async () => {
    const { handle } = await startVoice('垃圾清运不及时');
    const oc: Actor = { userId: 'u-oc', name: '业委会刘主任', roles: ['ownersCommittee'] };
    const err = await handle
      .executeUpdate(acceptVoiceUpdate, { args: [{ actor: oc, note: '' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((err as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('forbidden');
    // Feedback before resolution is the wrong phase.
    const early = await handle
      .executeUpdate(giveFeedbackUpdate, { args: [{ actor: resident, satisfied: true }] })
      .catch((e: unknown) => e);
    expect(((early as WorkflowUpdateFailedError).cause as { type?: string }).type).toBe('conflict');
  });
});

describe('a complaint about the self-management committee\u2019s service', () => {
  it('calls a coordination meeting of the owners and self-management committees within three days', async () => {
    const { v, compoundId } = await startVoice('自管会巡逻人员服务态度差，遇事推诿');
    const id = `periodic-coordination/${compoundId}/prompt-${v._id}`;
    const meeting = env.client.workflow.getHandle(id);
    let state: MeetingState | undefined;
    for (let i = 0; i < 500 && !state?.agendaAssembledAt; i++) {
      state = await meeting.query(meetingStatusQuery).catch(() => undefined);
      if (!state?.agendaAssembledAt) await new Promise((r) => setTimeout(r, 50));
    }
    expect(state?.agenda[0]).toMatchObject({ source: 'trigger', voiceIds: [v._id] });
    const now = Number(await env.currentTimeMs());
    expect(Date.parse(state!.holdBy)).toBeLessThanOrEqual(now + 3 * 24 * 3600_000);
    expect((await stored(v._id)).timeline.map((e) => e.type)).toContain('coordinationCalled');
  });
});

describe('praise', () => {
  it('is recorded and published at once, with no deadlines', async () => {
    const { v, handle } = await startVoice('感谢自管会的保洁阿姨，小区卫生越来越好', 'praise');
    const final = await handle.result();
    expect(final.status).toBe('published');
    const doc = await stored(v._id);
    expect(doc.status).toBe('published');
    expect(doc.acknowledgeBy).toBeUndefined();
    expect(sent.some((n) => n.voiceId === v._id && n.to.role === 'selfManagementCommittee')).toBe(true);
  });
});
