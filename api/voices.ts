/**
 * Voice operations behind the routes: intake (never losing an accepted voice), reads, and the
 * actions that go to the voice's workflow as Temporal updates.
 */
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { Types } from 'mongoose';
import { DomainError } from '../domain/errors';
import { localParts, monthBounds, monthKey, zonedTime } from '../domain/calendar';
import { parseMonth } from '../domain/meetings';
import { maskedSummary } from '../domain/privacy';
import { rolesGrant, type Role } from '../domain/roles';
import {
  BODY_LABELS,
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  DEFAULT_VOICE_SETTINGS,
  SUBJECT_LABELS,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
  classifyVoice,
  defaultAssignee,
  escalationLadder,
  maskName,
  maskPersonalData,
  mayHandleVoice,
  voiceDeadline,
  voiceSubject,
  type Category,
  type Channel,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceSettings,
  type VoiceStatus,
  type VoiceSubject,
} from '../domain/voices';
import { Compound, timeZoneOf } from '../models/compound';
import { User } from '../models/user';
import { Voice, type VoiceDoc } from '../models/voice';
import { syncRateMember } from '../activities/rate-counters';
import { workCalendarFor } from '../activities/work-calendar';
import { describeUncovered } from '../domain/working-days';
import {
  acceptVoiceUpdate,
  extendDeadlineUpdate,
  giveFeedbackUpdate,
  reassignVoiceUpdate,
  reportProgressUpdate,
  resolveVoiceUpdate,
  voiceStatusQuery,
  voiceWorkflowId,
  type Actor,
  type VoiceState,
  type VoiceWorkflowInput,
} from '../workflows/contract';
import type { TemporalHandle } from '../client';

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
  onBehalfOf?: { name?: string; phone?: string; userId?: string };
}

type VoiceRecord = VoiceDoc & { _id: string; createdAt: Date; updatedAt: Date };
type CompoundRecord = Awaited<ReturnType<typeof loadCompound>>;

export async function loadCompound(compoundId: string) {
  const compound = await Compound.findById(compoundId).lean();
  if (!compound) throw new DomainError('not_found', `没有这个小区：${compoundId}`);
  return compound;
}

export function voiceSettingsOf(compound: { settings?: { voices?: unknown } | null }): VoiceSettings {
  return (compound.settings?.voices as VoiceSettings | undefined) ?? DEFAULT_VOICE_SETTINGS;
}

/** Whether the compound lets the triage desk (community staff) see who raised an anonymous voice. */
export function staffSeeAnonymousAuthors(compound: { settings?: unknown }): boolean {
  const privacy = (compound.settings as { privacy?: { staffSeeAnonymousAuthors?: boolean } } | undefined)
    ?.privacy;
  return privacy?.staffSeeAnonymousAuthors === true;
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

/** Starts the voice's workflow; starting one that already runs is harmless (the id is the voice's). */
export async function startVoiceWorkflow(
  temporal: TemporalHandle,
  v: VoiceRecord,
  compound: CompoundRecord,
  now: Date = new Date(),
) {
  const client = await temporal.client();
  try {
    await client.workflow.start('residentVoice', {
      workflowId: voiceWorkflowId(v._id),
      taskQueue: temporal.taskQueue,
      args: [workflowInputOf(v, voiceSettingsOf(compound), compound)],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await Voice.updateOne({ _id: v._id }, { $set: { workflowStartedAt: now } });
}

/**
 * Intake. The voice is stored first, then its workflow started; if Temporal is down the voice stays
 * `received` and the worker's sweep starts it later. A retried request with the same idempotency key
 * returns the voice already stored.
 */
export async function submitVoice(
  deps: { temporal: TemporalHandle; log?: (msg: string) => void; clock?: () => Date },
  compoundId: string,
  actor: { id: string; name: string; roles: Role[] },
  input: SubmitVoiceInput,
): Promise<{ voice: VoiceRecord; created: boolean; workflowStarted: boolean; calendarNote?: string }> {
  const now = deps.clock?.() ?? new Date();
  const compound = await loadCompound(compoundId);
  const onBehalf = input.onBehalfOf !== undefined || input.channel !== 'online';
  if (onBehalf && !rolesGrant(actor.roles, 'voice:submitOnBehalf')) {
    throw new DomainError('forbidden', '只有社区工作人员或楼栋长可以代居民录入（channel 不是 online）', {
      field: 'channel',
    });
  }
  if (input.buildingId && !compound.buildings.some((b) => b._id === input.buildingId)) {
    throw new DomainError('invalid', `该小区没有这个楼栋：${input.buildingId}`, { field: 'body.buildingId' });
  }
  if (input.onBehalfOf?.userId) {
    // Entered for a resident with an account: they must be a resident of this compound.
    // Checked in code: FerretDB v1 has no $elemMatch on documents.
    const user = await User.findById(input.onBehalfOf.userId, { memberships: 1 }).lean();
    const resident = user?.memberships.some(
      (m) => m.compoundId === compoundId && m.roles.includes('resident'),
    );
    if (!resident) {
      throw new DomainError('invalid', '代录的居民不是本小区的住户', { field: 'body.onBehalfOf.userId' });
    }
  }
  const category = input.category ?? classifyVoice(input.text);
  const submittedBy = input.onBehalfOf?.userId ?? actor.id;
  const contact = input.onBehalfOf
    ? { name: input.onBehalfOf.name, phone: input.onBehalfOf.phone }
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
      ]),
    )
    .digest('hex');
  const idempotencyKey = input.idempotencyKey ?? randomUUID();

  const existing = await Voice.findOne({ compoundId, submittedBy, idempotencyKey }).lean<VoiceRecord>();
  if (existing) return retried(existing);

  const doc = {
    _id: new Types.ObjectId().toHexString(),
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
    status: 'received' as const,
    assignee: defaultAssignee(category, input.kind),
    responsible: defaultAssignee(category, input.kind),
    createdAt: now,
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
  let created: VoiceRecord;
  try {
    created = (await Voice.create(doc)).toObject() as VoiceRecord;
  } catch (err) {
    // Two identical requests raced: the unique index let one in; answer with that one.
    if ((err as { code?: number }).code === 11000) {
      const winner = await Voice.findOne({ compoundId, submittedBy, idempotencyKey }).lean<VoiceRecord>();
      if (winner) return retried(winner);
    }
    throw err;
  }
  // Counted from intake; should this fail, the workflow's first event counts it.
  await syncRateMember('voice', created._id).catch((err: unknown) =>
    deps.log?.(`计数同步失败（将由流程补上）：${String(err)}`),
  );
  const workflowStarted = await tryStart(created);
  return { voice: created, created: true, workflowStarted, calendarNote: calendarNoteOf(created, compound) };

  async function retried(v: VoiceRecord) {
    if (v.requestHash !== requestHash) {
      throw new DomainError('conflict', '该幂等键已用于另一条不同内容的反映', { field: 'idempotencyKey' });
    }
    const workflowStarted = v.workflowStartedAt ? true : await tryStart(v);
    return { voice: v, created: false, workflowStarted };
  }

  async function tryStart(v: VoiceRecord): Promise<boolean> {
    try {
      await startVoiceWorkflow(deps.temporal, v, compound, now);
      return true;
    } catch (err) {
      deps.log?.(`voice ${v._id} stored; its workflow will be started by the sweep: ${String(err)}`);
      return false;
    }
  }
}

/** Starts workflows for voices accepted while Temporal was unreachable. Run by the worker. */
export async function startPendingVoiceWorkflows(
  temporal: TemporalHandle,
  olderThanMs = 5_000,
): Promise<number> {
  const pending = await Voice.find({
    status: 'received',
    workflowStartedAt: { $exists: false },
    createdAt: { $lt: new Date(Date.now() - olderThanMs) },
  })
    .limit(200)
    .lean<VoiceRecord[]>();
  const compounds = new Map<string, CompoundRecord>();
  let started = 0;
  for (const v of pending) {
    let compound = compounds.get(v.compoundId);
    if (!compound) {
      compound = await loadCompound(v.compoundId);
      compounds.set(v.compoundId, compound);
    }
    await startVoiceWorkflow(temporal, v, compound);
    started++;
  }
  return started;
}

export interface VoiceFilters {
  status?: VoiceStatus;
  overdue?: boolean;
  assignee?: ResponsibleBody;
  responsible?: ResponsibleBody;
  kind?: VoiceKind;
  category?: Category;
  page: number;
  pageSize: number;
}

/**
 * How much of a voice a viewer may see (DOMAIN.md "Privacy"): its author (or whoever entered it for
 * them) and the officers who handle it read the text; other officers read a masked summary; an
 * anonymous author's name reaches no officer — only the staff triage desk, where the compound allows.
 */
type Access = 'author' | 'handler' | 'officer';
interface Viewer {
  id: string;
  roles: Role[];
}

function accessTo(v: VoiceRecord, viewer: Viewer): Access {
  if (v.submittedBy === viewer.id || (v.enteredBy && v.enteredBy === viewer.id)) return 'author';
  if (viewer.roles.includes('staff') || viewer.roles.includes('admin')) return 'handler';
  // The bodies on its ladder up to where it now stands, and whoever resolved it.
  const ladder = escalationLadder(v.assignee as ResponsibleBody).slice(0, (v.escalationLevel ?? 0) + 1);
  const bodies = new Set<string>([...ladder, ...(v.handledBy ? [v.handledBy] : [])]);
  if (viewer.roles.some((r) => r !== 'staff' && bodies.has(r))) return 'handler';
  return 'officer';
}

export async function listVoices(compoundId: string, viewer: Viewer, f: VoiceFilters, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const all = rolesGrant(viewer.roles, 'voice:readAll');
  const query: Record<string, unknown> = { compoundId };
  const and: Record<string, unknown>[] = [];
  // A resident's own voices: those they raised, and those they entered for someone else.
  if (!all) and.push({ $or: [{ submittedBy: viewer.id }, { enteredBy: viewer.id }] });
  if (f.status) query.status = f.status;
  if (f.assignee) query.assignee = f.assignee;
  if (f.responsible) query.responsible = f.responsible;
  if (f.kind) query.kind = f.kind;
  if (f.category) query.category = f.category;
  const overdueNow = [
    { overdue: true },
    { status: 'assigned', acknowledgeBy: { $lt: now } },
    { status: 'inProgress', resolveBy: { $lt: now } },
  ];
  if (f.overdue === true) and.push({ $or: overdueNow });
  if (f.overdue === false) query.$nor = overdueNow;
  if (and.length) query.$and = and;
  const [items, total] = await Promise.all([
    Voice.find(query, { timeline: 0 })
      .sort({ createdAt: -1, _id: -1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean<VoiceRecord[]>(),
    Voice.countDocuments(query),
  ]);
  return {
    items: items.map((v) => voiceView(v, viewer, compound)),
    page: f.page,
    pageSize: f.pageSize,
    total,
  };
}

export async function getVoice(compoundId: string, voiceId: string, viewer: Viewer) {
  const compound = await loadCompound(compoundId);
  const v = await findVoice(compoundId, voiceId);
  const all = rolesGrant(viewer.roles, 'voice:readAll');
  if (!all && v.submittedBy !== viewer.id && v.enteredBy !== viewer.id)
    throw new DomainError('not_found', '没有这条反映');
  return voiceView(v, viewer, compound);
}

async function findVoice(compoundId: string, voiceId: string): Promise<VoiceRecord> {
  // Scoped by compound: an id from another compound is simply not found.
  const v = await Voice.findOne({ _id: voiceId, compoundId }).lean<VoiceRecord>();
  if (!v) throw new DomainError('not_found', '没有这条反映');
  return v;
}

export async function liveVoiceState(
  temporal: TemporalHandle,
  compoundId: string,
  voiceId: string,
): Promise<VoiceState> {
  await findVoice(compoundId, voiceId);
  const client = await temporal.client();
  return client.workflow.getHandle(voiceWorkflowId(voiceId)).query(voiceStatusQuery);
}

export type VoiceAction =
  | { type: 'accept'; note?: string }
  | { type: 'progress'; note: string }
  | { type: 'resolve'; result: string }
  | { type: 'feedback'; satisfied: boolean; comment?: string }
  | { type: 'extendDeadline'; deadline: 'acknowledge' | 'resolve'; until: string; reason: string }
  | { type: 'reassign'; category?: Category; assignee?: ResponsibleBody; reason: string };

/** Sends an action to the voice's workflow, which validates it against its current state. */
export async function actOnVoice(
  temporal: TemporalHandle,
  compoundId: string,
  voiceId: string,
  actor: Actor,
  action: VoiceAction,
): Promise<VoiceState> {
  const v = await findVoice(compoundId, voiceId);
  if (
    (action.type === 'accept' || action.type === 'progress' || action.type === 'resolve') &&
    !mayHandleVoice(actor.roles, v.assignee as ResponsibleBody, v.escalationLevel ?? 0)
  ) {
    throw new DomainError(
      'forbidden',
      `此事项由${BODY_LABELS[(v.responsible ?? v.assignee) as ResponsibleBody]}负责，您无权处理`,
    );
  }
  if (
    action.type === 'feedback' &&
    v.submittedBy !== actor.userId &&
    !actor.roles.some((r) => r === 'staff' || r === 'admin')
  ) {
    throw new DomainError('forbidden', '只有反映人本人（或社区工作人员）可以评价');
  }
  if (!v.workflowStartedAt && v.status === 'received') {
    throw new DomainError('conflict', '该反映已受理，处理流程正在启动，请稍后再试');
  }
  const handle = (await temporal.client()).workflow.getHandle(voiceWorkflowId(voiceId));
  switch (action.type) {
    case 'accept':
      return handle.executeUpdate(acceptVoiceUpdate, { args: [{ actor, note: action.note ?? '' }] });
    case 'progress':
      return handle.executeUpdate(reportProgressUpdate, { args: [{ actor, note: action.note }] });
    case 'resolve':
      return handle.executeUpdate(resolveVoiceUpdate, { args: [{ actor, result: action.result }] });
    case 'feedback':
      return handle.executeUpdate(giveFeedbackUpdate, {
        args: [{ actor, satisfied: action.satisfied, comment: action.comment }],
      });
    case 'extendDeadline':
      return handle.executeUpdate(extendDeadlineUpdate, {
        args: [{ actor, deadline: action.deadline, until: action.until, reason: action.reason }],
      });
    case 'reassign':
      return handle.executeUpdate(reassignVoiceUpdate, {
        args: [{ actor, category: action.category, assignee: action.assignee, reason: action.reason }],
      });
  }
}

/** A voice as this viewer may see it (see accessTo). */
export function voiceView(v: VoiceRecord, viewer: Viewer, compound: { settings?: unknown }) {
  const access = accessTo(v, viewer);
  const seesText = access !== 'officer';
  // An anonymous author is hidden from every officer; staff triage sees it only where the compound allows.
  const seesAuthor =
    access === 'author' ||
    (!v.anonymous && access === 'handler') ||
    (v.anonymous && viewer.roles.includes('staff') && staffSeeAnonymousAuthors(compound));
  const residentName = seesAuthor
    ? v.residentName
    : v.anonymous || !v.residentName
      ? undefined
      : maskName(v.residentName);
  return {
    id: v._id,
    compoundId: v.compoundId,
    kind: v.kind,
    kindLabel: VOICE_KIND_LABELS[v.kind as VoiceKind],
    channel: v.channel,
    channelLabel: CHANNEL_LABELS[v.channel as Channel],
    category: v.category,
    categoryLabel: CATEGORY_LABELS[v.category as Category],
    subject: v.subject,
    subjectLabel: v.subject ? SUBJECT_LABELS[v.subject as VoiceSubject] : undefined,
    buildingId: v.buildingId,
    text: seesText ? v.text : maskedSummary(v.text),
    textMasked: !seesText,
    anonymous: v.anonymous,
    residentName,
    contact: seesAuthor ? v.contact : undefined,
    status: v.status,
    statusLabel: VOICE_STATUS_LABELS[v.status as VoiceStatus],
    assignee: v.assignee,
    responsible: v.responsible,
    escalationLevel: v.escalationLevel,
    acknowledgeBy: v.acknowledgeBy,
    resolveBy: v.resolveBy,
    overdue: v.overdue,
    reopened: v.reopened,
    result: v.result,
    handledBy: v.handledBy,
    resolvedAt: v.resolvedAt,
    satisfaction: v.satisfaction,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    timeline: v.timeline?.map((e) => {
      // The intake entry names who raised it (or entered it for them): hidden like the author.
      const residentStep = e.eventId === 'intake' || e.type === 'feedback' || e.type === 'reopened';
      const hide = residentStep && !seesAuthor && (v.anonymous || access === 'officer');
      return {
        type: e.type,
        at: e.at,
        message: seesText ? e.message : maskPersonalData(e.message),
        actor: hide
          ? { name: v.anonymous ? '匿名居民' : maskName(e.actor?.name ?? '居民') }
          : e.actor
            ? { name: e.actor.name, ...(e.actor.body ? { body: e.actor.body } : {}) }
            : undefined,
      };
    }),
  };
}

const SATISFACTION_LABELS = { satisfied: '满意', unsatisfied: '不满意' } as const;

/** 回音壁: handled voices, public to the compound — no contact data, no names of anonymous residents. */
export async function echoWall(
  compoundId: string,
  f: {
    kind?: VoiceKind;
    category?: Category;
    month?: string;
    status?: 'resolved' | 'closed' | 'published';
    page: number;
    pageSize: number;
  },
) {
  const compound = await loadCompound(compoundId);
  const query: Record<string, unknown> = {
    compoundId,
    status: f.status ?? { $in: ['resolved', 'closed', 'published'] },
  };
  if (f.kind) query.kind = f.kind;
  if (f.category) query.category = f.category;
  if (f.month) {
    // The compound's local month, not UTC's.
    const { year, month } = parseMonth(f.month);
    const tz = timeZoneOf(compound);
    query.createdAt = {
      $gte: zonedTime(tz, year, month, 1),
      $lt: monthBounds(zonedTime(tz, year, month, 1), tz).end,
    };
  }
  const [items, total] = await Promise.all([
    Voice.find(query, { contact: 0, timeline: 0, requestHash: 0, idempotencyKey: 0 })
      .sort({ updatedAt: -1, _id: -1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean<VoiceRecord[]>(),
    Voice.countDocuments(query),
  ]);
  const buildingName = new Map(compound.buildings.map((b) => [b._id, b.name]));
  return {
    compound: { id: compound._id, name: compound.name },
    page: f.page,
    pageSize: f.pageSize,
    total,
    items: items.map((v) => ({
      id: v._id,
      kind: v.kind,
      kindLabel: VOICE_KIND_LABELS[v.kind as VoiceKind],
      category: v.category,
      categoryLabel: CATEGORY_LABELS[v.category as Category],
      building: v.buildingId ? buildingName.get(v.buildingId) : undefined,
      // The echo wall is read by the whole compound (or the public): a masked summary of what was raised.
      raised: maskedSummary(v.text, 80),
      raisedBy: v.anonymous || !v.residentName ? '匿名居民' : maskName(v.residentName),
      raisedAt: v.createdAt,
      handledBy:
        v.kind === 'praise'
          ? undefined
          : BODY_LABELS[(v.handledBy ?? v.responsible ?? v.assignee) as ResponsibleBody],
      praised: v.kind === 'praise' ? BODY_LABELS[v.assignee as ResponsibleBody] : undefined,
      result: v.result ? maskPersonalData(v.result) : undefined,
      resolvedAt: v.resolvedAt,
      status: v.status,
      statusLabel: VOICE_STATUS_LABELS[v.status as VoiceStatus],
      satisfaction: v.satisfaction,
      satisfactionLabel: v.satisfaction
        ? SATISFACTION_LABELS[v.satisfaction]
        : v.status === 'resolved'
          ? '待评价'
          : undefined,
    })),
  };
}

export type { VoiceRecord };
export type { Client };

/**
 * The echo wall's per-month summary: raised, handled, satisfied and unsatisfied, for the last `months`
 * local months. One indexed count per figure and month, so it stays cheap for a compound.
 */
export async function echoWallSummary(compoundId: string, months: number, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const tz = timeZoneOf(compound);
  const out: {
    month: string;
    raised: number;
    handled: number;
    satisfied: number;
    unsatisfied: number;
    praise: number;
  }[] = [];
  let start = monthBounds(now, tz).start;
  for (let i = 0; i < months; i++) {
    const end = monthBounds(start, tz).end;
    const inMonth = { compoundId, createdAt: { $gte: start, $lt: end } };
    const [raised, handled, satisfied, unsatisfied, praise] = await Promise.all([
      Voice.countDocuments({ ...inMonth, kind: { $ne: 'praise' } }),
      Voice.countDocuments({ ...inMonth, kind: { $ne: 'praise' }, status: { $in: ['resolved', 'closed'] } }),
      Voice.countDocuments({ ...inMonth, satisfaction: 'satisfied' }),
      Voice.countDocuments({ ...inMonth, satisfaction: 'unsatisfied' }),
      Voice.countDocuments({ ...inMonth, kind: 'praise' }),
    ]);
    out.push({ month: monthKey(start, tz), raised, handled, satisfied, unsatisfied, praise });
    start = monthBounds(new Date(start.getTime() - 1), tz).start;
  }
  return { compound: { id: compound._id, name: compound.name }, months: out };
}
