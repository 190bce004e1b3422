/**
 * What may be done to any meeting before it is held, and by whom: staff or its conveners schedule or
 * postpone it (with a reason and a new date); staff record that it was held — attendance, minutes and
 * the decisions. Validators refuse synchronously; the handlers change the state and file it.
 */
import { setHandler } from '@temporalio/workflow';
import { isStaff } from '../domain/bodies';
import { LIMITS, excerptOf, longTextProblem } from '../domain/limits';
import { DISPOSITIONS, holdByAfterPostponement } from '../domain/meetings';
import { refuse, type Actor } from './contract';
import { iso } from './matter-record';
import {
  meetingStatusQuery,
  postponeMeetingUpdate,
  recordMeetingUpdate,
  scheduleMeetingUpdate,
  type MeetingState,
  type PostponeInput,
  type RecordMeetingInput,
  type ScheduleInput,
} from './meeting-contract';
import type { Meeting } from './meeting-state';

export function registerMeetingHandlers(m: Meeting): void {
  setHandler(meetingStatusQuery, () => m.state);
  setHandler(scheduleMeetingUpdate, (u) => schedule(m, u), { validator: (u) => validateSchedule(m, u) });
  setHandler(postponeMeetingUpdate, (u) => postpone(m, u), { validator: (u) => validatePostponement(m, u) });
  setHandler(recordMeetingUpdate, (u) => recordHeld(m, u), { validator: (u) => validateRecord(m, u) });
}

const requireConvener = (m: Meeting, actor: Actor) => {
  if (!isStaff(actor.roles) && !m.conveners.some((r) => actor.roles.includes(r))) {
    refuse('forbidden', `只有社区工作人员或召集方（${m.label}）可以安排会议`);
  }
};
const requireNotHeld = (m: Meeting) => {
  if (m.state.held) refuse('conflict', '会议已召开并记录，不能再修改');
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

async function schedule(
  m: Meeting,
  { actor, at, place, participants }: ScheduleInput,
): Promise<MeetingState> {
  const { state } = m;
  state.plannedAt = iso(Date.parse(at));
  state.place = place.trim();
  state.participants = participants;
  state.status = 'scheduled';
  m.assembleEarly = true;
  m.version++;
  await m.save();
  await m.rec.file('scheduled', `${m.label}定于 ${m.when(at)} 在${place.trim()}召开`, actor, {
    participants,
  });
  return state;
}

function validateSchedule(m: Meeting, { actor, at, place, participants }: ScheduleInput): void {
  requireNotHeld(m);
  requireConvener(m, actor);
  const t = requireDate(at, 'at');
  if (t <= Date.now()) refuse('invalid', '会议时间必须在将来（at）');
  if (t > Date.parse(m.state.holdBy))
    refuse('invalid', `会议时间晚于召开期限 ${m.when(m.state.holdBy)}，请改用延期（postpone）并说明理由`);
  if (!place?.trim()) refuse('invalid', '请填写会议地点（place）');
  if ([...place.trim()].length > LIMITS.placeChars)
    refuse('invalid', `会议地点最多 ${LIMITS.placeChars} 字（place）`);
  if (!Array.isArray(participants) || participants.length === 0)
    refuse('invalid', '请填写参会人员（participants）');
  requireDistinct(participants, 'participants', '参会人员');
}

async function postpone(m: Meeting, { actor, reason, newDate }: PostponeInput): Promise<MeetingState> {
  const { state, label } = m;
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
    holdByAfterPostponement(new Date(state.holdBy), new Date(to), m.input.timeZone).getTime(),
  );
  state.overdue = false;
  m.version++;
  await m.save();
  await m.rec.file('postponed', `${label}延期至 ${m.when(to)}，理由：${reason.trim()}`, actor);
  await m.rec.notify(
    m.conveners,
    `postponed:${state.postponements.length}`,
    `${label}延期`,
    `延期至 ${m.when(to)}，理由：${reason.trim()}`,
  );
  return state;
}

function validatePostponement(m: Meeting, { actor, reason, newDate }: PostponeInput): void {
  requireNotHeld(m);
  requireConvener(m, actor);
  if (!reason?.trim()) refuse('invalid', '延期必须说明理由（reason）');
  if ([...reason.trim()].length > LIMITS.reasonChars)
    refuse('invalid', `延期理由最多 ${LIMITS.reasonChars} 字（reason）`);
  if (m.state.postponements.length >= LIMITS.postponements)
    refuse('conflict', `会议最多延期 ${LIMITS.postponements} 次，请按期召开`);
  const t = requireDate(newDate, 'newDate');
  if (t <= Date.now()) refuse('invalid', '新的日期必须在将来（newDate）');
  if (t <= Date.parse(m.state.plannedAt)) refuse('invalid', '新的日期必须晚于原定日期（newDate）');
}

async function recordHeld(m: Meeting, r: RecordMeetingInput): Promise<MeetingState> {
  const { state } = m;
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
  m.version++;
  await m.save();
  await m.rec.file('held', `${m.label}已召开，出席 ${r.attendance.length} 人`, r.actor, {
    heldAt: state.held.heldAt,
    attendance: r.attendance,
    minutes: state.held.minutes,
    onTime: state.held.onTime,
  });
  for (const d of r.decisions) {
    const item = state.agenda.find((i) => i.id === d.itemId);
    await m.rec.file('decision', `议题「${item?.title ?? d.itemId}」：${excerptOf(d.decision)}`, r.actor, d);
  }
  return state;
}

function validateRecord(m: Meeting, r: RecordMeetingInput): void {
  const { state } = m;
  requireNotHeld(m);
  if (!isStaff(r.actor.roles)) refuse('forbidden', '只有社区工作人员可以记录会议');
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
  if (m.opts.decisionsRequired) {
    const missing = state.agenda.filter((i) => !seen.has(i.id));
    if (missing.length)
      refuse('invalid', `每个议题都要有决定，缺少：${missing.map((i) => i.title).join('、')}`);
  }
  m.opts.validateRecord?.(r);
}
