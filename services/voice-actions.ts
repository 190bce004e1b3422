/**
 * What staff, officers and residents do to a voice: each action goes to the voice's workflow as a
 * Temporal update, which validates it against its current state.
 */
import { isStaff } from '../domain/bodies';
import { DomainError } from '../domain/errors';
import { BODY_LABELS, mayHandleVoice, type Category, type ResponsibleBody } from '../domain/voices';
import { Voice, type VoiceDoc } from '../models/voice';
import {
  acceptVoiceUpdate,
  extendDeadlineUpdate,
  giveFeedbackUpdate,
  reassignVoiceUpdate,
  reportProgressUpdate,
  resolveVoiceUpdate,
  voiceStatusQuery,
  voiceWorkflowId,
  type Actor,
  type VoiceState,
} from '../workflows/contract';
import type { TemporalHandle } from './temporal-client';

type VoiceRecord = VoiceDoc & { _id: string; createdAt: Date; updatedAt: Date };

/** A voice of this compound: an id from another compound is simply not found. */
export async function findVoice(compoundId: string, voiceId: string): Promise<VoiceRecord> {
  const v = await Voice.findOne({ _id: voiceId, compoundId }).lean<VoiceRecord>();
  if (!v) throw new DomainError('not_found', '没有这条反映');
  return v;
}

export async function liveVoiceState(
  temporal: TemporalHandle,
  compoundId: string,
  voiceId: string,
): Promise<VoiceState> {
  await findVoice(compoundId, voiceId);
  const client = await temporal.client();
  return client.workflow.getHandle(voiceWorkflowId(voiceId)).query(voiceStatusQuery);
}

export type VoiceAction =
  | { type: 'accept'; note?: string }
  | { type: 'progress'; note: string }
  | { type: 'resolve'; result: string }
  | { type: 'feedback'; satisfied: boolean; comment?: string }
  | { type: 'extendDeadline'; deadline: 'acknowledge' | 'resolve'; until: string; reason: string }
  | { type: 'reassign'; category?: Category; assignee?: ResponsibleBody; reason: string };

/** Sends an action to the voice's workflow, which validates it against its current state. */
export async function actOnVoice(
  temporal: TemporalHandle,
  compoundId: string,
  voiceId: string,
  actor: Actor,
  action: VoiceAction,
): Promise<VoiceState> {
  const v = await findVoice(compoundId, voiceId);
  if (
    (action.type === 'accept' || action.type === 'progress' || action.type === 'resolve') &&
    !mayHandleVoice(actor.roles, v.assignee as ResponsibleBody, v.escalationLevel ?? 0)
  ) {
    throw new DomainError(
      'forbidden',
      `此事项由${BODY_LABELS[(v.responsible ?? v.assignee) as ResponsibleBody]}负责，您无权处理`,
    );
  }
  if (action.type === 'feedback' && v.submittedBy !== actor.userId && !isStaff(actor.roles)) {
    throw new DomainError('forbidden', '只有反映人本人（或社区工作人员）可以评价');
  }
  if (!v.workflowStartedAt && v.status === 'received') {
    throw new DomainError('conflict', '该反映已受理，处理流程正在启动，请稍后再试');
  }
  const handle = (await temporal.client()).workflow.getHandle(voiceWorkflowId(voiceId));
  switch (action.type) {
    case 'accept':
      return handle.executeUpdate(acceptVoiceUpdate, { args: [{ actor, note: action.note ?? '' }] });
    case 'progress':
      return handle.executeUpdate(reportProgressUpdate, { args: [{ actor, note: action.note }] });
    case 'resolve':
      return handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor, result: action.result }] });
    case 'feedback':
      return handle.executeUpdate(giveFeedbackUpdate, {
        args: [{ actor, satisfied: action.satisfied, comment: action.comment }],
      });
    case 'extendDeadline':
      return handle.executeUpdate(extendDeadlineUpdate, {
        args: [{ actor, deadline: action.deadline, until: action.until, reason: action.reason }],
      });
    case 'reassign':
      return handle.executeUpdate(reassignVoiceUpdate, {
        args: [{ actor, category: action.category, assignee: action.assignee, reason: action.reason }],
      });
  }
}
