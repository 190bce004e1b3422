/**
 * The four meetings (四会): who convenes each, when each period's meeting is due, and the settings a
 * compound may change. Pure: every date comes in as an argument.
 */
import { BODIES, BODY_NAMES, BODY_SHORT_NAMES, labelsOf, type Body } from './bodies';
import type { Role } from './roles';
import type { VoteBase } from './votes';
import { previousWorkingDayIn, type WorkCalendar } from './working-days';
import { DAY_MS, HOUR_MS, localParts, previousWorkingDay, zonedTime, daysInMonth } from './calendar';

export const MEETING_TYPES = [
  'monthlyConsultation',
  'periodicCoordination',
  'quarterlyDeliberation',
  'annualEvaluation',
] as const;
export type MeetingType = (typeof MEETING_TYPES)[number];

export const MEETING_LABELS: Record<MeetingType, string> = {
  monthlyConsultation: '支部、业委会每月商议会',
  periodicCoordination: '业委会、自管会定期协调会',
  quarterlyDeliberation: '社区党组织主导季度议事会',
  annualEvaluation: '支部与监事会年度评估会',
};

/** Workflow-id prefix and URL segment of each meeting type. */
export const MEETING_SLUGS: Record<MeetingType, string> = {
  monthlyConsultation: 'monthly-consultation',
  periodicCoordination: 'periodic-coordination',
  quarterlyDeliberation: 'quarterly-deliberation',
  annualEvaluation: 'annual-evaluation',
};

export function meetingTypeOfSlug(slug: string): MeetingType | undefined {
  return MEETING_TYPES.find((t) => MEETING_SLUGS[t] === slug);
}

/** The two bodies that convene the quarterly council jointly, each confirming by a different person. */
export const COUNCIL_CONVENERS = ['partyBranch', 'ownersCommittee'] as const satisfies readonly Body[];
export type CouncilConvener = (typeof COUNCIL_CONVENERS)[number];
/** As the ledger names them (党支部确认召集). */
export const CONVENER_LABELS: Record<CouncilConvener, string> = labelsOf(COUNCIL_CONVENERS, BODY_SHORT_NAMES);

/** The bodies that convene (and attend) each meeting. */
export const CONVENERS: Record<MeetingType, Role[]> = {
  monthlyConsultation: ['partyBranch', 'ownersCommittee'],
  periodicCoordination: ['ownersCommittee', 'selfManagementCommittee'],
  quarterlyDeliberation: [...COUNCIL_CONVENERS],
  annualEvaluation: ['partyBranch', 'supervisoryBoard'],
};

/** The bodies that own, issue and carry out orders and resolutions (`staff`: the community office). */
export const ORDER_BODIES = BODIES;
export type OrderBody = Body;
/** Orders name the branch in full (社区党支部下达整改), the other bodies by their short names. */
export const ORDER_BODY_LABELS: Record<OrderBody, string> = {
  ...BODY_SHORT_NAMES,
  partyBranch: BODY_NAMES.partyBranch,
};

/** What the quarterly council decides (DOMAIN.md: vital interests, large funds, the SMC's hiring). */
export const MAJOR_MATTERS = ['vitalInterests', 'fundUse', 'selfManagementCommittee', 'other'] as const;
export type MajorMatter = (typeof MAJOR_MATTERS)[number];
export const MATTER_LABELS: Record<MajorMatter, string> = {
  vitalInterests: '居民切身利益',
  fundUse: '大额资金使用',
  selfManagementCommittee: '自管会聘任或解聘',
  other: '其他重大事项',
};

/**
 * Who carries out a passed motion. Hiring, renewing or dismissing the self-management committee
 * (解(续)聘自管会) is the owners' committee's act (由业主委员会聘请), never delegated to the committee
 * itself; any other matter goes where the motion asks, by default the self-management committee.
 * Returns an error message for a delegation the rule forbids.
 */
export function motionExecutor(
  matter: MajorMatter,
  requested?: OrderBody,
): { executor: OrderBody } | { error: string } {
  if (matter === 'selfManagementCommittee') {
    if (requested && requested !== 'ownersCommittee') {
      return { error: '解(续)聘自管会的决议由业主委员会执行，不能交由其他组织（delegateTo）' };
    }
    return { executor: 'ownersCommittee' };
  }
  return { executor: requested ?? 'selfManagementCommittee' };
}

/**
 * The motion an order overdue a second time becomes: an order of the self-management committee puts the
 * committee itself before the council (its hiring is the matter, carried out by the owners' committee);
 * any other owner's order is a matter of residents' vital interests, again for that owner to carry out.
 */
export function motionForOverdueOrder(owner: OrderBody): { matter: MajorMatter; delegateTo: OrderBody } {
  return owner === 'selfManagementCommittee'
    ? { matter: 'selfManagementCommittee', delegateTo: 'ownersCommittee' }
    : { matter: 'vitalInterests', delegateTo: owner };
}

/** Where the monthly consultation sends each opinion (directional handling opinion). */
export const DISPOSITIONS = [
  'selfManagementCommittee',
  'residentsCouncil',
  'partyOrganization',
  'noFurtherAction',
] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const DISPOSITION_LABELS: Record<Disposition, string> = {
  selfManagementCommittee: '交自管会办理',
  residentsCouncil: '提交居民议事会',
  partyOrganization: '报社区党组织',
  noFurtherAction: '无需进一步处理',
};

export const EVALUATION_RATINGS = ['trustworthy', 'average', 'untrustworthy'] as const;
export type EvaluationRating = (typeof EVALUATION_RATINGS)[number];
export const RATING_LABELS: Record<EvaluationRating, string> = {
  trustworthy: '值得信任',
  average: '一般',
  untrustworthy: '不值得信任',
};

export interface MeetingSettings {
  /** Reminders to participants, days before the planned date. */
  reminderDaysBefore: number[];
  /** After a missed deadline, the time before the next escalation step. */
  escalationStepDays: number;
  /** Regular coordination meeting: day of the month. */
  coordinationDayOfMonth: number;
  /** A complaint about the self-management committee's service: coordination within this many days. */
  promptCoordinationDays: number;
  /** The council's quorum as an exact share: "2/3", or a decimal such as 0.75 taken by its digits. */
  quorumFraction: number | string;
  voteBase: VoteBase;
  /** How long members may vote once voting opens. */
  votingWindowHours: number;
  /** Fund use above this amount (yuan) is a major matter for the council. */
  majorFundAmount: number;
  rectification: { defaultDays: number; reminderDaysBefore: number[]; secondEscalationDays: number };
  evaluation: { signOffDays: number; thresholds: { trustworthy: number; untrustworthy: number } };
  /** The compound's own local dates "yyyy-mm-dd": holidays, and adjusted working weekends (调休). */
  holidays: string[];
  workdays: string[];
  /**
   * China's statutory calendar merged with the two lists above, for the years around the meeting. Filled
   * by the activity that loads the settings (outside workflow code), so a data update stays replay-safe.
   */
  calendar?: WorkCalendar;
}

export const DEFAULT_MEETING_SETTINGS: MeetingSettings = {
  reminderDaysBefore: [3, 1],
  escalationStepDays: 3,
  coordinationDayOfMonth: 15,
  promptCoordinationDays: 3,
  quorumFraction: '2/3',
  voteBase: 'votesCast',
  votingWindowHours: 2,
  majorFundAmount: 10_000,
  rectification: { defaultDays: 14, reminderDaysBefore: [3, 1], secondEscalationDays: 14 },
  evaluation: { signOffDays: 15, thresholds: { trustworthy: 0.85, untrustworthy: 0.6 } },
  holidays: [],
  workdays: [],
};

export interface MeetingWindow {
  /** When the meeting is planned by default (staff may set another date). */
  plannedAt: Date;
  /** Not held by then: it escalates. */
  holdBy: Date;
  /** Years whose holidays the calendar did not know when the date was chosen (by weekends only). */
  uncoveredYears: number[];
}

const MEETING_HOUR = 15; // 15:00 local, a working afternoon

/**
 * The default window for a period's meeting. Monthly consultation: the last working day of the month
 * (the last week), held by month end. Coordination: mid-month, held within five days. Quarterly
 * council: the last month's 25th or the working day before, held by quarter end. Annual evaluation:
 * late December, held by year end.
 */
export function meetingWindow(
  type: MeetingType,
  period: string,
  timeZone: string,
  s: MeetingSettings,
): MeetingWindow {
  const uncovered = new Set<number>();
  // China's statutory calendar when the settings carry it (merged with the compound's own lists), else
  // the compound's lists alone, as in meetings started before the calendar was known.
  const wd = (d: Date) => {
    if (!s.calendar) return previousWorkingDay(d, timeZone, s.holidays, s.workdays);
    const r = previousWorkingDayIn(d, timeZone, s.calendar);
    r.uncoveredYears.forEach((y) => uncovered.add(y));
    return r.at;
  };
  const done = (w: Omit<MeetingWindow, 'uncoveredYears'>): MeetingWindow => ({
    ...w,
    uncoveredYears: [...uncovered].sort(),
  });
  if (type === 'monthlyConsultation' || type === 'periodicCoordination') {
    const { year, month } = parseMonth(period);
    const nextMonth = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
    if (type === 'monthlyConsultation') {
      return done({
        plannedAt: wd(zonedTime(timeZone, year, month, daysInMonth(year, month), MEETING_HOUR)),
        holdBy: zonedTime(timeZone, nextMonth.y, nextMonth.m, 1),
      });
    }
    const day = Math.min(s.coordinationDayOfMonth, daysInMonth(year, month));
    const plannedAt = wd(zonedTime(timeZone, year, month, day, MEETING_HOUR));
    return done({ plannedAt, holdBy: endOfLocalDay(new Date(plannedAt.getTime() + 5 * DAY_MS), timeZone) });
  }
  if (type === 'quarterlyDeliberation') {
    const m = /^(\d{4})-Q([1-4])$/.exec(period);
    if (!m) throw new Error(`bad quarter period ${period}`);
    const year = Number(m[1]);
    const lastMonth = Number(m[2]) * 3;
    const end =
      lastMonth === 12 ? zonedTime(timeZone, year + 1, 1, 1) : zonedTime(timeZone, year, lastMonth + 1, 1);
    return done({ plannedAt: wd(zonedTime(timeZone, year, lastMonth, 25, MEETING_HOUR)), holdBy: end });
  }
  const year = Number(period);
  if (!/^\d{4}$/.test(period)) throw new Error(`bad year period ${period}`);
  return done({
    plannedAt: wd(zonedTime(timeZone, year, 12, 28, MEETING_HOUR)),
    holdBy: zonedTime(timeZone, year + 1, 1, 1),
  });
}

export function parseMonth(period: string): { year: number; month: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 12) throw new Error(`bad month period ${period}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

/** The start of the local day after the one containing `instant`. */
export function endOfLocalDay(instant: Date, timeZone: string): Date {
  const p = localParts(instant, timeZone);
  // The next local midnight, found by the calendar (not +24 h, which is wrong on daylight-saving days).
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return zonedTime(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
}

/** Period keys that fall due when a local month starts: the cycle starts these meetings then. */
export function periodsStartingIn(year: number, month: number): { type: MeetingType; period: string }[] {
  const mm = `${year}-${String(month).padStart(2, '0')}`;
  const out: { type: MeetingType; period: string }[] = [
    { type: 'monthlyConsultation', period: mm },
    { type: 'periodicCoordination', period: mm },
  ];
  if (month % 3 === 1) out.push({ type: 'quarterlyDeliberation', period: `${year}-Q${(month + 2) / 3}` });
  if (month === 12) out.push({ type: 'annualEvaluation', period: String(year) });
  return out;
}

/**
 * Periods that contain a local month: what a compound's cycle starts when it first begins mid-period
 * (this month's meetings, the current quarter's council, and in December the year's evaluation).
 */
export function periodsContaining(year: number, month: number): { type: MeetingType; period: string }[] {
  const mm = `${year}-${String(month).padStart(2, '0')}`;
  const out: { type: MeetingType; period: string }[] = [
    { type: 'monthlyConsultation', period: mm },
    { type: 'periodicCoordination', period: mm },
    { type: 'quarterlyDeliberation', period: `${year}-Q${Math.ceil(month / 3)}` },
  ];
  if (month === 12) out.push({ type: 'annualEvaluation', period: String(year) });
  return out;
}

export function meetingWorkflowId(type: MeetingType, compoundId: string, period: string): string {
  return `${MEETING_SLUGS[type]}/${compoundId}/${period}`;
}

/**
 * A meeting's planned date and deadline: its own where it brings them (extraordinary and prompt
 * meetings), else its period's window; a meeting with a date of its own but no deadline is held within
 * the week.
 */
export function meetingDates(
  type: MeetingType,
  period: string,
  timeZone: string,
  s: MeetingSettings,
  own: { plannedAt?: string; holdBy?: string } = {},
): MeetingWindow {
  const defaults = own.plannedAt ? undefined : meetingWindow(type, period, timeZone, s);
  const plannedAt = own.plannedAt ? new Date(own.plannedAt) : defaults!.plannedAt;
  const holdBy = own.holdBy
    ? new Date(own.holdBy)
    : defaults
      ? defaults.holdBy
      : new Date(plannedAt.getTime() + 7 * DAY_MS);
  return { plannedAt, holdBy, uncoveredYears: defaults?.uncoveredYears ?? [] };
}

/** The meeting's window opens with its first reminder, when the agenda is gathered. */
export function agendaOpensAt(plannedAt: Date, s: MeetingSettings): Date {
  return new Date(plannedAt.getTime() - Math.max(0, ...s.reminderDaysBefore) * DAY_MS);
}

/**
 * The escalation ladder of a meeting not held by its deadline: first to the community party
 * organization, then to it again with the supervisory board and the community staff. Past the top rung
 * the meeting waits, flagged overdue, until it is held.
 */
export const MEETING_ESCALATION_LADDER: readonly (readonly Role[])[] = [
  ['partyBranch'],
  ['partyBranch', 'supervisoryBoard', 'staff'],
];

/** Whether a meeting that has climbed `level` rungs is past the top: it waits, flagged, until held. */
export function meetingLadderClimbed(level: number): boolean {
  return level >= MEETING_ESCALATION_LADDER.length;
}

/** Rung `level` (from 1) of the ladder: whom it tells, and the next deadline to hold the meeting by. */
export function meetingEscalation(
  level: number,
  now: Date,
  s: MeetingSettings,
): { to: Role[]; holdBy: Date } {
  const rung = MEETING_ESCALATION_LADDER[Math.min(level, MEETING_ESCALATION_LADDER.length) - 1] ?? [];
  return { to: [...rung], holdBy: new Date(now.getTime() + s.escalationStepDays * DAY_MS) };
}

/** When a council's voting, opened at `opensAt`, closes at the latest. */
export function votingClosesAt(opensAt: Date, s: MeetingSettings): Date {
  return new Date(opensAt.getTime() + s.votingWindowHours * 3_600_000);
}

/** A council resolution's execution is given twice an order's default time. */
export function resolutionDays(s: MeetingSettings): number {
  return s.rectification.defaultDays * 2;
}

/** When to remind participants before `at`: the given days before, only those still ahead of `now`. */
export function reminderTimes(at: Date, daysBefore: number[], now: Date): Date[] {
  return [...daysBefore]
    .sort((a, b) => b - a)
    .map((d) => new Date(at.getTime() - d * DAY_MS))
    .filter((t) => t.getTime() > now.getTime());
}

/**
 * The next reminder of a meeting planned at `plannedAt` that is not yet `sent` and still ahead of
 * `now`: when, and how many days before the meeting. None falls at or after the deadline to hold it.
 */
export function nextMeetingReminder(
  plannedAt: Date,
  holdBy: Date,
  daysBefore: number[],
  now: Date,
  sent: (at: Date) => boolean,
): { at: Date; daysBefore: number } | undefined {
  const at = reminderTimes(plannedAt, daysBefore, now).find((t) => !sent(t));
  if (!at || at.getTime() >= holdBy.getTime()) return undefined;
  return { at, daysBefore: Math.round((plannedAt.getTime() - at.getTime()) / DAY_MS) };
}

/** A postponed meeting is held by its old deadline or by the end of the new date's local day, if later. */
export function holdByAfterPostponement(holdBy: Date, newDate: Date, timeZone: string): Date {
  return new Date(Math.max(holdBy.getTime(), endOfLocalDay(newDate, timeZone).getTime()));
}

/**
 * A prompt coordination (a complaint about the self-management committee's service), called at `now`:
 * held within `promptCoordinationDays`, planned a day before that deadline but not sooner than in an hour.
 */
export function promptCoordinationDates(now: Date, s: MeetingSettings): { plannedAt: Date; holdBy: Date } {
  const holdBy = now.getTime() + s.promptCoordinationDays * 24 * HOUR_MS;
  return {
    plannedAt: new Date(Math.max(now.getTime() + HOUR_MS, holdBy - 24 * HOUR_MS)),
    holdBy: new Date(holdBy),
  };
}
