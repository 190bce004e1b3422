/**
 * The four meetings (四会): who convenes each, when each period's meeting is due, and the settings a
 * compound may change. Pure: every date comes in as an argument.
 */
import type { Role } from './roles';
import type { VoteBase } from './votes';
import { DAY_MS, localParts, previousWorkingDay, zonedTime, daysInMonth } from './calendar';

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

/** The bodies that convene (and attend) each meeting. */
export const CONVENERS: Record<MeetingType, Role[]> = {
  monthlyConsultation: ['partyBranch', 'ownersCommittee'],
  periodicCoordination: ['ownersCommittee', 'selfManagementCommittee'],
  quarterlyDeliberation: ['partyBranch', 'ownersCommittee'],
  annualEvaluation: ['partyBranch', 'supervisoryBoard'],
};

/** Roles that sit on the quarterly deliberation council (DOMAIN.md: its members). */
export const COUNCIL_ROLES: Role[] = [
  'partyBranch',
  'ownersCommittee',
  'supervisoryBoard',
  'buildingLeader',
  'councilMember',
];

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

export type EvaluationRating = 'trustworthy' | 'average' | 'untrustworthy';
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
  quorumFraction: number;
  voteBase: VoteBase;
  /** How long members may vote once voting opens. */
  votingWindowHours: number;
  /** Fund use above this amount (yuan) is a major matter for the council. */
  majorFundAmount: number;
  rectification: { defaultDays: number; reminderDaysBefore: number[]; secondEscalationDays: number };
  evaluation: { signOffDays: number; thresholds: { trustworthy: number; untrustworthy: number } };
  /** Local dates "yyyy-mm-dd": public holidays, and the adjusted working weekends (调休). */
  holidays: string[];
  workdays: string[];
}

export const DEFAULT_MEETING_SETTINGS: MeetingSettings = {
  reminderDaysBefore: [3, 1],
  escalationStepDays: 3,
  coordinationDayOfMonth: 15,
  promptCoordinationDays: 3,
  quorumFraction: 2 / 3,
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
  const wd = (d: Date) => previousWorkingDay(d, timeZone, s.holidays, s.workdays);
  if (type === 'monthlyConsultation' || type === 'periodicCoordination') {
    const { year, month } = parseMonth(period);
    const nextMonth = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
    if (type === 'monthlyConsultation') {
      return {
        plannedAt: wd(zonedTime(timeZone, year, month, daysInMonth(year, month), MEETING_HOUR)),
        holdBy: zonedTime(timeZone, nextMonth.y, nextMonth.m, 1),
      };
    }
    const day = Math.min(s.coordinationDayOfMonth, daysInMonth(year, month));
    const plannedAt = wd(zonedTime(timeZone, year, month, day, MEETING_HOUR));
    return { plannedAt, holdBy: endOfLocalDay(new Date(plannedAt.getTime() + 5 * DAY_MS), timeZone) };
  }
  if (type === 'quarterlyDeliberation') {
    const m = /^(\d{4})-Q([1-4])$/.exec(period);
    if (!m) throw new Error(`bad quarter period ${period}`);
    const year = Number(m[1]);
    const lastMonth = Number(m[2]) * 3;
    const end =
      lastMonth === 12 ? zonedTime(timeZone, year + 1, 1, 1) : zonedTime(timeZone, year, lastMonth + 1, 1);
    return { plannedAt: wd(zonedTime(timeZone, year, lastMonth, 25, MEETING_HOUR)), holdBy: end };
  }
  const year = Number(period);
  if (!/^\d{4}$/.test(period)) throw new Error(`bad year period ${period}`);
  return {
    plannedAt: wd(zonedTime(timeZone, year, 12, 28, MEETING_HOUR)),
    holdBy: zonedTime(timeZone, year + 1, 1, 1),
  };
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

/** When to remind participants before `at`: the given days before, only those still ahead of `now`. */
export function reminderTimes(at: Date, daysBefore: number[], now: Date): Date[] {
  return [...daysBefore]
    .sort((a, b) => b - a)
    .map((d) => new Date(at.getTime() - d * DAY_MS))
    .filter((t) => t.getTime() > now.getTime());
}
