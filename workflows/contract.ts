/**
 * What the outside world may say to workflows and hear back: ids, messages and I/O types.
 * Imported by workflows and by the API, so it must stay deterministic (no Node built-ins, no I/O).
 */
import { ApplicationFailure, defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Role } from '../domain/roles';
import type {
  Category,
  ResponsibleBody,
  VoiceKind,
  VoiceSettings,
  VoiceStatus,
  VoiceSubject,
} from '../domain/voices';
import type { WorkCalendar } from '../domain/working-days';

export const DEFAULT_TASK_QUEUE = 'gongzhi';

export const voiceWorkflowId = (voiceId: string): string => `voice/${voiceId}`;

/** Who acts: the API fills this from the signed-in user, never from the request body. */
export interface Actor {
  userId: string;
  name: string;
  roles: Role[];
}

export interface VoiceWorkflowInput {
  voiceId: string;
  compoundId: string;
  kind: VoiceKind;
  category: Category;
  /** The body the voice is assigned to; by default from the category. */
  assignee: ResponsibleBody;
  submittedAt: string; // ISO
  /** The text, for agendas the voice lands on (e.g. a prompt coordination meeting). */
  text?: string;
  /** The resident who raised it, if they have an account (they give feedback). */
  submitterUserId?: string;
  settings: VoiceSettings;
  /** The compound's zone, for deadlines in messages (absent in voices raised before: the default). */
  timeZone?: string;
  /** China's statutory calendar with the compound's own days, for deadlines counted in working days. */
  calendar?: WorkCalendar;
  /** Whom the voice is about (it counts against them), as opposed to who handles it. */
  subject?: VoiceSubject;
}

export type Satisfaction = 'satisfied' | 'unsatisfied';

export interface VoiceState {
  voiceId: string;
  status: VoiceStatus;
  /** Set once staff reclassify it (the read model holds the category from intake). */
  category?: Category;
  subject?: VoiceSubject;
  assignee: ResponsibleBody;
  escalationLevel: number;
  responsible: ResponsibleBody;
  acknowledgeBy?: string;
  resolveBy?: string;
  overdue: boolean;
  reopened: boolean;
  satisfaction?: Satisfaction;
  /** Set at the first response (accept or resolve): before the acknowledgement deadline, unescalated. */
  respondedOnTime?: boolean;
  escalations: {
    at: string;
    from: ResponsibleBody;
    to: ResponsibleBody;
    missed: 'acknowledge' | 'resolve';
  }[];
}

export interface NoteInput {
  actor: Actor;
  note: string;
}
export interface ResolveInput {
  actor: Actor;
  result: string;
}
export interface FeedbackInput {
  actor: Actor;
  satisfied: boolean;
  comment?: string;
}
export interface ExtendDeadlineInput {
  actor: Actor;
  deadline: 'acknowledge' | 'resolve';
  until: string; // ISO
  reason: string;
}

/** Staff reclassify or reassign a voice with a reason: deadlines start anew for the new body. */
export interface ReassignInput {
  actor: Actor;
  category?: Category;
  assignee?: ResponsibleBody;
  reason: string;
}

export const voiceStatusQuery = defineQuery<VoiceState>('voiceStatus');
export const reassignVoiceUpdate = defineUpdate<VoiceState, [ReassignInput]>('reassignVoice');
export const acceptVoiceUpdate = defineUpdate<VoiceState, [NoteInput]>('acceptVoice');
export const reportProgressUpdate = defineUpdate<VoiceState, [NoteInput]>('reportProgress');
export const resolveVoiceUpdate = defineUpdate<VoiceState, [ResolveInput]>('resolveVoice');
export const giveFeedbackUpdate = defineUpdate<VoiceState, [FeedbackInput]>('giveFeedback');
export const extendDeadlineUpdate = defineUpdate<VoiceState, [ExtendDeadlineInput]>('extendDeadline');
/**
 * The drift check's repair, done by the record's one writer: the workflow writes its current state (and
 * drops doubled timeline entries) after whatever it is recording, and answers with its revision.
 */
export const syncVoiceRecordUpdate = defineUpdate<{ rev: number }, []>('syncVoiceRecord');

/** ApplicationFailure types the workflows refuse with; the API maps them to HTTP statuses. */
export const REFUSAL = { invalid: 'invalid', forbidden: 'forbidden', conflict: 'conflict' } as const;

/** How a workflow's validator refuses an update: non-retryable, so the caller hears it at once. */
export function refuse(type: keyof typeof REFUSAL, message: string): never {
  throw ApplicationFailure.create({ type: REFUSAL[type], message, nonRetryable: true });
}
