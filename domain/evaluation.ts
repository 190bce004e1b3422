/**
 * The annual evaluation's arithmetic: from the year's record of a body, its rates, a score and the
 * proposed rating (值得信任 / 一般 / 不值得信任) under settable thresholds.
 */
import { BODY_SHORT_NAMES, labelsOf, type Body } from './bodies';
import { DAY_MS, zonedTime } from './calendar';
import type { EvaluationRating, MeetingSettings } from './meetings';

/** The bodies the evaluation rates: the owners' committee and the self-management committee. */
export const EVALUATED_BODIES = [
  'ownersCommittee',
  'selfManagementCommittee',
] as const satisfies readonly Body[];
export type EvaluatedBody = (typeof EVALUATED_BODIES)[number];

/** The bodies that sign the evaluation off, each by a different person. */
export const SIGNING_BODIES = ['partyBranch', 'supervisoryBoard'] as const satisfies readonly Body[];
export type SigningBody = (typeof SIGNING_BODIES)[number];
/** As the ledger and the notices name the signers (党支部签署评估). */
export const SIGNER_LABELS: Record<SigningBody, string> = labelsOf(SIGNING_BODIES, BODY_SHORT_NAMES);

export interface Counted {
  total: number;
  onTime: number;
  late: number;
  open: number;
}

export interface VoiceFigures {
  total: number;
  respondedOnTime: number;
  resolved: number;
  withFeedback: number;
  satisfied: number;
}

export interface BodyRecord {
  body: EvaluatedBody;
  rectifications: Counted;
  resolutions: Counted;
  escalations: number;
  /** Voices the body handled (its assignee): how it answered them. */
  voices: VoiceFigures;
  /**
   * Complaints and appeals about the body (their subject), whoever handled them: a complaint about the
   * self-management committee's service is handled by the owners' committee but counts against the
   * committee. Absent in records compiled before subjects were kept.
   */
  complaintsAbout?: VoiceFigures;
  meetings: { total: number; heldOnTime: number };
}

export interface Rates {
  responseRate?: number;
  resolutionRate?: number;
  satisfactionRate?: number;
  onTimeRectificationRate?: number;
  meetingsOnTimeRate?: number;
  /** Of the complaints about the body with the resident's verdict, the share the resident was satisfied with. */
  complaintSatisfactionRate?: number;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : undefined);

export function ratesOf(r: BodyRecord): Rates {
  return {
    responseRate: ratio(r.voices.respondedOnTime, r.voices.total),
    resolutionRate: ratio(r.voices.resolved, r.voices.total),
    satisfactionRate: ratio(r.voices.satisfied, r.voices.withFeedback),
    onTimeRectificationRate: ratio(
      r.rectifications.onTime + r.resolutions.onTime,
      r.rectifications.total + r.resolutions.total,
    ),
    meetingsOnTimeRate: ratio(r.meetings.heldOnTime, r.meetings.total),
    complaintSatisfactionRate: r.complaintsAbout
      ? ratio(r.complaintsAbout.satisfied, r.complaintsAbout.withFeedback)
      : undefined,
  };
}

/** The mean of the rates that have data; undefined when none has. */
export function scoreOf(rates: Rates): number | undefined {
  const vals = Object.values(rates).filter((v): v is number => v !== undefined);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : undefined;
}

export function proposeRating(
  score: number | undefined,
  thresholds: { trustworthy: number; untrustworthy: number },
): EvaluationRating {
  if (score === undefined) return 'average';
  // The score is a float mean of ratios: a hair of tolerance keeps an exact 0.85 at 0.85.
  const EPS = 1e-9;
  if (score >= thresholds.trustworthy - EPS) return 'trustworthy';
  if (score < thresholds.untrustworthy - EPS) return 'untrustworthy';
  return 'average';
}

/** How many days before the sign-off deadline the bodies still to sign are reminded. */
export const SIGN_OFF_REMINDER_DAYS = 3;
/** How often an unsigned evaluation is escalated to the community party organization before it waits. */
export const SIGN_OFF_ESCALATIONS = 2;

/** The year's record is final once the local year is over: the start of the next year, in its zone. */
export function evaluationYearEnd(year: number, timeZone: string): Date {
  return zonedTime(timeZone, year + 1, 1, 1);
}

/** The sign-off deadline: `signOffDays` after the meeting's deadline, or after now if that is past. */
export function signOffDeadline(now: Date, holdBy: Date, s: MeetingSettings): Date {
  return new Date(Math.max(now.getTime(), holdBy.getTime()) + s.evaluation.signOffDays * DAY_MS);
}

export function signOffReminderAt(signOffBy: Date): Date {
  return new Date(signOffBy.getTime() - SIGN_OFF_REMINDER_DAYS * DAY_MS);
}

/** When an unsigned evaluation escalates, after `escalations` escalations so far: a step apart each. */
export function signOffEscalationAt(signOffBy: Date, escalations: number, s: MeetingSettings): Date {
  return new Date(signOffBy.getTime() + escalations * s.escalationStepDays * DAY_MS);
}
