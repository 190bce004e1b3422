/**
 * Messages and I/O types of the four meetings, rectification orders and the cycle. Shared by the
 * workflows and the API; deterministic (no Node built-ins, no I/O).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Category } from '../domain/voices';
import type { Disposition, EvaluationRating, MeetingSettings, MeetingType } from '../domain/meetings';
import type { BodyRecord, EvaluatedBody, Rates } from '../domain/evaluation';
import type { MotionResult, VoteChoice } from '../domain/votes';
import type { Actor } from './contract';

export const rectificationWorkflowId = (orderId: string) => `rectification/${orderId}`;
export const cycleWorkflowId = (compoundId: string) => `governance-cycle/${compoundId}`;

export type Body =
  'partyBranch' | 'ownersCommittee' | 'supervisoryBoard' | 'selfManagementCommittee' | 'staff';

export interface AgendaItem {
  id: string;
  title: string;
  source: 'voices' | 'referral' | 'rectification' | 'resolution' | 'motion' | 'trigger' | 'extraordinary';
  detail?: string;
  category?: Category;
  voiceIds?: string[];
  referralIds?: string[];
  /** The order or resolution this item follows up. */
  orderId?: string;
  /** Quarterly motions. */
  motion?: Motion;
}

export type MajorMatter = 'vitalInterests' | 'fundUse' | 'selfManagementCommittee' | 'other';
export interface Motion {
  matter: MajorMatter;
  amount?: number;
  proposedBy: { userId: string; name: string } | 'referral';
  delegateTo: Body;
}

export interface Decision {
  itemId: string;
  decision: string;
  /** Monthly consultation: where the item goes, with a directional handling opinion. */
  disposition?: Disposition;
  handlingOpinion?: string;
  /** Days, or an ISO deadline, for the order this decision creates. */
  deadline?: string;
  /** Coordination: the procedure and details agreed for a delegated resolution or order. */
  procedure?: string;
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
  trigger?: { voiceId: string; text: string };
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
  held?: { heldAt: string; attendance: string[]; minutes: string; recordedBy: string; onTime: boolean };
  decisions: Decision[];
  extraordinary?: { reason: string; requestedBy: string };
  quarterly?: QuarterlyState;
  annual?: AnnualState;
}

export interface QuarterlyState {
  convening: Partial<Record<'partyBranch' | 'ownersCommittee', { userId: string; name: string; at: string }>>;
  roster: { userId: string; name: string }[];
  quorum?: { present: number; members: number; met: boolean; fraction: number };
  votingOpenUntil?: string;
  votes: Record<string, Record<string, VoteChoice>>; // motionId → userId → choice
  results: Record<string, MotionResult & { resolutionId?: string }>;
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
        comment: string;
      }
    >
  >;
  disagreement?: { bodies: EvaluatedBody[]; at: string };
  final?: { ratings: Record<EvaluatedBody, EvaluationRating>; by: string; comment?: string; at: string };
  published?: string;
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
  minutes: string;
  decisions: Decision[];
}
export interface MotionInput {
  actor: Actor;
  title: string;
  detail?: string;
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
  comment: string;
}

export const meetingStatusQuery = defineQuery<MeetingState>('meetingStatus');
export const scheduleMeetingUpdate = defineUpdate<MeetingState, [ScheduleInput]>('scheduleMeeting');
export const postponeMeetingUpdate = defineUpdate<MeetingState, [PostponeInput]>('postponeMeeting');
export const recordMeetingUpdate = defineUpdate<MeetingState, [RecordMeetingInput]>('recordMeeting');
export const confirmConveningUpdate = defineUpdate<MeetingState, [{ actor: Actor }]>('confirmConvening');
export const addMotionUpdate = defineUpdate<MeetingState, [MotionInput]>('addMotion');
export const castVoteUpdate = defineUpdate<MeetingState, [VoteInput]>('castVote');
export const closeVotingUpdate = defineUpdate<MeetingState, [{ actor: Actor }]>('closeVoting');
export const signEvaluationUpdate = defineUpdate<MeetingState, [SignInput]>('signEvaluation');
export const finalizeEvaluationUpdate = defineUpdate<MeetingState, [SignInput]>('finalizeEvaluation');

// Rectification orders (整改) and delegated resolutions.
export interface RectificationInput {
  orderId: string;
  compoundId: string;
  kind: 'rectification' | 'resolution';
  title: string;
  detail?: string;
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
  progress: { at: string; by: string; note: string }[];
  procedures: { at: string; meetingId: string; procedure: string }[];
  completion?: { at: string; by: string; evidence: string; onTime: boolean };
  verification?: { at: string; by: string; comment: string };
  sentBack: number;
  extensions: { at: string; by: string; reason: string; from: string; to: string }[];
}

export const rectificationStatusQuery = defineQuery<RectificationState>('rectificationStatus');
export const reportRectificationUpdate = defineUpdate<RectificationState, [{ actor: Actor; note: string }]>(
  'reportRectification',
);
export const completeRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; evidence: string }]
>('completeRectification');
export const verifyRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; accepted: boolean; comment: string; newDeadline?: string }]
>('verifyRectification');
export const extendRectificationUpdate = defineUpdate<
  RectificationState,
  [{ actor: Actor; until: string; reason: string }]
>('extendRectification');
export const procedureAgreedSignal =
  defineSignal<[{ meetingId: string; procedure: string }]>('procedureAgreed');

export interface CycleInput {
  compoundId: string;
  /** The local month whose meetings start next ("2026-12"); absent: the current month. */
  nextMonth?: string;
}
