/**
 * Intake (民情受理): a resident's voice is stored and answered at once; its workflow is started right after
 * the answer, off the request path, and a voice accepted is never lost.
 *
 * - The voice, its outbox entry (`voice_starts`) and its first change mark are inserted together with
 *   the other voices arriving in the same few milliseconds (one insert per collection per batch: the
 *   database's write lock is taken once for many residents, not three times for each).
 * - The answer is 202: stored, its handling starting. The API then starts the workflow (a bounded number
 *   at a time, each within 5 s) and marks the outbox entry started; the worker's sweep
 *   (api/voice-drift.ts) starts what was not — Temporal was down, the API stopped — and removes each
 *   entry once its voice's first event is recorded. Starting is by the voice's id, so twice is harmless.
 * - A retried request with the same idempotency key finds the voice by its id (derived from the compound,
 *   the resident and the key), so no scan is needed to know it was already stored.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DomainError } from '../domain/errors';
import { localParts } from '../domain/calendar';
import { rolesGrant, type Role } from '../domain/roles';
import {
  CHANNEL_LABELS,
  HOTLINE_CHANNELS,
  OUTSIDE_CHANNELS,
  classifyVoice,
  normaliseWorkOrderNo,
  defaultAssignee,
  voiceDeadline,
  voiceSubject,
  type Category,
  type Channel,
  type HotlineWorkOrder,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceSettings,
  type VoiceSubject,
} from '../domain/voices';
import { describeUncovered } from '../domain/working-days';
import { timeZoneOf } from '../models/compound';
import { User } from '../models/user';
import { Voice, type VoiceDoc } from '../models/voice';
import { Change, VoiceStart } from '../models/projection';
import { startAttributes } from '../temporal-search';
import { workCalendarFor } from '../activities/work-calendar';
import { voiceWorkflowId, type VoiceWorkflowInput } from '../workflows/contract';
import type { TemporalHandle } from './temporal-client';
import { loadCompound, voiceSettingsOf, type CompoundRecord } from './compounds';

export interface SubmitVoiceInput {
  kind: VoiceKind;
  channel: Channel;
  category?: Category;
  buildingId?: string;
  text: string;
  contact?: { name?: string; phone?: string };
  anonymous: boolean;
  idempotencyKey?: string;
  /** Staff or a building leader entering what a resident said on the phone, at the door… */
  onBehalfOf?: { name?: string; phone?: string; email?: string; address?: string; userId?: string };
  /** The 12345 work order it came with (hotline channels only): one voice per number in a compound. */
  hotline?: HotlineWorkOrder;
}

/** Who files a voice: a signed-in user, or an outside system by the key staff issued it (`apiKeyId`). */
export interface IntakeActor {
  id: string;
  name: string;
  roles: Role[];
  apiKeyId?: string;
}

export type VoiceRecord = VoiceDoc & { _id: string; createdAt: Date; updatedAt: Date };

/** A voice's id: the same compound, resident and idempotency key always name the same voice. */
export function voiceIdFor(compoundId: string, submittedBy: string, idempotencyKey: string): string {
  return createHash('sha256')
    .update(JSON.stringify([compoundId, submittedBy, idempotencyKey]))
    .digest('hex')
    .slice(0, 24);
}

/** A hotline voice's id: one 12345 work order is one voice of its compound, whoever enters it. */
export function hotlineVoiceId(compoundId: string, workOrderNo: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['hotline', compoundId, normaliseWorkOrderNo(workOrderNo)]))
    .digest('hex')
    .slice(0, 24);
}

/**
 * What the voice's workflow starts from. Deadlines counted in working days need China's calendar for
 * the years ahead, read here (outside workflow code) and carried in the input, so replays see it too.
 */
export function workflowInputOf(
  v: VoiceRecord,
  settings: VoiceSettings,
  compound?: { timeZone?: string | null; settings?: unknown },
): VoiceWorkflowInput {
  const submitter = v.enteredBy && v.enteredBy === v.submittedBy ? undefined : v.submittedBy;
  const timeZone = timeZoneOf(compound);
  const inWorkingDays = Object.values(settings.deadlines).some((d) => d.workingDays);
  const year = localParts(v.createdAt, timeZone).year;
  return {
    voiceId: v._id,
    compoundId: v.compoundId,
    kind: v.kind as VoiceKind,
    category: v.category as Category,
    assignee: v.assignee as ResponsibleBody,
    submittedAt: v.createdAt.toISOString(),
    text: v.text,
    submitterUserId: submitter,
    settings,
    timeZone,
    subject: (v.subject as VoiceSubject | undefined) ?? undefined,
    ...(inWorkingDays && compound
      ? { calendar: workCalendarFor(compound as never, { from: year, to: year + 1 }) }
      : {}),
  };
}

/**
 * What intake tells the resident about the calendar: where the kind counts in working days and its
 * deadlines run into a year China's holiday data does not cover, that they were judged by weekends.
 */
export function calendarNoteOf(v: VoiceRecord, compound: { timeZone?: string | null; settings?: unknown }) {
  if (v.kind === 'praise') return undefined;
  const input = workflowInputOf(v, voiceSettingsOf(compound as never), compound);
  const kd = input.settings.deadlines[v.kind as Exclude<VoiceKind, 'praise'>];
  if (!kd.workingDays || !input.calendar) return undefined;
  const d = voiceDeadline(v.createdAt, 'resolve', kd, input.timeZone ?? timeZoneOf(compound), input.calendar);
  return describeUncovered(d.uncoveredYears);
}

/**
 * Outbox entries of started workflows, marked together a moment later (one write for many starts).
 * The entry stays until the sweep sees the voice's first event recorded: so a voice whose read model
 * never followed its workflow is found without scanning voices.
 */
let started: string[] = [];
let marking: NodeJS.Timeout | undefined;
function markStarted(id: string) {
  started.push(id);
  marking ??= setTimeout(() => {
    const ids = started;
    started = [];
    marking = undefined;
    // Should this fail, the sweep starts them again (harmless) and marks them.
    void VoiceStart.updateMany({ _id: { $in: ids } }, { $set: { startedAt: new Date() } }).catch(
      () => undefined,
    );
  }, 100);
}

/** How long one start may take before it is left to the sweep (Temporal may be unreachable). */
const START_TIMEOUT_MS = 5_000;

/** Starts the voice's workflow (twice is harmless: the id is the voice's), then clears its outbox entry. */
export async function startVoiceWorkflow(temporal: TemporalHandle, v: VoiceRecord, compound: CompoundRecord) {
  const client = await temporal.client();
  const attributes = await startAttributes(client, {
    compoundId: v.compoundId,
    kind: v.kind,
    status: v.status,
  });
  try {
    await client.withDeadline(Date.now() + START_TIMEOUT_MS, () =>
      client.workflow.start('residentVoice', {
        workflowId: voiceWorkflowId(v._id),
        taskQueue: temporal.taskQueue,
        args: [workflowInputOf(v, voiceSettingsOf(compound), compound)],
        ...attributes,
      }),
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  markStarted(v._id);
}

interface Pending {
  voice: Record<string, unknown> & { _id: string; compoundId: string };
  resolve: (inserted: boolean) => void;
  reject: (err: unknown) => void;
}

const dupOnly = (err: unknown): Set<number> | undefined => {
  const e = err as {
    writeErrors?: { index: number; code?: number; err?: { index?: number; code?: number } }[];
  };
  // A network error mid-insert also throws a bulk write error, with no write errors: not a duplicate.
  if (!e.writeErrors?.length) return undefined;
  const dup = new Set<number>();
  for (const w of e.writeErrors) {
    const code = w.code ?? w.err?.code;
    if (code !== 11000) return undefined;
    dup.add(w.index ?? w.err?.index ?? -1);
  }
  return dup;
};

/**
 * Group commit: the voices arriving within `waitMs` (or `max` of them) are inserted in one batch.
 * Each caller learns whether its voice was inserted (false: a voice with its id was already there).
 */
function createInsertBatcher(opts: { max: number; waitMs: number }) {
  let queue: Pending[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = async () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    if (!batch.length) return;
    const now = new Date();
    try {
      // The outbox first: a voice whose start is not recorded can never exist.
      await VoiceStart.insertMany(
        batch.map((p) => ({ _id: p.voice._id, compoundId: p.voice.compoundId, at: now })),
        { ordered: false },
      ).catch((err: unknown) => {
        if (!dupOnly(err)) throw err;
      });
      let dups = new Set<number>();
      await Voice.insertMany(
        batch.map((p) => p.voice),
        { ordered: false },
      ).catch((err: unknown) => {
        const d = dupOnly(err);
        if (!d) throw err;
        dups = d;
      });
      await Change.insertMany(
        batch.map((p) => ({
          _id: `voice:${p.voice._id}:0`,
          compoundId: p.voice.compoundId,
          kind: 'voice',
          recordId: p.voice._id,
          at: now,
        })),
        { ordered: false },
      ).catch((err: unknown) => {
        if (!dupOnly(err)) throw err;
      });
      batch.forEach((p, i) => p.resolve(!dups.has(i)));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  };
  return (voice: Pending['voice']) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ voice, resolve, reject });
      if (queue.length >= opts.max) void flush();
      else timer ??= setTimeout(() => void flush(), opts.waitMs);
    });
}

const insertVoice = createInsertBatcher({ max: 64, waitMs: 3 });

/** At most this many starts in flight from one API process; the rest queue behind them. */
const START_CONCURRENCY = 16;
let starting = 0;
const startQueue: (() => void)[] = [];
/** Beyond this many waiting, starts are left to the sweep (memory stays bounded while Temporal is away). */
const START_QUEUE_MAX = 2_000;
async function withStartSlot<T>(f: () => Promise<T>): Promise<T> {
  if (startQueue.length >= START_QUEUE_MAX) throw new Error('too many starts waiting');
  if (starting >= START_CONCURRENCY) await new Promise<void>((r) => startQueue.push(r));
  starting++;
  try {
    return await f();
  } finally {
    starting--;
    startQueue.shift()?.();
  }
}

export interface Intake {
  voice: VoiceRecord;
  /** False when the request repeated one already stored (same idempotency key, same content). */
  created: boolean;
  /** Settles once the workflow has started (true) or was left to the sweep (false). Never rejects. */
  started: Promise<boolean>;
  calendarNote?: string;
}

/**
 * Intake. Stores the voice (with the others arriving at the same moment), then starts its workflow
 * without making the resident wait for it (see the module's comment).
 */
export async function submitVoice(
  deps: { temporal: TemporalHandle; log?: (msg: string) => void; clock?: () => Date },
  compoundId: string,
  actor: IntakeActor,
  input: SubmitVoiceInput,
): Promise<Intake> {
  const now = deps.clock?.() ?? new Date();
  const compound = await loadCompound(compoundId);
  const onBehalf = input.onBehalfOf !== undefined || input.channel !== 'online';
  const outside = (OUTSIDE_CHANNELS as readonly Channel[]).includes(input.channel);
  // A key staff issued is the outside system's authority to enter voices; on its own channels only.
  if (actor.apiKeyId ? !outside : onBehalf && !rolesGrant(actor.roles, 'voice:submitOnBehalf')) {
    throw new DomainError('forbidden', '只有社区工作人员或楼栋长可以代居民录入（channel 不是 online）', {
      field: 'channel',
    });
  }
  if (!actor.apiKeyId && input.channel === 'outsideSystem') {
    throw new DomainError('unprocessable', '“外部系统接入”渠道只能由外部系统凭接入密钥提交', {
      field: 'body.channel',
    });
  }
  const hotline = input.hotline && {
    workOrderNo: normaliseWorkOrderNo(input.hotline.workOrderNo),
    ...(input.hotline.classificationCode ? { classificationCode: input.hotline.classificationCode } : {}),
  };
  if (hotline && !(HOTLINE_CHANNELS as readonly Channel[]).includes(input.channel)) {
    throw new DomainError(
      'unprocessable',
      `只有热线渠道（${HOTLINE_CHANNELS.map((c) => CHANNEL_LABELS[c]).join('、')}）的反映可以带 12345 工单`,
      { field: 'body.hotline' },
    );
  }
  if (input.buildingId && !compound.buildings.some((b) => b._id === input.buildingId && !b.retiredAt)) {
    throw new DomainError('unprocessable', `该小区没有这个楼栋：${input.buildingId}`, {
      field: 'body.buildingId',
    });
  }
  if (input.onBehalfOf?.userId) {
    // Entered for a resident with an account: they must be a resident of this compound.
    // Checked in code: FerretDB v1 has no $elemMatch on documents.
    const user = await User.findById(input.onBehalfOf.userId, { memberships: 1 }).lean();
    const resident = user?.memberships.some(
      (m) => m.compoundId === compoundId && m.roles.includes('resident'),
    );
    if (!resident) {
      throw new DomainError('unprocessable', '代录的居民不是本小区的住户', {
        field: 'body.onBehalfOf.userId',
      });
    }
  }
  const category = input.category ?? classifyVoice(input.text);
  const submittedBy = input.onBehalfOf?.userId ?? actor.id;
  const contact = input.onBehalfOf
    ? {
        name: input.onBehalfOf.name,
        phone: input.onBehalfOf.phone,
        ...(input.onBehalfOf.email ? { email: input.onBehalfOf.email } : {}),
        ...(input.onBehalfOf.address ? { address: input.onBehalfOf.address } : {}),
      }
    : input.contact;
  const requestHash = createHash('sha256')
    .update(
      JSON.stringify([
        input.kind,
        input.channel,
        input.category,
        input.buildingId,
        input.text,
        contact,
        input.anonymous,
        // Only when present, so the hashes of voices stored before work orders existed stay the same.
        ...(hotline ? [hotline] : []),
      ]),
    )
    .digest('hex');
  const idempotencyKey = input.idempotencyKey ?? (hotline ? `12345:${hotline.workOrderNo}` : randomUUID());
  const _id = hotline
    ? hotlineVoiceId(compoundId, hotline.workOrderNo)
    : voiceIdFor(compoundId, submittedBy, idempotencyKey);

  const start = (v: VoiceRecord): Promise<boolean> =>
    withStartSlot(() => startVoiceWorkflow(deps.temporal, v, compound)).then(
      () => true,
      (err: unknown) => {
        deps.log?.(`voice ${v._id} stored; its workflow will be started by the sweep: ${String(err)}`);
        return false;
      },
    );
  const retried = async (v: VoiceRecord): Promise<Intake> => {
    // A work order already filed: the same sender repeating the same request is answered with it; any
    // other voice with that number is refused, naming the voice staff should look at.
    if (hotline && v.hotline?.workOrderNo === hotline.workOrderNo) {
      if (v.submittedBy !== submittedBy || v.requestHash !== requestHash) {
        throw new DomainError('conflict', `12345 工单号 ${hotline.workOrderNo} 已登记为反映 ${v._id}`, {
          field: 'hotline.workOrderNo',
          voiceId: v._id,
        });
      }
    } else if (v.requestHash !== requestHash) {
      throw new DomainError('conflict', '该幂等键已用于另一条不同内容的反映', { field: 'idempotencyKey' });
    }
    // Still in the outbox: its workflow may not have started; starting again is harmless.
    const pending = v.status === 'received' && (await VoiceStart.exists({ _id: v._id }));
    return { voice: v, created: false, started: pending ? start(v) : Promise.resolve(true) };
  };

  // No lookup first: a repeated request finds its voice when the insert meets the same id.
  const doc = {
    _id,
    compoundId,
    kind: input.kind,
    channel: input.channel,
    category,
    subject: voiceSubject(input.text, category, input.kind),
    buildingId: input.buildingId,
    text: input.text.trim(),
    contact,
    anonymous: input.anonymous,
    residentName: input.onBehalfOf?.name ?? input.contact?.name ?? (onBehalf ? undefined : actor.name),
    submittedBy,
    enteredBy: onBehalf ? actor.id : undefined,
    idempotencyKey,
    requestHash,
    ...(hotline ? { hotline } : {}),
    ...(actor.apiKeyId ? { apiKeyId: actor.apiKeyId } : {}),
    status: 'received' as const,
    rev: 0,
    assignee: defaultAssignee(category, input.kind),
    responsible: defaultAssignee(category, input.kind),
    escalationLevel: 0,
    overdue: false,
    reopened: false,
    createdAt: now,
    updatedAt: now,
    timeline: [
      {
        eventId: 'intake',
        type: 'received',
        at: now,
        message: onBehalf
          ? `经${CHANNEL_LABELS[input.channel]}由${actor.name}代为录入`
          : `经${CHANNEL_LABELS[input.channel]}提交`,
        actor: { userId: actor.id, name: actor.name },
      },
    ],
  };
  if (!(await insertVoice(doc))) {
    // The same request raced itself: the first one is stored; answer with it.
    const winner = await Voice.findById(_id).lean<VoiceRecord>();
    if (winner) return retried(winner);
    // Another id under the same sender and key (a key reused for another work order): refused as reused.
    const same = await Voice.findOne({ compoundId, submittedBy, idempotencyKey }).lean<VoiceRecord>();
    if (same) return retried(same);
  }
  const voice = doc as unknown as VoiceRecord;
  return { voice, created: true, started: start(voice), calendarNote: calendarNoteOf(voice, compound) };
}
