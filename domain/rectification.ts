/**
 * A rectification order's (整改) or delegated resolution's time rules: the reminders before its
 * deadline and the escalation ladder when it runs overdue — to the supervisory board and the party
 * branch and onto the next monthly consultation, then, overdue again, before the quarterly council
 * (as the motion `motionForOverdueOrder` in ./meetings makes of it). Pure: every instant comes in.
 */
import { DAY_MS } from './calendar';
import { reminderTimes, type MeetingSettings, type MeetingType } from './meetings';
import type { Role } from './roles';
import { adjustDeadlineToWorkingDay } from './working-days';

export type OrderSettings = MeetingSettings['rectification'];

/** The reminders before an order's deadline that are still ahead of `now`, soonest first. */
export function orderReminderTimes(deadline: Date, s: OrderSettings, now: Date): Date[] {
  return reminderTimes(deadline, s.reminderDaysBefore, now);
}

/**
 * The next reminder before an order's deadline not yet `sent` and still ahead of `now`: when, and how
 * many days before the deadline. An order that has already escalated is reminded no more.
 */
export function nextOrderReminder(
  deadline: Date,
  level: number,
  s: OrderSettings,
  now: Date,
  sent: (at: Date) => boolean,
): { at: Date; daysBefore: number } | undefined {
  const at = orderReminderTimes(deadline, s, now).find((t) => !sent(t));
  if (!at || level !== 0) return undefined;
  return { at, daysBefore: Math.round((deadline.getTime() - at.getTime()) / DAY_MS) };
}

/** Rung n (from 1) of an overdue order's ladder: whom it tells and which meeting takes it up. */
export const ORDER_ESCALATION_LADDER: readonly {
  notify: readonly Role[];
  referTo: Extract<MeetingType, 'monthlyConsultation' | 'quarterlyDeliberation'>;
}[] = [
  { notify: ['supervisoryBoard', 'partyBranch'], referTo: 'monthlyConsultation' },
  { notify: ['supervisoryBoard', 'partyBranch', 'ownersCommittee'], referTo: 'quarterlyDeliberation' },
];

/**
 * When an order that has climbed `level` rungs climbs the next: at its deadline, then
 * `secondEscalationDays` after it. Past the top rung it waits, flagged overdue.
 */
export function orderEscalationDue(deadline: Date, level: number, s: OrderSettings): Date {
  return level === 0 ? deadline : new Date(deadline.getTime() + s.secondEscalationDays * DAY_MS);
}

/** Whether an order that has climbed `level` rungs is past the top: it waits, flagged overdue. */
export function orderLadderClimbed(level: number): boolean {
  return level >= ORDER_ESCALATION_LADDER.length;
}

/**
 * The deadline of a new order issued at `now`: `value` days from now ("14"), an ISO instant still ahead,
 * or else the compound's default days. One whose last day is a statutory holiday or rest day moves to
 * the end of the first working day after it (the rule Chinese law applies to deadlines), by the calendar
 * the settings carry (none: as computed).
 */
export function orderDeadlineAt(
  value: string | undefined,
  now: Date,
  s: MeetingSettings,
  timeZone?: string,
): Date {
  const t = now.getTime();
  let at: number;
  if (value && /^\d+$/.test(value)) at = t + Number(value) * DAY_MS;
  else if (value && !Number.isNaN(Date.parse(value)) && Date.parse(value) > t) at = Date.parse(value);
  else at = t + s.rectification.defaultDays * DAY_MS;
  if (s.calendar && timeZone) return adjustDeadlineToWorkingDay(new Date(at), timeZone, s.calendar).at;
  return new Date(at);
}
