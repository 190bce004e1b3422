/**
 * A rectification order's (整改) or delegated resolution's time rules: the reminders before its
 * deadline and the escalation ladder when it runs overdue — to the supervisory board and the party
 * branch and onto the next monthly consultation, then, overdue again, before the quarterly council
 * (as the motion `motionForOverdueOrder` in ./meetings makes of it). Pure: every instant comes in.
 */
import { DAY_MS } from './calendar';
import { reminderTimes, type MeetingSettings, type MeetingType } from './meetings';
import type { Role } from './roles';

export type OrderSettings = MeetingSettings['rectification'];

/** The reminders before an order's deadline that are still ahead of `now`, soonest first. */
export function orderReminderTimes(deadline: Date, s: OrderSettings, now: Date): Date[] {
  return reminderTimes(deadline, s.reminderDaysBefore, now);
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
