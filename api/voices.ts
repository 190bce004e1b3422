/**
 * Voice operations behind the routes: reads (from the compound's projections, who sees what) and the
 * actions that go to the voice's workflow as Temporal updates. Intake is api/intake.ts.
 */
import type { Client } from '@temporalio/client';
import { DomainError } from '../domain/errors';
import { periodBounds } from '../domain/rates';
import { monthBounds, monthKey } from '../domain/calendar';
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
  escalationLadder,
  maskName,
  maskPersonalData,
  mayHandleVoice,
  type Category,
  type Channel,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceSettings,
  type VoiceStatus,
  type VoiceSubject,
} from '../domain/voices';
import { Compound, timeZoneOf } from '../models/compound';
import { Voice, type VoiceDoc } from '../models/voice';
import { readVoiceRows } from '../activities/projections';
import type { VoiceRow } from '../domain/projections';
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
} from '../workflows/contract';
import type { TemporalHandle } from '../client';

type VoiceRecord = VoiceDoc & { _id: string; createdAt: Date; updatedAt: Date };
export type CompoundRecord = Awaited<ReturnType<typeof loadCompound>>;

type CompoundDocument = NonNullable<Awaited<ReturnType<typeof readCompound>>>;
const readCompound = (id: string) => Compound.findById(id).lean();
/**
 * Compounds as requests need them, kept a few seconds (every request of a burst reads the same one);
 * this process forgets one as soon as it changes it (forgetCompound).
 */
const COMPOUND_TTL_MS = 3_000;
const compounds = new Map<string, { at: number; compound: CompoundDocument }>();

export async function loadCompound(compoundId: string): Promise<CompoundDocument> {
  const hit = compounds.get(compoundId);
  if (hit && Date.now() - hit.at < COMPOUND_TTL_MS) return hit.compound;
  const compound = await readCompound(compoundId);
  if (!compound) throw new DomainError('not_found', `没有这个小区：${compoundId}`);
  if (compounds.size > 5_000) compounds.clear();
  compounds.set(compoundId, { at: Date.now(), compound });
  return compound;
}

export function forgetCompound(compoundId: string): void {
  compounds.delete(compoundId);
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

/**
 * A page of a compound's voices, filtered and newest first, from its voice pages (activities/
 * projections.ts: settled first, so never behind the records) — the records themselves are read by id,
 * for the page shown only.
 */
export async function listVoices(compoundId: string, viewer: Viewer, f: VoiceFilters, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const all = rolesGrant(viewer.roles, 'voice:readAll');
  const t = now.getTime();
  const overdueNow = (r: VoiceRow) =>
    r.overdue ||
    (r.status === 'assigned' && r.acknowledgeBy !== null && r.acknowledgeBy < t) ||
    (r.status === 'inProgress' && r.resolveBy !== null && r.resolveBy < t);
  const rows = (await readVoiceRows(compoundId)).filter(
    (r) =>
      // A resident's own voices: those they raised, and those they entered for someone else.
      (all || r.submittedBy === viewer.id || r.enteredBy === viewer.id) &&
      (!f.status || r.status === f.status) &&
      (!f.assignee || r.assignee === f.assignee) &&
      (!f.responsible || r.responsible === f.responsible) &&
      (!f.kind || r.kind === f.kind) &&
      (!f.category || r.category === f.category) &&
      (f.overdue === undefined || overdueNow(r) === f.overdue),
  );
  const page = rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const items = await recordsOf(page);
  return {
    items: items.map((v) => voiceView(v, viewer, compound)),
    page: f.page,
    pageSize: f.pageSize,
    total: rows.length,
  };
}

/**
 * Records as lists show them, kept between requests while their row still names them: every write of a
 * voice moves its updatedAt and marks it, and lists read rows settled after those marks, so a record is
 * read again exactly when its row moved. FerretDB v1 looks up one document per query (only an `_id`
 * equality reaches SQLite; `$in` scans the collection), so a page of 20 was 20 lookups of whole voices.
 * The objects are shared between requests: nothing may change them.
 */
const RECORDS_KEPT = 50_000;
const records = new Map<string, VoiceRecord>();

/** The records of some voices, in the order of their rows (those that exist). */
async function recordsOf(rows: VoiceRow[]): Promise<VoiceRecord[]> {
  const docs = await Promise.all(
    rows.map(async (r) => {
      const hit = records.get(r.id);
      if (hit && (hit.updatedAt ?? hit.createdAt)?.getTime() === r.updatedAt) return hit;
      const v = await Voice.findById(r.id).lean<VoiceRecord>();
      if (v) {
        if (records.size >= RECORDS_KEPT) records.delete(records.keys().next().value!);
        records.set(r.id, v);
      }
      return v;
    }),
  );
  return docs.flatMap((d) => (d ? [d] : []));
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
  const tz = timeZoneOf(compound);
  const shown = f.status ? [f.status] : ['resolved', 'closed', 'published'];
  const month = f.month ? periodBounds(f.month, tz) : undefined;
  const rows = (await readVoiceRows(compoundId, f.month ? [f.month] : undefined))
    .filter(
      (r) =>
        shown.includes(r.status) &&
        (!f.kind || r.kind === f.kind) &&
        (!f.category || r.category === f.category) &&
        // The compound's local month, not UTC's (its bounds, not a calendar lookup per row).
        (!month || (r.createdAt >= month.start.getTime() && r.createdAt < month.end.getTime())),
    )
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1));
  const total = rows.length;
  const items = await recordsOf(rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize));
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
 * local months, counted in one pass over those months' rows.
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
  // The months asked for, newest first, by their local bounds: one comparison a row, and only their pages.
  const bounds: { month: string; start: number; end: number }[] = [];
  let start = monthBounds(now, tz).start;
  for (let i = 0; i < months; i++) {
    const b = monthBounds(start, tz);
    bounds.push({ month: monthKey(start, tz), start: b.start.getTime(), end: b.end.getTime() });
    start = monthBounds(new Date(start.getTime() - 1), tz).start;
  }
  for (const b of bounds)
    out.push({ month: b.month, raised: 0, handled: 0, satisfied: 0, unsatisfied: 0, praise: 0 });
  const rows = await readVoiceRows(
    compoundId,
    bounds.map((b) => b.month),
  );
  for (const r of rows) {
    const m = bounds.findIndex((b) => r.createdAt >= b.start && r.createdAt < b.end);
    if (m < 0) continue;
    const o = out[m]!;
    if (r.kind === 'praise') o.praise++;
    else {
      o.raised++;
      if (r.status === 'resolved' || r.status === 'closed') o.handled++;
    }
    if (r.satisfaction === 'satisfied') o.satisfied++;
    else if (r.satisfaction === 'unsatisfied') o.unsatisfied++;
  }
  return { compound: { id: compound._id, name: compound.name }, months: out };
}
