/**
 * One resident's voice, from intake to the resident's verdict (DOMAIN.md "Voices of residents").
 * It is assigned to a responsible body, which must accept it and resolve it in time; reminders come
 * before each deadline; a missed deadline climbs the escalation ladder (assigned body → owners'
 * committee → party branch); the resident says whether they are satisfied, and one "no" reopens it.
 * Praise is recorded and published, with no deadlines.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import { statusAttribute } from './search-attributes';
import type { Activities } from '../activities';
import {
  BODY_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  callsPromptCoordination,
  defaultAssignee,
  escalationLadder,
  mayHandleVoice,
  reminderTime,
  voiceDeadline,
  voiceSubject,
  type ResponsibleBody,
} from '../domain/voices';
import { DEFAULT_TIME_ZONE, formatLocal, HOUR_MS } from '../domain/calendar';
import { LIMITS } from '../domain/limits';
import { maskedSummary } from '../domain/privacy';
import { describeUncovered } from '../domain/working-days';
import {
  REFUSAL,
  acceptVoiceUpdate,
  extendDeadlineUpdate,
  giveFeedbackUpdate,
  reassignVoiceUpdate,
  reportProgressUpdate,
  resolveVoiceUpdate,
  syncVoiceRecordUpdate,
  voiceStatusQuery,
  type Actor,
  type ExtendDeadlineInput,
  type VoiceState,
  type VoiceWorkflowInput,
} from './contract';

const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
// A voice's own steps (its record, its notices) are short writes: run as local activities they cost the
// Temporal server no task of their own, so a voice's first step is one workflow task, not three.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
const localNotify = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});
// A notification channel that stays down must not hold the voice's timeline back.
const { loadCompoundSettings, startWorkflow, fileLedgerEntry } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
const remoteNotify = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});

type Phase = 'acknowledge' | 'resolve';
/** How early a deadline's first timer wakes, at most, so the last stretch is timed from an idle task. */
const DEADLINE_LEAD_MS = 5 * 60_000;
const BODIES: ResponsibleBody[] = ['selfManagementCommittee', 'ownersCommittee', 'partyBranch', 'staff'];

export async function residentVoice(input: VoiceWorkflowInput): Promise<VoiceState> {
  const { voiceId, compoundId, settings } = input;
  const now = () => Date.now();
  const iso = (t: number) => new Date(t).toISOString();
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  const when = (t: number) => formatLocal(new Date(t), timeZone);

  const state: VoiceState = {
    voiceId,
    status: 'received',
    assignee: input.assignee,
    escalationLevel: 0,
    responsible: input.assignee,
    overdue: false,
    reopened: false,
    escalations: [],
  };
  // Deadlines as epoch ms, and when each was set (reminders fall between the two).
  const deadline: Record<Phase, { at: number; setAt: number } | undefined> = {
    acknowledge: undefined,
    resolve: undefined,
  };
  const serialRecords = patched('serial-voice-records');
  const { recordVoiceEvent } = patched('local-voice-activities') ? local : remote;
  const { sendNotification } = patched('local-voice-notices') ? localNotify : remoteNotify;
  let recordTail: Promise<unknown> = Promise.resolve();
  let deadlineVersion = 0;
  let seq = 0;
  let progressReports = 0;
  let extensions = 0;
  let reassignments = 0;
  let coordinationCalled = false;
  let category = input.category;

  /** A phase's deadline from an instant, by the kind's hours or working days; says if holidays were unknown. */
  const deadlineFrom = (from: number, phase: Phase) => {
    if (input.kind === 'praise') return { at: from, note: '' };
    const d = voiceDeadline(new Date(from), phase, settings.deadlines[input.kind], timeZone, input.calendar);
    const note = describeUncovered(d.uncoveredYears);
    return { at: d.at.getTime(), note: note ? `（${note}）` : '' };
  };

  const setDeadline = (phase: Phase, at: number) => {
    deadline[phase] = { at, setAt: now() };
    state[phase === 'acknowledge' ? 'acknowledgeBy' : 'resolveBy'] = iso(at);
    deadlineVersion++;
  };

  // One writer, one event at a time: a handler's event waits for the one in flight (the read model's
  // revision compare-and-set relies on it).
  const inOrder = serialRecords
    ? <T>(f: () => Promise<T>): Promise<T> => {
        const run = recordTail.then(f, f);
        recordTail = run.catch(() => undefined);
        return run;
      }
    : <T>(f: () => Promise<T>) => f();
  const showStatus = statusAttribute();
  const record = (type: string, message: string, actor?: Actor) => {
    showStatus(state.status);
    const eventId = `${voiceId}:${++seq}`;
    return inOrder(() => recordEvent(eventId, type, message, actor));
  };
  const recordEvent = (eventId: string, type: string, message: string, actor?: Actor) =>
    recordVoiceEvent({
      voiceId,
      compoundId,
      eventId,
      type,
      at: iso(now()),
      message,
      actor: actor && { userId: actor.userId, name: actor.name, body: bodyOf(actor) },
      set: recorded(),
    });
  /** What the read model follows of the state. */
  const recorded = () => ({
    status: state.status,
    ...(state.category ? { category: state.category, subject: state.subject } : {}),
    assignee: state.assignee,
    escalationLevel: state.escalationLevel,
    responsible: state.responsible,
    acknowledgeBy: state.acknowledgeBy,
    resolveBy: state.resolveBy,
    overdue: state.overdue,
    reopened: state.reopened,
    satisfaction: state.satisfaction,
    respondedOnTime: state.respondedOnTime,
  });

  const notify = async (
    key: string,
    to: { role?: ResponsibleBody; userId?: string },
    title: string,
    body: string,
  ) => {
    try {
      await sendNotification({
        key: `${voiceId}:${key}`,
        compoundId,
        to,
        title,
        body,
        voiceId,
        at: iso(now()),
      });
    } catch {
      // Already retried; the inbox copy is written first, so only an outside channel was lost.
    }
  };

  const bodyOf = (actor: Actor): ResponsibleBody => {
    const ladder = escalationLadder(state.assignee).slice(0, state.escalationLevel + 1);
    return ladder.find((b) => b !== 'staff' && actor.roles.includes(b)) ?? 'staff';
  };

  const refuse = (type: keyof typeof REFUSAL, message: string): never => {
    throw ApplicationFailure.create({ type: REFUSAL[type], message, nonRetryable: true });
  };
  const requireHandler = (actor: Actor) => {
    if (!mayHandleVoice(actor.roles, state.assignee, state.escalationLevel)) {
      refuse('forbidden', `此事项由${BODY_LABELS[state.responsible]}负责，您无权处理`);
    }
  };
  const requireStatus = (allowed: VoiceState['status'][], action: string) => {
    if (!allowed.includes(state.status)) refuse('conflict', `当前状态不能${action}`);
  };
  const requireText = (text: string | undefined, field: string, label: string) => {
    if (!text || !text.trim()) refuse('invalid', `${label}不能为空（${field}）`);
    if ([...(text ?? '')].length > 2000) refuse('invalid', `${label}最多 2000 字（${field}）`);
  };
  const requireStaff = (actor: Actor, what: string) => {
    if (!actor.roles.includes('staff') && !actor.roles.includes('admin')) {
      refuse('forbidden', `只有社区工作人员可以${what}`);
    }
  };

  /**
   * A complaint or appeal about the self-management committee's service calls the owners' committee and
   * the committee to a coordination meeting within a few days (a prompt one, beside the regular cadence).
   */
  const callCoordination = async () => {
    coordinationCalled = true;
    const { timeZone: zone, meetings } = await loadCompoundSettings(compoundId, iso(now()));
    const holdBy = now() + meetings.promptCoordinationDays * 24 * HOUR_MS;
    await startWorkflow({
      type: 'periodicCoordination',
      workflowId: `periodic-coordination/${compoundId}/prompt-${voiceId}`,
      args: [
        {
          compoundId,
          type: 'periodicCoordination',
          period: `prompt-${voiceId}`,
          timeZone: zone,
          settings: meetings,
          plannedAt: new Date(Math.max(now() + HOUR_MS, holdBy - 24 * HOUR_MS)).toISOString(),
          holdBy: new Date(holdBy).toISOString(),
          // The agenda is read by the whole compound: a masked summary, not the resident's words.
          trigger: { voiceId, summary: maskedSummary(input.text ?? '') },
        },
      ],
    });
    await record(
      'coordinationCalled',
      `该反映涉及自管会服务，已提请业委会、自管会于 ${when(holdBy)} 前召开协调会`,
    );
  };

  /** 响应率: the first response counts as on time if it came before the acknowledgement deadline unescalated. */
  const markResponse = () => {
    if (state.respondedOnTime !== undefined) return;
    const ack = deadline.acknowledge?.at ?? Infinity;
    state.respondedOnTime = !state.escalations.some((e) => e.missed === 'acknowledge') && now() <= ack;
  };

  setHandler(voiceStatusQuery, () => state);
  // Only the drift check sends it, so histories without it replay unchanged.
  setHandler(syncVoiceRecordUpdate, async () => {
    await inOrder(() => local.syncVoiceRecord({ voiceId, compoundId, set: recorded() }));
    return { rev: seq };
  });

  setHandler(
    acceptVoiceUpdate,
    async ({ actor, note }) => {
      markResponse();
      state.status = 'inProgress';
      state.overdue = false;
      deadlineVersion++;
      await record('accepted', note?.trim() ? `已接单：${note.trim()}` : '已接单', actor);
      return state;
    },
    {
      validator: ({ actor }) => {
        requireStatus(['assigned'], '接单');
        requireHandler(actor);
      },
    },
  );

  setHandler(
    reportProgressUpdate,
    async ({ actor, note }) => {
      progressReports++;
      await record('progress', note.trim(), actor);
      return state;
    },
    {
      validator: ({ actor, note }) => {
        requireStatus(['assigned', 'inProgress'], '报告进展');
        requireHandler(actor);
        requireText(note, 'note', '进展说明');
        if (progressReports >= LIMITS.voiceProgressNotes)
          refuse('conflict', `进展报告已达 ${LIMITS.voiceProgressNotes} 条上限，请办结`);
      },
    },
  );

  setHandler(
    resolveVoiceUpdate,
    async ({ actor, result }) => {
      markResponse();
      state.status = 'resolved';
      state.overdue = false;
      deadlineVersion++;
      const resolutionId = `${voiceId}:${++seq}:resolution`;
      await inOrder(() =>
        recordVoiceEvent({
          voiceId,
          compoundId,
          eventId: resolutionId,
          type: 'resolutionRecorded',
          at: iso(now()),
          message: result.trim(),
          set: { result: result.trim(), resolvedAt: iso(now()), handledBy: bodyOf(actor) },
        }),
      );
      await record('resolved', `已办结：${result.trim()}`, actor);
      if (input.submitterUserId) {
        await notify(
          `resolved:${seq}`,
          { userId: input.submitterUserId },
          '您反映的问题已办结',
          `处理结果：${result.trim().replace(/[。.！!]+$/, '')}。请对处理结果进行评价。`,
        );
      }
      return state;
    },
    {
      validator: ({ actor, result }) => {
        requireStatus(['assigned', 'inProgress'], '办结');
        requireHandler(actor);
        requireText(result, 'result', '处理结果');
      },
    },
  );

  setHandler(
    giveFeedbackUpdate,
    async ({ actor, satisfied, comment }) => {
      const remark = comment?.trim() ? `：${comment.trim()}` : '';
      if (satisfied) {
        state.status = 'closed';
        state.satisfaction = 'satisfied';
        await record('feedback', `居民评价：满意${remark}`, actor);
      } else if (!state.reopened) {
        // One "not satisfied" sends it back to the assigned body with a fresh deadline.
        state.status = 'inProgress';
        state.reopened = true;
        state.satisfaction = undefined;
        state.escalationLevel = 0;
        state.responsible = state.assignee;
        state.overdue = false;
        const fresh = deadlineFrom(now(), 'resolve');
        setDeadline('resolve', fresh.at);
        await record(
          'reopened',
          `居民评价：不满意${remark}。已重新办理，新的办结期限 ${when(fresh.at)}${fresh.note}`,
          actor,
        );
        await notify(
          `reopened`,
          { role: state.assignee },
          '居民不满意，事项已重新打开',
          `请于 ${when(deadline.resolve?.at ?? now())} 前重新办结。`,
        );
      } else {
        state.status = 'closed';
        state.satisfaction = 'unsatisfied';
        await record('feedback', `居民评价：不满意${remark}（已重办一次，事项关闭）`, actor);
      }
      return state;
    },
    {
      validator: ({ actor }) => {
        requireStatus(['resolved'], '评价');
        const isSubmitter = input.submitterUserId !== undefined && actor.userId === input.submitterUserId;
        const isStaff = actor.roles.includes('staff') || actor.roles.includes('admin');
        if (!isSubmitter && !isStaff)
          refuse('forbidden', '只有反映人本人（或代为录入的社区工作人员）可以评价');
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async ({ actor, deadline: which, until, reason }) => {
      extensions++;
      setDeadline(which, Date.parse(until));
      state.overdue = false;
      await record(
        'deadlineExtended',
        `${which === 'acknowledge' ? '接单' : '办结'}期限延至 ${when(Date.parse(until))}，理由：${reason.trim()}`,
        actor,
      );
      return state;
    },
    {
      validator: ({ actor, deadline: which, until, reason }: ExtendDeadlineInput) => {
        requireStaff(actor, '延期');
        requireStatus(which === 'acknowledge' ? ['assigned'] : ['assigned', 'inProgress'], '延期');
        requireText(reason, 'reason', '延期理由');
        if (extensions >= LIMITS.voiceExtensions)
          refuse('conflict', `已延期 ${LIMITS.voiceExtensions} 次，不能再延期`);
        const t = Date.parse(until);
        const current = deadline[which]?.at ?? 0;
        if (Number.isNaN(t)) refuse('invalid', '新的期限不是有效时间（until）');
        if (t <= current) refuse('invalid', '新的期限必须晚于当前期限（until）');
        if (t <= now()) refuse('invalid', '新的期限必须在将来（until）');
      },
    },
  );

  setHandler(
    reassignVoiceUpdate,
    async ({ actor, category: newCategory, assignee: newAssignee, reason }) => {
      reassignments++;
      const from = state.assignee;
      const fromCategory = category;
      category = newCategory ?? category;
      const to = newAssignee ?? (newCategory ? defaultAssignee(category, input.kind) : state.assignee);
      state.category = category;
      state.subject = voiceSubject(input.text ?? '', category, input.kind);
      state.assignee = to;
      state.responsible = to;
      state.escalationLevel = 0;
      state.overdue = false;
      // The new body gets its deadlines afresh, from now.
      const ack = deadlineFrom(now(), 'acknowledge');
      const res = deadlineFrom(now(), 'resolve');
      if (state.status === 'assigned') setDeadline('acknowledge', ack.at);
      setDeadline('resolve', res.at);
      const changes = [
        fromCategory !== category
          ? `类别由「${CATEGORY_LABELS[fromCategory]}」改为「${CATEGORY_LABELS[category]}」`
          : '',
        from !== to ? `由${BODY_LABELS[from]}改派${BODY_LABELS[to]}` : '',
      ].filter(Boolean);
      const summary = `${changes.join('，')}，理由：${reason.trim()}；请于 ${when(
        state.status === 'assigned' ? ack.at : res.at,
      )} 前${state.status === 'assigned' ? '接单' : '办结'}${state.status === 'assigned' ? ack.note : res.note}`;
      await record('reassigned', summary, actor);
      await fileLedgerEntry({
        entryId: `${voiceId}#reassigned:${reassignments}`,
        compoundId,
        matterId: voiceId,
        matterType: 'voice',
        event: 'reassigned',
        at: iso(now()),
        actor: { userId: actor.userId, name: actor.name },
        summary: `居民反映${changes.join('，')}，理由：${reason.trim()}`,
        content: { fromCategory, category, from, to, reason: reason.trim() },
        bodies: [...new Set([from, to])],
      });
      if (from !== to) {
        await notify(
          `reassigned:${reassignments}:to`,
          { role: to },
          '新的居民反映待接单（改派）',
          `由${BODY_LABELS[from]}改派至你们，请于 ${when(ack.at)} 前接单。`,
        );
        await notify(
          `reassigned:${reassignments}:from`,
          { role: from },
          '居民反映已改派',
          `该事项已改派${BODY_LABELS[to]}办理，理由：${reason.trim()}`,
        );
      }
      if (!coordinationCalled && callsPromptCoordination(input.kind, category)) await callCoordination();
      return state;
    },
    {
      validator: ({ actor, category: newCategory, assignee: newAssignee, reason }) => {
        requireStaff(actor, '改派或重新分类');
        requireStatus(['assigned', 'inProgress'], '改派');
        requireText(reason, 'reason', '改派理由');
        if ([...reason.trim()].length > LIMITS.reasonChars)
          refuse('invalid', `改派理由最多 ${LIMITS.reasonChars} 字（reason）`);
        if (newCategory !== undefined && !(CATEGORIES as readonly string[]).includes(newCategory))
          refuse('invalid', `未知的类别：${String(newCategory)}（category）`);
        if (newAssignee !== undefined && !BODIES.includes(newAssignee))
          refuse('invalid', `未知的责任方：${String(newAssignee)}（assignee）`);
        if ((newCategory ?? category) === category && (newAssignee ?? state.assignee) === state.assignee)
          refuse('invalid', '类别和责任方都没有变化');
        if (reassignments >= LIMITS.reassignments)
          refuse('conflict', `已改派 ${LIMITS.reassignments} 次，请由社区党组织协调`);
      },
    },
  );

  if (input.kind === 'praise') {
    state.status = 'published';
    await record('published', `点赞已记录并公示：感谢${BODY_LABELS[state.assignee]}`);
    await notify('praise', { role: state.assignee }, '收到居民点赞', '居民为你们点赞，已在回音壁公示。');
    await condition(allHandlersFinished);
    return state;
  }

  // Assignment: deadlines run from intake, not from when the workflow happened to start.
  const submitted = Date.parse(input.submittedAt);
  state.status = 'assigned';
  const ack = deadlineFrom(submitted, 'acknowledge');
  const res = deadlineFrom(submitted, 'resolve');
  setDeadline('acknowledge', Math.max(ack.at, now()));
  setDeadline('resolve', Math.max(res.at, now()));
  deadline.acknowledge!.setAt = submitted;
  deadline.resolve!.setAt = submitted;
  await record(
    'assigned',
    `已分派给${BODY_LABELS[state.assignee]}，请于 ${when(deadline.acknowledge!.at)} 前接单${ack.note || res.note}`,
  );
  await notify(
    'assigned',
    { role: state.assignee },
    '新的居民反映待接单',
    `请于 ${when(deadline.acknowledge!.at)} 前接单，${when(deadline.resolve!.at)} 前办结。`,
  );

  // A complaint (and, since this was patched in, an appeal) about the committee's service.
  if (
    callsPromptCoordination(input.kind, input.category) &&
    (input.kind === 'complaint' || patched('prompt-coordination-appeals')) &&
    patched('prompt-coordination')
  ) {
    await callCoordination();
  }

  const reminded = new Set<string>();
  const overdueAtTop = new Set<string>();

  /** Waits out the current phase's deadline; returns when anything changed or after acting on it. */
  const watchDeadline = async () => {
    const phase: Phase = state.status === 'assigned' ? 'acknowledge' : 'resolve';
    const d = deadline[phase];
    if (!d) return;
    const status = state.status;
    const version = deadlineVersion;
    const changed = () => state.status !== status || deadlineVersion !== version;
    const action = phase === 'acknowledge' ? '接单' : '办结';

    const remindAt = reminderTime(
      new Date(d.setAt),
      new Date(d.at),
      settings.reminderLeadHours[phase],
    ).getTime();
    const reminderKey = `${phase}:${d.at}`;
    if (!reminded.has(reminderKey) && now() < remindAt) {
      if (await condition(changed, remindAt - now())) return;
      reminded.add(reminderKey);
      await notify(
        `reminder:${reminderKey}:${state.responsible}`,
        { role: state.responsible },
        `提醒：居民反映即将到期未${action}`,
        `请于 ${when(d.at)} 前${action}。`,
      );
      await record('reminderSent', `已提醒${BODY_LABELS[state.responsible]}于 ${when(d.at)} 前${action}`);
    }
    if (now() < d.at && patched('deadline-final-step')) {
      // A timer runs from when the task that sets it completes, but now() is when that task began: its
      // local activities (records, notices) would make the deadline fire late by their duration. So wake
      // a little early, then set the last stretch from a task that does nothing else.
      const left = d.at - now();
      const lead = Math.min(DEADLINE_LEAD_MS, Math.floor(left / 4));
      if (lead >= 1000 && (await condition(changed, left - lead))) return;
      if (now() < d.at && (await condition(changed, d.at - now()))) return;
    } else if (now() < d.at) {
      if (await condition(changed, d.at - now())) return;
    }

    // Overdue: climb the ladder, or stay at the top, flagged, until someone acts.
    const ladder = escalationLadder(state.assignee);
    state.overdue = true;
    if (state.escalationLevel < ladder.length - 1) {
      const from = state.responsible;
      state.escalationLevel++;
      state.responsible = ladder[state.escalationLevel] ?? from;
      state.escalations.push({ at: iso(now()), from, to: state.responsible, missed: phase });
      setDeadline(phase, now() + settings.escalationStepHours * HOUR_MS);
      await record(
        'escalated',
        `逾期未${action}，已由${BODY_LABELS[from]}升级至${BODY_LABELS[state.responsible]}督办，新期限 ${when(deadline[phase]!.at)}`,
      );
      await notify(
        `escalated:${state.escalationLevel}:${phase}`,
        { role: state.responsible },
        '居民反映逾期升级，请督办',
        `${BODY_LABELS[from]}逾期未${action}，现升级至你们督办，请于 ${when(deadline[phase]!.at)} 前${action}。`,
      );
      // Escalations are filed with the supervisory board's record too (一事一记，一时一记).
      if (patched('ledger-voice-escalation')) {
        await fileLedgerEntry({
          entryId: `${voiceId}#escalated:${state.escalationLevel}:${phase}`,
          compoundId,
          matterId: voiceId,
          matterType: 'voice',
          event: 'escalated',
          at: iso(now()),
          summary: `居民反映逾期未${action}，由${BODY_LABELS[from]}升级至${BODY_LABELS[state.responsible]}督办`,
          content: { level: state.escalationLevel, from, to: state.responsible, missed: phase },
          bodies: [from, state.responsible],
        });
      }
      await notify(
        `escalated:${state.escalationLevel}:${phase}:from`,
        { role: from },
        '居民反映已逾期升级',
        `该事项逾期未${action}，已升级至${BODY_LABELS[state.responsible]}督办。`,
      );
      return;
    }
    const topKey = `${phase}:${deadlineVersion}`;
    if (!overdueAtTop.has(topKey)) {
      overdueAtTop.add(topKey);
      await record('overdue', `逾期未${action}，已在最高督办层级（${BODY_LABELS[state.responsible]}）`);
      await notify(
        `overdue:${topKey}`,
        { role: state.responsible },
        '居民反映严重逾期',
        `该事项仍未${action}，请立即处理。`,
      );
    }
    await condition(changed);
  };

  const awaitFeedback = async () => {
    const until = now() + settings.feedbackWindowHours * HOUR_MS;
    if (await condition(() => state.status !== 'resolved', until - now())) return;
    state.status = 'closed';
    await record('closed', '居民未在评价期限内评价，事项自动关闭');
  };

  // Read through a function: handlers change the status while the loop awaits.
  const status = () => state.status;
  while (status() !== 'closed') {
    if (status() === 'resolved') await awaitFeedback();
    else await watchDeadline();
  }
  await condition(allHandlersFinished);
  return state;
}
