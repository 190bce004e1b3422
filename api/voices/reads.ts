/**
 * Voices as people read them: pages from the compound's projections, and who sees what of each
 * (DOMAIN.md "Privacy"). What people do to a voice is services/voice-actions.ts; intake services/intake.ts.
 */
import { isStaff } from '../../domain/bodies';
import { DomainError } from '../../domain/errors';
import { maskedSummary } from '../../domain/privacy';
import { rolesGrant, type Role } from '../../domain/roles';
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  SUBJECT_LABELS,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
  escalationLadder,
  maskName,
  maskPersonalData,
  type Category,
  type Channel,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceStatus,
  type VoiceSubject,
} from '../../domain/voices';
import { Voice, type VoiceDoc } from '../../models/voice';
import { readVoiceRows } from '../../activities/projections';
import type { VoiceRow } from '../../domain/projections';
import { loadCompound, staffSeeAnonymousAuthors } from '../../services/compounds';
import { hotlineVoiceId } from '../../services/intake';
import { findVoice } from '../../services/voice-actions';

type VoiceRecord = VoiceDoc & { _id: string; createdAt: Date; updatedAt: Date };

export interface VoiceFilters {
  status?: VoiceStatus;
  overdue?: boolean;
  assignee?: ResponsibleBody;
  responsible?: ResponsibleBody;
  kind?: VoiceKind;
  category?: Category;
  workOrderNo?: string;
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
  if (isStaff(viewer.roles)) return 'handler';
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
  // A work order names one voice: its id is made from the number (services/intake.ts).
  const byWorkOrder = f.workOrderNo ? hotlineVoiceId(compoundId, f.workOrderNo) : undefined;
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
      (!byWorkOrder || r.id === byWorkOrder) &&
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
export async function recordsOf(rows: VoiceRow[]): Promise<VoiceRecord[]> {
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
    // The work order leads to the caller at 12345: for the author and the handlers, as the text is.
    hotline: seesText ? v.hotline : undefined,
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

export type { VoiceRecord };
