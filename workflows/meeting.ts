/**
 * The life every meeting shares: its window opens and the agenda is assembled; staff set date, place
 * and participants; participants are reminded (default 3 days and 1 day before); staff record that it
 * was held — attendance, minutes, a decision for every agenda item; not held by its deadline, it
 * escalates to the community party organization, and on. Postponing needs a reason and a new date.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { LedgerEntryInput } from '../activities/meetings';
import { DAY_MS, formatLocal } from '../domain/calendar';
import { LIMITS, excerptOf, longTextProblem } from '../domain/limits';
import {
  CONVENERS,
  DISPOSITIONS,
  MEETING_LABELS,
  endOfLocalDay,
  meetingWindow,
  reminderTimes,
} from '../domain/meetings';
import { maskedSummary } from '../domain/privacy';
import { describeUncovered } from '../domain/working-days';
import type { Role } from '../domain/roles';
import { REFUSAL, type Actor } from './contract';
import { statusAttribute } from './search-attributes';
import {
  meetingStatusQuery,
  postponeMeetingUpdate,
  recordMeetingUpdate,
  scheduleMeetingUpdate,
  type MeetingInput,
  type MeetingState,
  type RecordMeetingInput,
} from './meeting-contract';

export const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});
const notifyActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});

export const refuse = (type: keyof typeof REFUSAL, message: string): never => {
  throw ApplicationFailure.create({ type: REFUSAL[type], message, nonRetryable: true });
};
export const isStaff = (a: Actor) => a.roles.includes('staff') || a.roles.includes('admin');
export const iso = (t: number) => new Date(t).toISOString();

/** Notifications and ledger filing for one matter, with ids stable across retries and replays. */
export function recorder(
  compoundId: string,
  matterId: string,
  matterType: LedgerEntryInput['matterType'],
  /** The bodies the matter concerns, so the ledger can be browsed by body. */
  bodies: string[] = [],
) {
  let seq = 0;
  return {
    file(event: string, summary: string, actor?: Actor, content?: unknown) {
      return acts.fileLedgerEntry({
        entryId: `${matterId}#${++seq}`,
        compoundId,
        matterId,
        matterType,
        event,
        at: iso(Date.now()),
        actor: actor && { userId: actor.userId, name: actor.name },
        summary,
        content,
        bodies,
      });
    },
    async notifyUsers(userIds: string[], key: string, title: string, body: string) {
      for (const userId of userIds) {
        try {
          await notifyActs.sendNotification({
            key: `${matterId}:${key}:user:${userId}`,
            compoundId,
            to: { userId },
            title,
            body,
            at: iso(Date.now()),
          });
        } catch {
          // As below: the inbox copy is already written.
        }
      }
    },
    async notify(roles: Role[], key: string, title: string, body: string) {
      for (const role of roles) {
        try {
          await notifyActs.sendNotification({
            key: `${matterId}:${key}:${role}`,
            compoundId,
            to: { role },
            title,
            body,
            at: iso(Date.now()),
          });
        } catch {
          // The inbox copy is written first; only an outside channel was lost.
        }
      }
    },
  };
}

export interface MeetingLifeOptions {
  /** Whether every agenda item needs a decision in the record (the quarterly council decides by vote). */
  decisionsRequired: boolean;
  validateRecord?: (r: RecordMeetingInput) => void;
  /** Runs once the agenda is assembled (the council loads its roster, the evaluation its record). */
  onWindowOpen?: () => Promise<void>;
}

export function meetingLife(input: MeetingInput, opts: MeetingLifeOptions) {
  const meetingId = workflowInfo().workflowId;
  const label = MEETING_LABELS[input.type];
  const conveners = CONVENERS[input.type];
  // Extraordinary and prompt meetings bring their own dates; a period's meeting takes its calendar's.
  const defaults = input.plannedAt
    ? undefined
    : meetingWindow(input.type, input.period, input.timeZone, input.settings);
  const calendarNote = describeUncovered(defaults?.uncoveredYears ?? []);
  const plannedAt = input.plannedAt ? Date.parse(input.plannedAt) : defaults!.plannedAt.getTime();
  const holdBy = input.holdBy
    ? Date.parse(input.holdBy)
    : defaults
      ? defaults.holdBy.getTime()
      : plannedAt + 7 * DAY_MS;

  const state: MeetingState = {
    meetingId,
    compoundId: input.compoundId,
    type: input.type,
    period: input.period,
    status: 'planned',
    plannedAt: iso(plannedAt),
    holdBy: iso(holdBy),
    participants: [],
    agenda: [],
    escalationLevel: 0,
    overdue: false,
    postponements: [],
    decisions: [],
    extraordinary: input.extraordinary,
    ...(calendarNote ? { calendarNote } : {}),
  };
  const rec = recorder(input.compoundId, meetingId, 'meeting', CONVENERS[input.type]);
  let version = 0;
  let assembleEarly = false;
  // The read model has one writer, and its saves go one after another (a save started by a handler
  // waits for the one in flight), so an older state never lands after a newer one.
  const serialSaves = patched('serial-meeting-saves');
  let saveTail: Promise<unknown> = Promise.resolve();
  const showStatus = statusAttribute();
  const save = (): Promise<void> => {
    showStatus(state.status);
    if (!serialSaves) return acts.saveMeeting(state);
    const run = saveTail.then(() => acts.saveMeeting(state));
    saveTail = run.catch(() => undefined);
    return run;
  };
  const when = (t: string | number) => formatLocal(new Date(t), input.timeZone);

  const requireConvener = (actor: Actor) => {
    if (!isStaff(actor) && !conveners.some((r) => actor.roles.includes(r))) {
      refuse('forbidden', `只有社区工作人员或召集方（${label}）可以安排会议`);
    }
  };
  const requireNotHeld = () => {
    if (state.held) refuse('conflict', '会议已召开并记录，不能再修改');
  };
  /** A list of people: each once, and no more than a meeting can seat. */
  const requireDistinct = (ids: string[], field: string, label: string) => {
    if (ids.some((id) => typeof id !== 'string' || !id)) refuse('invalid', `${label}名单有误（${field}）`);
    if (new Set(ids).size !== ids.length) refuse('invalid', `${label}名单中有重复的人（${field}）`);
    if (ids.length > LIMITS.participants)
      refuse('invalid', `${label}最多 ${LIMITS.participants} 人（${field}）`);
  };
  const requireDate = (value: string, field: string): number => {
    const t = Date.parse(value);
    if (Number.isNaN(t)) refuse('invalid', `时间格式无效（${field}）`);
    return t;
  };

  setHandler(meetingStatusQuery, () => state);

  setHandler(
    scheduleMeetingUpdate,
    async ({ actor, at, place, participants }) => {
      state.plannedAt = iso(Date.parse(at));
      state.place = place.trim();
      state.participants = participants;
      state.status = 'scheduled';
      assembleEarly = true;
      version++;
      await save();
      await rec.file('scheduled', `${label}定于 ${when(at)} 在${place.trim()}召开`, actor, { participants });
      return state;
    },
    {
      validator: ({ actor, at, place, participants }) => {
        requireNotHeld();
        requireConvener(actor);
        const t = requireDate(at, 'at');
        if (t <= Date.now()) refuse('invalid', '会议时间必须在将来（at）');
        if (t > Date.parse(state.holdBy))
          refuse('invalid', `会议时间晚于召开期限 ${when(state.holdBy)}，请改用延期（postpone）并说明理由`);
        if (!place?.trim()) refuse('invalid', '请填写会议地点（place）');
        if ([...place.trim()].length > LIMITS.placeChars)
          refuse('invalid', `会议地点最多 ${LIMITS.placeChars} 字（place）`);
        if (!Array.isArray(participants) || participants.length === 0)
          refuse('invalid', '请填写参会人员（participants）');
        requireDistinct(participants, 'participants', '参会人员');
      },
    },
  );

  setHandler(
    postponeMeetingUpdate,
    async ({ actor, reason, newDate }) => {
      const to = Date.parse(newDate);
      state.postponements.push({
        at: iso(Date.now()),
        reason: reason.trim(),
        from: state.plannedAt,
        to: iso(to),
        by: actor.name,
      });
      state.plannedAt = iso(to);
      state.holdBy = iso(
        Math.max(Date.parse(state.holdBy), endOfLocalDay(new Date(to), input.timeZone).getTime()),
      );
      state.overdue = false;
      version++;
      await save();
      await rec.file('postponed', `${label}延期至 ${when(to)}，理由：${reason.trim()}`, actor);
      await rec.notify(
        conveners,
        `postponed:${state.postponements.length}`,
        `${label}延期`,
        `延期至 ${when(to)}，理由：${reason.trim()}`,
      );
      return state;
    },
    {
      validator: ({ actor, reason, newDate }) => {
        requireNotHeld();
        requireConvener(actor);
        if (!reason?.trim()) refuse('invalid', '延期必须说明理由（reason）');
        if ([...reason.trim()].length > LIMITS.reasonChars)
          refuse('invalid', `延期理由最多 ${LIMITS.reasonChars} 字（reason）`);
        if (state.postponements.length >= LIMITS.postponements)
          refuse('conflict', `会议最多延期 ${LIMITS.postponements} 次，请按期召开`);
        const t = requireDate(newDate, 'newDate');
        if (t <= Date.now()) refuse('invalid', '新的日期必须在将来（newDate）');
        if (t <= Date.parse(state.plannedAt)) refuse('invalid', '新的日期必须晚于原定日期（newDate）');
      },
    },
  );

  setHandler(
    recordMeetingUpdate,
    async (r) => {
      const heldAt = Date.parse(r.heldAt);
      state.held = {
        heldAt: iso(heldAt),
        attendance: r.attendance,
        minutes: typeof r.minutes === 'string' ? r.minutes.trim() : r.minutes,
        recordedBy: r.actor.name,
        onTime: heldAt <= Date.parse(state.holdBy) && state.escalationLevel === 0,
      };
      state.decisions = r.decisions;
      state.status = 'held';
      state.overdue = false;
      version++;
      await save();
      await rec.file('held', `${label}已召开，出席 ${r.attendance.length} 人`, r.actor, {
        heldAt: state.held.heldAt,
        attendance: r.attendance,
        minutes: state.held.minutes,
        onTime: state.held.onTime,
      });
      for (const d of r.decisions) {
        const item = state.agenda.find((i) => i.id === d.itemId);
        await rec.file(
          'decision',
          `议题「${item?.title ?? d.itemId}」：${excerptOf(d.decision)}`,
          r.actor,
          d,
        );
      }
      return state;
    },
    {
      validator: (r) => {
        requireNotHeld();
        if (!isStaff(r.actor)) refuse('forbidden', '只有社区工作人员可以记录会议');
        if (!state.agendaAssembledAt) refuse('conflict', '议程尚未生成，请先安排会议');
        const t = requireDate(r.heldAt, 'heldAt');
        if (t > Date.now()) refuse('invalid', '召开时间不能在将来（heldAt）');
        if (!Array.isArray(r.attendance) || r.attendance.length === 0)
          refuse('invalid', '请填写出席人员（attendance）');
        requireDistinct(r.attendance, 'attendance', '出席人员');
        const minutes = longTextProblem(r.minutes, '会议纪要');
        if (minutes) refuse('invalid', `${minutes}（minutes）`);
        if ((r.decisions ?? []).length > LIMITS.decisionsPerMeeting)
          refuse('invalid', `每次会议最多 ${LIMITS.decisionsPerMeeting} 项决定（decisions）`);
        const ids = new Set(state.agenda.map((i) => i.id));
        const seen = new Set<string>();
        for (const d of r.decisions ?? []) {
          if (!ids.has(d.itemId)) refuse('invalid', `议程中没有这个议题：${d.itemId}`);
          if (seen.has(d.itemId)) refuse('invalid', `议题 ${d.itemId} 有多个决定`);
          seen.add(d.itemId);
          const problem =
            longTextProblem(d.decision, `议题 ${d.itemId} 的决定`) ??
            longTextProblem(d.handlingOpinion, `议题 ${d.itemId} 的处理意见`, false) ??
            longTextProblem(d.procedure, `议题 ${d.itemId} 的执行程序`, false);
          if (problem) refuse('invalid', problem);
          if (d.disposition && !(DISPOSITIONS as readonly string[]).includes(d.disposition)) {
            refuse('invalid', `未知的处理去向：${d.disposition}`);
          }
        }
        if (opts.decisionsRequired) {
          const missing = state.agenda.filter((i) => !seen.has(i.id));
          if (missing.length)
            refuse('invalid', `每个议题都要有决定，缺少：${missing.map((i) => i.title).join('、')}`);
        }
        opts.validateRecord?.(r);
      },
    },
  );

  const held = () => state.held !== undefined;

  async function run(): Promise<MeetingState> {
    await save();
    // The window opens a few days before the planned date: then the agenda is gathered.
    const lead = Math.max(0, ...input.settings.reminderDaysBefore) * DAY_MS;
    const openAt = plannedAt - lead;
    if (Date.now() < openAt) await condition(() => assembleEarly, openAt - Date.now());
    state.agenda = [
      ...(input.trigger
        ? [
            {
              id: `trigger-${input.trigger.voiceId}`,
              // Everyone in the compound reads agendas: the category and a masked summary, never the text.
              title: `投诉自管会服务：${input.trigger.summary ?? maskedSummary(input.trigger.text ?? '')}`,
              source: 'trigger' as const,
              voiceIds: [input.trigger.voiceId],
            },
          ]
        : []),
      ...(input.extraordinary
        ? [
            {
              id: 'extraordinary',
              title: `临时会议事由：${input.extraordinary.reason}`,
              source: 'extraordinary' as const,
            },
          ]
        : []),
      ...(await acts.assembleAgenda({
        compoundId: input.compoundId,
        type: input.type,
        meetingId,
        asOf: iso(Date.now()),
      })),
    ];
    await opts.onWindowOpen?.();
    state.agendaAssembledAt = iso(Date.now());
    await save();
    await rec.file('agendaAssembled', `${label}议程已生成，共 ${state.agenda.length} 项`, undefined, {
      agenda: state.agenda.map((i) => i.title),
    });
    await rec.notify(
      conveners,
      'agenda',
      `${label}议程已生成`,
      `共 ${state.agenda.length} 项议题，请于 ${when(state.holdBy)} 前召开。`,
    );

    const reminded = new Set<string>();
    while (!held()) {
      const v = version;
      const changed = () => held() || version !== v;
      const due = reminderTimes(
        new Date(state.plannedAt),
        input.settings.reminderDaysBefore,
        new Date(Date.now()),
      ).find((t) => !reminded.has(`${state.plannedAt}@${t.getTime()}`));
      if (due && due.getTime() < Date.parse(state.holdBy)) {
        if (await condition(changed, due.getTime() - Date.now())) continue;
        reminded.add(`${state.plannedAt}@${due.getTime()}`);
        const days = Math.round((Date.parse(state.plannedAt) - due.getTime()) / DAY_MS);
        await rec.notify(
          [...conveners],
          `reminder:${state.plannedAt}:${days}`,
          `提醒：${label}将于 ${days} 天后召开`,
          `时间 ${when(state.plannedAt)}${state.place ? `，地点 ${state.place}` : ''}。`,
        );
        // The participants staff named are reminded in person too.
        if (state.participants.length && patched('participant-reminders')) {
          await rec.notifyUsers(
            state.participants,
            `reminder:${state.plannedAt}:${days}`,
            `提醒：${label}将于 ${days} 天后召开`,
            `时间 ${when(state.plannedAt)}${state.place ? `，地点 ${state.place}` : ''}。`,
          );
        }
        continue;
      }
      if (state.escalationLevel >= 2) {
        await condition(changed);
        continue;
      }
      if (await condition(changed, Math.max(0, Date.parse(state.holdBy) - Date.now()))) continue;
      // Not held in time: up to the community party organization, and on.
      state.escalationLevel++;
      state.overdue = true;
      const missed = state.holdBy;
      state.holdBy = iso(Date.now() + input.settings.escalationStepDays * DAY_MS);
      const to: Role[] =
        state.escalationLevel === 1 ? ['partyBranch'] : ['partyBranch', 'supervisoryBoard', 'staff'];
      version++;
      await save();
      await rec.file(
        'escalated',
        `${label}未在 ${when(missed)} 前召开，已第 ${state.escalationLevel} 次上报社区党组织督办，新期限 ${when(state.holdBy)}`,
        undefined,
        { level: state.escalationLevel, missed },
      );
      await rec.notify(
        to,
        `escalated:${state.escalationLevel}`,
        `督办：${label}逾期未召开`,
        `原定期限 ${when(missed)}，请督促于 ${when(state.holdBy)} 前召开。`,
      );
    }
    // Let the record's handler finish first, so its reply never coincides with the workflow's end.
    await condition(allHandlersFinished);
    return state;
  }

  /**
   * Ends the meeting: marks what it took up (voices only for the consultation, which is where they are
   * discussed), closes it, and waits for any handler still running.
   */
  async function close(consume: { voices: boolean } | false): Promise<MeetingState> {
    if (consume) {
      await acts.consumeAgenda({
        meetingId,
        voiceIds: consume.voices ? state.agenda.flatMap((i) => i.voiceIds ?? []) : [],
        referralIds: state.agenda.flatMap((i) => i.referralIds ?? []),
        agendaVoices: consume.voices,
      });
    }
    state.status = 'closed';
    await save();
    await condition(allHandlersFinished);
    return state;
  }

  return { state, run, close, rec, save, meetingId, label, when };
}
