/**
 * What may be done to a voice while it runs, and who may do it: accept, report progress, resolve, the
 * resident's feedback, staff's extensions and reassignments. Validators refuse synchronously; the
 * handlers change the state and record it.
 */
import { setHandler } from '@temporalio/workflow';
import { isStaff } from '../domain/bodies';
import { LIMITS } from '../domain/limits';
import {
  BODY_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  RESPONSIBLE_BODIES,
  callsPromptCoordination,
  defaultAssignee,
  mayHandleVoice,
  voiceSubject,
} from '../domain/voices';
import {
  acceptVoiceUpdate,
  extendDeadlineUpdate,
  giveFeedbackUpdate,
  reassignVoiceUpdate,
  refuse,
  reportProgressUpdate,
  resolveVoiceUpdate,
  syncVoiceRecordUpdate,
  voiceStatusQuery,
  type Actor,
  type ExtendDeadlineInput,
  type FeedbackInput,
  type NoteInput,
  type ReassignInput,
  type ResolveInput,
  type VoiceState,
} from './contract';
import { PHASE_ACTIONS, fileLedgerEntry, iso, now, type Voice } from './voice-state';

export function registerVoiceHandlers(v: Voice): void {
  setHandler(voiceStatusQuery, () => v.state);
  // Only the drift check sends it, so histories without it replay unchanged.
  setHandler(syncVoiceRecordUpdate, () => v.syncRecord());
  setHandler(acceptVoiceUpdate, (u) => accept(v, u), {
    validator: ({ actor }) => {
      requireStatus(v, ['assigned'], '接单');
      requireHandler(v, actor);
    },
  });
  setHandler(reportProgressUpdate, (u) => reportProgress(v, u), {
    validator: ({ actor, note }) => {
      requireStatus(v, ['assigned', 'inProgress'], '报告进展');
      requireHandler(v, actor);
      requireText(note, 'note', '进展说明');
      if (v.progressReports >= LIMITS.voiceProgressNotes)
        refuse('conflict', `进展报告已达 ${LIMITS.voiceProgressNotes} 条上限，请办结`);
    },
  });
  setHandler(resolveVoiceUpdate, (u) => resolve(v, u), {
    validator: ({ actor, result }) => {
      requireStatus(v, ['assigned', 'inProgress'], '办结');
      requireHandler(v, actor);
      requireText(result, 'result', '处理结果');
    },
  });
  setHandler(giveFeedbackUpdate, (u) => giveFeedback(v, u), {
    validator: ({ actor }) => {
      requireStatus(v, ['resolved'], '评价');
      const isSubmitter = v.input.submitterUserId !== undefined && actor.userId === v.input.submitterUserId;
      if (!isSubmitter && !isStaff(actor.roles))
        refuse('forbidden', '只有反映人本人（或代为录入的社区工作人员）可以评价');
    },
  });
  setHandler(extendDeadlineUpdate, (u) => extendDeadline(v, u), {
    validator: (u) => validateExtension(v, u),
  });
  setHandler(reassignVoiceUpdate, (u) => reassign(v, u), { validator: (u) => validateReassignment(v, u) });
}

const requireHandler = (v: Voice, actor: Actor) => {
  const { state } = v;
  if (!mayHandleVoice(actor.roles, state.assignee, state.escalationLevel)) {
    refuse('forbidden', `此事项由${BODY_LABELS[state.responsible]}负责，您无权处理`);
  }
};
const requireStatus = (v: Voice, allowed: VoiceState['status'][], action: string) => {
  if (!allowed.includes(v.state.status)) refuse('conflict', `当前状态不能${action}`);
};
const requireText = (text: string | undefined, field: string, label: string) => {
  if (!text || !text.trim()) refuse('invalid', `${label}不能为空（${field}）`);
  if ([...(text ?? '')].length > 2000) refuse('invalid', `${label}最多 2000 字（${field}）`);
};
const requireStaff = (actor: Actor, what: string) => {
  if (!isStaff(actor.roles)) refuse('forbidden', `只有社区工作人员可以${what}`);
};

async function accept(v: Voice, { actor, note }: NoteInput): Promise<VoiceState> {
  v.markResponse();
  v.state.status = 'inProgress';
  v.state.overdue = false;
  v.deadlineVersion++;
  await v.record('accepted', note?.trim() ? `已接单：${note.trim()}` : '已接单', actor);
  return v.state;
}

async function reportProgress(v: Voice, { actor, note }: NoteInput): Promise<VoiceState> {
  v.progressReports++;
  await v.record('progress', note.trim(), actor);
  return v.state;
}

async function resolve(v: Voice, { actor, result }: ResolveInput): Promise<VoiceState> {
  v.markResponse();
  v.state.status = 'resolved';
  v.state.overdue = false;
  v.deadlineVersion++;
  await v.recordResolution(result.trim(), actor);
  await v.record('resolved', `已办结：${result.trim()}`, actor);
  if (v.input.submitterUserId) {
    await v.notify(
      `resolved:${v.seq}`,
      { userId: v.input.submitterUserId },
      '您反映的问题已办结',
      `处理结果：${result.trim().replace(/[。.！!]+$/, '')}。请对处理结果进行评价。`,
    );
  }
  return v.state;
}

async function giveFeedback(v: Voice, { actor, satisfied, comment }: FeedbackInput): Promise<VoiceState> {
  const { state } = v;
  const remark = comment?.trim() ? `：${comment.trim()}` : '';
  if (satisfied) {
    state.status = 'closed';
    state.satisfaction = 'satisfied';
    await v.record('feedback', `居民评价：满意${remark}`, actor);
  } else if (!state.reopened) {
    // One "not satisfied" sends it back to the assigned body with a fresh deadline.
    state.status = 'inProgress';
    state.reopened = true;
    state.satisfaction = undefined;
    state.escalationLevel = 0;
    state.responsible = state.assignee;
    state.overdue = false;
    const fresh = v.deadlineFrom(now(), 'resolve');
    v.setDeadline('resolve', fresh.at);
    await v.record(
      'reopened',
      `居民评价：不满意${remark}。已重新办理，新的办结期限 ${v.when(fresh.at)}${fresh.note}`,
      actor,
    );
    await v.notify(
      `reopened`,
      { role: state.assignee },
      '居民不满意，事项已重新打开',
      `请于 ${v.when(v.deadline.resolve?.at ?? now())} 前重新办结。`,
    );
  } else {
    state.status = 'closed';
    state.satisfaction = 'unsatisfied';
    await v.record('feedback', `居民评价：不满意${remark}（已重办一次，事项关闭）`, actor);
  }
  return state;
}

async function extendDeadline(
  v: Voice,
  { actor, deadline: which, until, reason }: ExtendDeadlineInput,
): Promise<VoiceState> {
  v.extensions++;
  v.setDeadline(which, Date.parse(until));
  v.state.overdue = false;
  await v.record(
    'deadlineExtended',
    `${PHASE_ACTIONS[which]}期限延至 ${v.when(Date.parse(until))}，理由：${reason.trim()}`,
    actor,
  );
  return v.state;
}

function validateExtension(v: Voice, { actor, deadline: which, until, reason }: ExtendDeadlineInput): void {
  requireStaff(actor, '延期');
  requireStatus(v, which === 'acknowledge' ? ['assigned'] : ['assigned', 'inProgress'], '延期');
  requireText(reason, 'reason', '延期理由');
  if (v.extensions >= LIMITS.voiceExtensions)
    refuse('conflict', `已延期 ${LIMITS.voiceExtensions} 次，不能再延期`);
  const t = Date.parse(until);
  const current = v.deadline[which]?.at ?? 0;
  if (Number.isNaN(t)) refuse('invalid', '新的期限不是有效时间（until）');
  if (t <= current) refuse('invalid', '新的期限必须晚于当前期限（until）');
  if (t <= now()) refuse('invalid', '新的期限必须在将来（until）');
}

/** Staff reclassify or reassign: the new body gets its deadlines afresh, from now. */
async function reassign(
  v: Voice,
  { actor, category: newCategory, assignee: newAssignee, reason }: ReassignInput,
): Promise<VoiceState> {
  const { state, input } = v;
  v.reassignments++;
  const from = state.assignee;
  const fromCategory = v.category;
  const category = (v.category = newCategory ?? v.category);
  const to = newAssignee ?? (newCategory ? defaultAssignee(category, input.kind) : state.assignee);
  state.category = category;
  state.subject = voiceSubject(input.text ?? '', category, input.kind);
  state.assignee = to;
  state.responsible = to;
  state.escalationLevel = 0;
  state.overdue = false;
  const ack = v.deadlineFrom(now(), 'acknowledge');
  const res = v.deadlineFrom(now(), 'resolve');
  if (state.status === 'assigned') v.setDeadline('acknowledge', ack.at);
  v.setDeadline('resolve', res.at);
  const changes = [
    fromCategory !== category
      ? `类别由「${CATEGORY_LABELS[fromCategory]}」改为「${CATEGORY_LABELS[category]}」`
      : '',
    from !== to ? `由${BODY_LABELS[from]}改派${BODY_LABELS[to]}` : '',
  ].filter(Boolean);
  const next = state.status === 'assigned' ? { d: ack, action: '接单' } : { d: res, action: '办结' };
  const summary = `${changes.join('，')}，理由：${reason.trim()}；请于 ${v.when(next.d.at)} 前${next.action}${next.d.note}`;
  await v.record('reassigned', summary, actor);
  await fileLedgerEntry({
    entryId: `${input.voiceId}#reassigned:${v.reassignments}`,
    compoundId: input.compoundId,
    matterId: input.voiceId,
    matterType: 'voice',
    event: 'reassigned',
    at: iso(now()),
    actor: { userId: actor.userId, name: actor.name },
    summary: `居民反映${changes.join('，')}，理由：${reason.trim()}`,
    content: { fromCategory, category, from, to, reason: reason.trim() },
    bodies: [...new Set([from, to])],
  });
  if (from !== to) {
    await v.notify(
      `reassigned:${v.reassignments}:to`,
      { role: to },
      '新的居民反映待接单（改派）',
      `由${BODY_LABELS[from]}改派至你们，请于 ${v.when(ack.at)} 前接单。`,
    );
    await v.notify(
      `reassigned:${v.reassignments}:from`,
      { role: from },
      '居民反映已改派',
      `该事项已改派${BODY_LABELS[to]}办理，理由：${reason.trim()}`,
    );
  }
  if (!v.coordinationCalled && callsPromptCoordination(input.kind, category)) await v.callCoordination();
  return state;
}

function validateReassignment(
  v: Voice,
  { actor, category: newCategory, assignee: newAssignee, reason }: ReassignInput,
): void {
  requireStaff(actor, '改派或重新分类');
  requireStatus(v, ['assigned', 'inProgress'], '改派');
  requireText(reason, 'reason', '改派理由');
  if ([...reason.trim()].length > LIMITS.reasonChars)
    refuse('invalid', `改派理由最多 ${LIMITS.reasonChars} 字（reason）`);
  if (newCategory !== undefined && !(CATEGORIES as readonly string[]).includes(newCategory))
    refuse('invalid', `未知的类别：${String(newCategory)}（category）`);
  if (newAssignee !== undefined && !(RESPONSIBLE_BODIES as readonly string[]).includes(newAssignee))
    refuse('invalid', `未知的责任方：${String(newAssignee)}（assignee）`);
  if ((newCategory ?? v.category) === v.category && (newAssignee ?? v.state.assignee) === v.state.assignee)
    refuse('invalid', '类别和责任方都没有变化');
  if (v.reassignments >= LIMITS.reassignments)
    refuse('conflict', `已改派 ${LIMITS.reassignments} 次，请由社区党组织协调`);
}
