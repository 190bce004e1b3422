/**
 * Messages and I/O types of the four meetings, rectification orders and the cycle. Shared by the
 * workflows and the API; deterministic (no Node built-ins, no I/O).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Category } from '../domain/voices';
import type { LongText } from '../domain/limits';
import type {
  Disposition,
  EvaluationRating,
  MajorMatter,
  MeetingSettings,
  MeetingType,
  OrderBody,
} from '../domain/meetings';
import type { BodyRecord, EvaluatedBody, Rates } from '../domain/evaluation';
import type { MotionResult, VoteChoice } from '../domain/votes';
import type { Actor } from './contract';

export const rectificationWorkflowId = (orderId: string) => `rectification/${orderId}`;
export const cycleWorkflowId = (compoundId: string) => `governance-cycle/${compoundId}`;

export type Body = OrderBody;
export type { MajorMatter } from '../domain/meetings';

export interface AgendaItem {
  id: string;
  title: string;
  source: 'voices' | 'referral' | 'rectification' | 'resolution' | 'motion' | 'trigger' | 'extraordinary';
  /** Masked summaries, or a motion's detail (long text by reference). */
  detail?: LongText;
  category?: Category;
  /** How many voices the item groups; their ids stay in the `agendas` collection, not in the workflow. */
  voiceCount?: number;
  /** Only for an item about one voice (a prompt coordination), and in workflows started before. */
  voiceIds?: string[];
  referralIds?: string[];
  /** The order or resolution this item follows up. */
  orderId?: string;
  /** Quarterly motions. */
  motion?: Motion;
}

export interface Motion {
  matter: MajorMatter;
  amount?: number;
  proposedBy: { userId: string; name: string } | 'referral';
  delegateTo: Body;
}

export interface Decision {
  itemId: string;
  decision: LongText;
  /** Monthly consultation: where the item goes, with a directional handling opinion. */
  disposition?: Disposition;
  handlingOpinion?: LongText;
  /** Days, or an ISO deadline, for the order this decision creates. */
  deadline?: string;
  /** Coordination: the procedure and details agreed for a delegated resolution or order. */
  procedure?: LongText;
  /** Coordination: issue a rectification order to the self-management committee. */
  rectify?: boolean;
}

export interface MeetingInput {
  compoundId: string;
  type: MeetingType;
  period: string;
  timeZone: string;
  settings: MeetingSettings;
  /** Overrides of the period's default window (extraordinary and prompt meetings). */
  plannedAt?: string;
  holdBy?: string;
  extraordinary?: { reason: string; requestedBy: string };
  /** An extraordinary annual evaluation: the year it evaluates (a period's evaluation: its own year). */
  year?: number;
  /** The voice that called a prompt coordination: its masked summary (`text` in workflows started before). */
  trigger?: { voiceId: string; summary?: string; text?: string };
}

export type MeetingStatus = 'planned' | 'scheduled' | 'held' | 'voting' | 'signing' | 'closed';

export interface MeetingState {
  meetingId: string;
  compoundId: string;
  type: MeetingType;
  period: string;
  status: MeetingStatus;
  plannedAt: string;
  holdBy: string;
  place?: string;
  participants: string[];
  agenda: AgendaItem[];
  agendaAssembledAt?: string;
  escalationLevel: number;
  overdue: boolean;
  postponements: { at: string; reason: string; from: string; to: string; by: string }[];
  held?: { heldAt: string; attendance: string[]; minutes: LongText; recordedBy: string; onTime: boolean };
  decisions: Decision[];
  extraordinary?: { reason: string; requestedBy: string };
  quarterly?: QuarterlyState;
  annual?: AnnualState;
  /** Said when the meeting's dates fall in a year China's holiday data does not cover. */
  calendarNote?: string;
}

export interface QuarterlyState {
  convening: Partial<Record<'partyBranch' | 'ownersCommittee', { userId: string; name: string; at: string }>>;
  roster: { userId: string; name: string }[];
  /** `needed`: the fewest members (or ballots on a motion) that make the quorum. */
  quorum?: { present: number; members: number; met: boolean; fraction: number | string; needed?: number };
  votingOpenUntil?: string;
  /**
   * Who voted what (motionId → userId → choice). Kept in the workflow only, not in what it saves or
   * answers — the ballots are in the `votes` collection; `ballots` counts them per motion.
   */
  votes?: Record<string, Record<string, VoteChoice>>;
  ballots?: Record<string, number>;
  results: Record<string, MotionResult & { resolutionId?: string }>;
  /** Motions that decided nothing (too few ballots, or no quorum), referred to the next council. */
  referred?: Record<string, { reason: string; referralId: string }>;
}

export interface AnnualState {
  records: BodyRecord[];
  proposals: Record<EvaluatedBody, { rates: Rates; score?: number; rating: EvaluationRating }>;
  signOffBy: string;
  signatures: Partial<
    Record<
      'partyBranch' | 'supervisoryBoard',
      {
        userId: string;
        name: string;
        at: string;
        ratings: Record<EvaluatedBody, EvaluationRating>;
        comment: LongText;
      }
    >
  >;
  disagreement?: { bodies: EvaluatedBody[]; at: string };
  final?: { ratings: Record<EvaluatedBody, EvaluationRating>; by: string; comment?: LongText; at: string };
  published?: string;
  /**
   * When the records were compiled: `preliminary` when the window opens (for the meeting to discuss),
   * `final` once the year is over and the meeting recorded — the sign-off rates the whole year.
   */
  compiled?: { preliminary?: string; final?: string };
}

export interface ScheduleInput {
  actor: Actor;
  at: string;
  place: string;
  participants: string[];
}
export interface PostponeInput {
  actor: Actor;
  reason: string;
  newDate: string;
}
export interface RecordMeetingInput {
  actor: Actor;
  heldAt: string;
  attendance: string[];
  minutes: LongText;
  decisions: Decision[];
}
export interface MotionInput {
  actor: Actor;
  title: string;
  detail?: LongText;
  matter: MajorMatter;
  amount?: number;
  delegateTo?: Body;
}
export interface VoteInput {
  actor: Actor;
  motionId: string;
  choice: VoteChoice;
}
export interface SignInput {
  actor: Actor;
  ratings: Record<EvaluatedBody, EvaluationRating>;
  comment: LongText;
  /** For someone in both signing bodies: which one they sign for (else the first not yet signed). */
  body?: 'partyBranch' | 'supervisoryBoard';
}
/** A ballot's receipt: small, so thousands of votes never fill a council's history. */
export interface VoteReceipt {
  motionId: string;
  choice: VoteChoice;
  ballots: number;
}

export const meetingStatusQuery = defineQuery<MeetingState>('meetingStatus');
export const scheduleMeetingUpdate = defineUpdate<MeetingState, [ScheduleInput]>('scheduleMeeting');
export const postponeMeetingUpdate = defineUpdate<MeetingState, [PostponeInput]>('postponeMeeting');
export const recordMeetingUpdate = defineUpdate<MeetingState, [RecordMeetingInput]>('recordMeeting');
export const confirmConveningUpdate = defineUpdate<
  MeetingState,
  [{ actor: Actor; body?: 'partyBranch' | 'ownersCommittee' }]
>('confirmConvening');
export const addMotionUpdate = defineUpdate<MeetingState, [MotionInput]>('addMotion');
export const castVoteUpdate = defineUpdate<VoteReceipt | MeetingState, [VoteInput]>('castVote');
export const closeVotingUpdate = defineUpdate<MeetingState, [{ actor: Actor }]>('closeVoting');
export const signEvaluationUpdate = defineUpdate<MeetingState, [SignInput]>('signEvaluation');
export const finalizeEvaluationUpdate = defineUpdate<MeetingState, [SignInput]>('finalizeEvaluation');

// Rectification orders (整改) and delegated resolutions.
export interface RectificationInput {
  orderId: string;
  compoundId: string;
  kind: 'rectification' | 'resolution';
  title: string;
  detail?: LongText;
  /** The compound's zone, for deadlines in messages (absent in orders issued before: the default). */
  timeZone?: string;
  owner: Body;
  issuer: Body;
  deadline: string;
  source: { meetingId?: string; itemId?: string; motionId?: string };
  settings: MeetingSettings['rectification'];
}

export type RectificationStatus = 'open' | 'completed' | 'verified';
export interface RectificationState {
  orderId: string;
  compoundId: string;
  kind: RectificationInput['kind'];
  title: string;
  owner: Body;
  issuer: Body;
  status: RectificationStatus;
  deadline: string;
  escalationLevel: number;
  overdue: boolean;
  progress: { at: string; by: string; note: LongText }[];
  procedures: { at: string; meetingId: string; procedure: LongText }[];
  completion?: { at: string; by: string; evidence: LongText; onTime: boolean };
  verification?: { at: string; by: string; comment: LongText };
  sentBack: number;
  extensions: { at: string; by: string; reason: string; from: string; to: string }[];
}

export const rectificationStatusQuery = defineQuery<RectificationState>('rectificationStatus');
export const reportRectificationUpdate = defineUpdate<RectificationState, [{ actor: Actor; note: LongText }]>(
  'reportRectification',
);
export const completeRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; evidence: LongText }]
>('completeRectification');
export const verifyRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; accepted: boolean; comment: LongText; newDeadline?: string }]
>('verifyRectification');
export const extendRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; until: string; reason: string }]
>('extendRectification');
export const procedureAgreedSignal =
  defineSignal<[{ meetingId: string; procedure: LongText }]>('procedureAgreed');

export interface CycleInput {
  compoundId: string;
  /** The local month whose meetings start next ("2026-12"); absent: the current month. */
  nextMonth?: string;
}
