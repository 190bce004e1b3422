/** Meeting, order and cycle operations behind the routes: reads from Mongo, actions as workflow updates. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { formatLocal, localParts, monthKey, quarterKey } from '../domain/calendar';
import { timeZoneOf } from '../models/compound';
import { meetingSettingsWithCalendar } from '../activities/meetings';
import {
  DEFAULT_MEETING_SETTINGS,
  MEETING_LABELS,
  MEETING_SLUGS,
  meetingTypeOfSlug,
  meetingWorkflowId,
  type MeetingSettings,
  type MeetingType,
} from '../domain/meetings';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { Evaluation } from '../models/evaluation';
import { LedgerEntry } from '../models/ledger-entry';
import { User } from '../models/user';
import { Vote, voteId } from '../models/vote';
import { readMatterRows } from '../activities/projections';
import { VOTE_LABELS, type VoteChoice } from '../domain/votes';
import type { TemporalHandle } from '../client';
import { startAttributes } from '../temporal-search';
import {
  cycleWorkflowId,
  meetingStatusQuery,
  rectificationWorkflowId,
  type MeetingInput,
  type MeetingState,
  type RectificationState,
} from '../workflows/meeting-contract';
import { loadCompound } from './voices';
import { expandTexts } from './texts';

export function meetingSettingsOf(compound: { settings?: unknown }): MeetingSettings {
  const s = (compound.settings as { meetings?: Partial<MeetingSettings> } | undefined)?.meetings;
  return { ...DEFAULT_MEETING_SETTINGS, ...s };
}

export function parseMeetingType(slug: string): MeetingType {
  const type = meetingTypeOfSlug(slug);
  if (!type)
    throw new DomainError(
      'not_found',
      `没有这种会议：${slug}（可选：${Object.values(MEETING_SLUGS).join('、')}）`,
    );
  return type;
}

/** Starts the compound's self-continuing cycle of the four meetings; harmless if it already runs. */
export async function ensureCycle(temporal: TemporalHandle, compoundId: string): Promise<boolean> {
  await loadCompound(compoundId);
  const client = await temporal.client();
  try {
    await client.workflow.start('governanceCycle', {
      workflowId: cycleWorkflowId(compoundId),
      taskQueue: temporal.taskQueue,
      args: [{ compoundId }],
      ...(await startAttributes(client, { compoundId, kind: 'governanceCycle', status: 'running' })),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** An extraordinary meeting (临时会议) by hand: the same workflow as the period's, with its own dates. */
export async function triggerMeeting(
  temporal: TemporalHandle,
  compoundId: string,
  by: string,
  input: { type: MeetingType; reason: string; plannedAt: string; holdBy?: string; year?: number },
  now = new Date(),
) {
  const compound = await loadCompound(compoundId);
  const local = localParts(now, timeZoneOf(compound));
  if (input.year !== undefined && input.type !== 'annualEvaluation') {
    throw new DomainError('invalid', '只有年度评估会需要指定评估年度', { field: 'body.year' });
  }
  if (input.year !== undefined && input.year > local.year) {
    throw new DomainError('invalid', '评估年度不能在将来', { field: 'body.year' });
  }
  // An evaluation called in December rates this year; earlier in the year, the year before.
  const year =
    input.type === 'annualEvaluation'
      ? (input.year ?? (local.month === 12 ? local.year : local.year - 1))
      : undefined;
  const planned = Date.parse(input.plannedAt);
  if (planned <= now.getTime())
    throw new DomainError('invalid', '会议时间必须在将来', { field: 'body.plannedAt' });
  if (input.holdBy && Date.parse(input.holdBy) < planned) {
    throw new DomainError('invalid', '召开期限不能早于会议时间', { field: 'body.holdBy' });
  }
  const period = `extra-${monthKey(now, timeZoneOf(compound))}-${randomBytes(3).toString('hex')}`;
  const args: [MeetingInput] = [
    {
      compoundId,
      type: input.type,
      period,
      timeZone: timeZoneOf(compound),
      settings: meetingSettingsWithCalendar(compound, now),
      plannedAt: new Date(planned).toISOString(),
      holdBy: input.holdBy,
      extraordinary: { reason: input.reason, requestedBy: by },
      ...(year !== undefined ? { year } : {}),
    },
  ];
  const client = await temporal.client();
  await client.workflow.start(input.type, {
    workflowId: meetingWorkflowId(input.type, compoundId, period),
    taskQueue: temporal.taskQueue,
    args,
    ...(await startAttributes(client, { compoundId, kind: input.type, status: 'started' })),
  });
  return { id: meetingWorkflowId(input.type, compoundId, period), type: input.type, period };
}

export async function getMeeting(
  compoundId: string,
  type: MeetingType,
  period: string,
  temporal?: TemporalHandle,
) {
  const m = await Meeting.findOne({ _id: meetingWorkflowId(type, compoundId, period), compoundId }).lean();
  if (!m) throw new DomainError('not_found', `没有这次会议：${MEETING_LABELS[type]} ${period}`);
  let state = m.state as MeetingState;
  if (state.quarterly && state.status === 'voting' && temporal) {
    // Ballots are not saved with the meeting one by one: while voting, the workflow itself counts them.
    const live = await (
      await temporal.client()
    ).workflow
      .getHandle(m._id)
      .query(meetingStatusQuery)
      .catch(() => undefined);
    if (live) state = live;
  }
  if (state.quarterly) {
    const { votes: _votes, ...quarterly } = state.quarterly;
    state = { ...state, quarterly };
  }
  return expandTexts({ ...state, label: MEETING_LABELS[type] });
}

export async function listMeetings(
  compoundId: string,
  f: { type?: MeetingType; status?: string; page: number; pageSize: number },
) {
  // From the compound's matter page (settled first); the records are read by id for the page shown.
  const rows = (await readMatterRows(compoundId)).meetings
    .filter((m) => (!f.type || m.type === f.type) && (!f.status || m.status === f.status))
    .sort((a, b) => b.holdBy - a.holdBy || (a.id < b.id ? 1 : -1));
  const page = rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const items = (await Promise.all(page.map((r) => Meeting.findById(r.id, { state: 0 }).lean()))).flatMap(
    (m) => (m ? [m] : []),
  );
  return {
    items: items.map((m) => ({ ...m, id: m._id, label: MEETING_LABELS[m.type as MeetingType] })),
    total: rows.length,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** What is due and what is overdue now: the current period of each meeting and the open orders. */
export async function currentCycles(compoundId: string, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const tz = timeZoneOf(compound);
  const month = monthKey(now, tz);
  const current: Record<MeetingType, string> = {
    monthlyConsultation: month,
    periodicCoordination: month,
    quarterlyDeliberation: quarterKey(now, tz),
    annualEvaluation: month.slice(0, 4),
  };
  const matters = await readMatterRows(compoundId);
  const meetings = (
    await Promise.all(
      matters.meetings
        .filter((m) => m.status !== 'closed')
        .sort((a, b) => a.holdBy - b.holdBy)
        .map((r) => Meeting.findById(r.id, { state: 0 }).lean()),
    )
  ).flatMap((m) => (m ? [m] : []));
  const orders = (
    await Promise.all(
      matters.orders
        .filter((o) => o.status !== 'verified')
        .sort((a, b) => a.deadline - b.deadline)
        .map((r) => Rectification.findById(r.id, { state: 0 }).lean()),
    )
  ).flatMap((o) => (o ? [o] : []));
  return {
    compound: { id: compound._id, name: compound.name, timeZone: tz },
    now: now.toISOString(),
    current: (Object.keys(current) as MeetingType[]).map((type) => ({
      type,
      label: MEETING_LABELS[type],
      period: current[type],
      id: meetingWorkflowId(type, compoundId, current[type]),
    })),
    open: meetings.map((m) => ({
      id: m._id,
      type: m.type,
      label: MEETING_LABELS[m.type as MeetingType],
      period: m.period,
      status: m.status,
      plannedAt: m.plannedAt,
      holdBy: m.holdBy,
      overdue: m.overdue || (m.status !== 'held' && m.holdBy.getTime() < now.getTime()),
      escalationLevel: m.escalationLevel,
    })),
    orders: orders.map((o) => ({
      id: o._id,
      kind: o.kind,
      title: o.title,
      owner: o.owner,
      status: o.status,
      deadline: o.deadline,
      overdue: o.overdue || (o.status === 'open' && o.deadline.getTime() < now.getTime()),
    })),
  };
}

export async function listOrders(compoundId: string, f: { status?: string; page: number; pageSize: number }) {
  const rows = (await readMatterRows(compoundId)).orders
    .filter((o) => !f.status || o.status === f.status)
    .sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : 1));
  const page = rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const items = (await Promise.all(page.map((r) => Rectification.findById(r.id).lean()))).flatMap((o) =>
    o ? [o] : [],
  );
  return {
    items: await expandTexts(items.map((o) => ({ id: o._id, ...withProcedures(o) }))),
    total: rows.length,
  };
}

export async function findOrder(compoundId: string, orderId: string) {
  const o = await Rectification.findOne({ _id: orderId, compoundId }).lean();
  if (!o) throw new DomainError('not_found', '没有这项整改或决议');
  return rectificationWorkflowId(o._id);
}

const API = '/api/v1';

/** "monthly-consultation/dongshunyuan/2026-11" → the meeting's API path; undefined if not a meeting id. */
function meetingPath(compoundId: string, meetingId: string | undefined) {
  const [slug, compound, period] = meetingId?.split('/') ?? [];
  if (!slug || compound !== compoundId || !period || !meetingTypeOfSlug(slug)) return undefined;
  return `${API}/compounds/${compoundId}/meetings/${slug}/${period}`;
}

/**
 * Where to read more about an entry: its meeting, the votes on its motion, its order (with the
 * completion evidence and verification) and that order's own record, the voice it concerns.
 */
export function ledgerLinks(
  compoundId: string,
  e: { matterId: string; matterType: string; content?: unknown },
): Record<string, string> {
  const c = (e.content ?? {}) as {
    motionId?: string;
    orderId?: string;
    source?: { meetingId?: string; motionId?: string };
  };
  const base = `${API}/compounds/${compoundId}`;
  const links: Record<string, string> = {};
  const meeting = meetingPath(compoundId, e.matterType === 'meeting' ? e.matterId : c.source?.meetingId);
  if (meeting) links.meeting = meeting;
  const motionId = c.motionId ?? c.source?.motionId;
  if (meeting && motionId) {
    links.votes = `${meeting}/votes?motionId=${encodeURIComponent(motionId)}`;
    links.motionRecord = `${base}/ledger?motionId=${encodeURIComponent(motionId)}`;
  }
  const orderId = e.matterType === 'rectification' || e.matterType === 'resolution' ? e.matterId : c.orderId;
  if (orderId) {
    links.order = `${base}/rectifications/${encodeURIComponent(orderId)}`;
    links.orderRecord = `${base}/ledger?matterId=${encodeURIComponent(orderId)}`;
  }
  if (e.matterType === 'voice') links.voice = `${base}/voices/${encodeURIComponent(e.matterId)}`;
  return links;
}

/**
 * An order's state with every procedure agreed for it: those its workflow received, and those filed on
 * its record by a coordination meeting (also after it closed), once each, in order.
 */
function withProcedures(o: { state: unknown; procedures?: unknown }) {
  const state = o.state as RectificationState;
  const filed = Object.values(
    (o.procedures ?? {}) as Record<string, RectificationState['procedures'][number]>,
  );
  const byMeeting = new Map<string, RectificationState['procedures'][number]>();
  for (const p of [...(state.procedures ?? []), ...filed]) {
    if (!byMeeting.has(p.meetingId)) byMeeting.set(p.meetingId, { ...p, at: new Date(p.at).toISOString() });
  }
  return { ...state, procedures: [...byMeeting.values()].sort((a, b) => a.at.localeCompare(b.at)) };
}

/** One order or resolution: its state, with the completion evidence and the verification. */
export async function getOrder(compoundId: string, orderId: string) {
  const o = await Rectification.findOne({ _id: orderId, compoundId }).lean();
  if (!o) throw new DomainError('not_found', '没有这项整改或决议');
  const meeting = meetingPath(compoundId, o.source?.meetingId ?? undefined);
  return expandTexts({
    id: o._id,
    ...withProcedures(o),
    source: o.source,
    links: {
      ...(meeting ? { meeting } : {}),
      record: `${API}/compounds/${compoundId}/ledger?matterId=${encodeURIComponent(o._id)}`,
    },
  });
}

/** The open ballots of a meeting (optionally of one motion), with the voters' names. */
export async function meetingVotes(compoundId: string, type: MeetingType, period: string, motionId?: string) {
  const meeting = await getMeeting(compoundId, type, period); // 404 for another compound's meeting
  const meetingId = meetingWorkflowId(type, compoundId, period);
  // Each ballot by its id (meeting, motion, member): the roster and the motions say which can exist.
  const roster = meeting.quarterly?.roster ?? [];
  const motions = meeting.agenda.filter((i) => i.motion && (!motionId || i.id === motionId)).map((i) => i.id);
  const votes = (
    await Promise.all(
      motions.flatMap((mo) => roster.map((p) => Vote.findById(voteId(meetingId, mo, p.userId)).lean())),
    )
  )
    .flatMap((v) => (v ? [v] : []))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // Ballots cast before they were kept by id are found the old way (a scan, for those meetings only).
  if (!votes.length && meeting.quarterly?.votingOpenUntil) {
    votes.push(
      ...(await Vote.find({ meetingId, ...(motionId ? { motionId } : {}) })
        .sort({ at: 1 })
        .lean()),
    );
  }
  const users = await User.find(
    { _id: { $in: [...new Set(votes.map((v) => v.userId))] } },
    { name: 1 },
  ).lean();
  const names = new Map(users.map((u) => [u._id, u.name]));
  return {
    meetingId,
    items: votes.map((v) => ({
      motionId: v.motionId,
      userId: v.userId,
      name: names.get(v.userId),
      choice: v.choice,
      choiceLabel: VOTE_LABELS[v.choice as VoteChoice],
      at: v.at,
    })),
  };
}

export interface LedgerFilters {
  matterId?: string;
  /** A motion's whole record: its decision in the council and the life of the resolution it made. */
  motionId?: string;
  matterType?: string;
  event?: string;
  body?: string;
  from?: string;
  to?: string;
}

async function ledgerQuery(compoundId: string, f: LedgerFilters): Promise<Record<string, unknown>> {
  const q: Record<string, unknown> = { compoundId };
  if (f.matterId) q.matterId = f.matterId;
  if (f.motionId) {
    const resolutions = await Rectification.find(
      { compoundId, 'source.motionId': f.motionId },
      { _id: 1 },
    ).lean();
    q.$or = [{ 'content.motionId': f.motionId }, { matterId: { $in: resolutions.map((r) => r._id) } }];
  }
  if (f.matterType) q.matterType = f.matterType;
  if (f.event) q.event = f.event;
  if (f.body) q.bodies = f.body;
  if (f.from || f.to) {
    const at: Record<string, Date> = {};
    if (f.from) at.$gte = new Date(f.from);
    if (f.to) at.$lt = new Date(f.to);
    q.at = at;
  }
  return q;
}

/** One matter's whole life, a period, or a kind of matter, in chain order (一事一记，一时一记). */
export async function ledgerOf(compoundId: string, f: LedgerFilters & { page: number; pageSize: number }) {
  const q = await ledgerQuery(compoundId, f);
  const items = await LedgerEntry.find(q)
    .sort({ seq: 1 })
    .skip((f.page - 1) * f.pageSize)
    .limit(f.pageSize)
    .lean();
  return {
    items: items.map((e) => ({
      seq: e.seq,
      id: e._id,
      matterId: e.matterId,
      matterType: e.matterType,
      event: e.event,
      at: e.at,
      actor: e.actor?.name,
      summary: e.summary,
      hash: e.hash,
      links: ledgerLinks(compoundId, e),
    })),
    total: await LedgerEntry.countDocuments(q),
    page: f.page,
    pageSize: f.pageSize,
  };
}

const MATTER_LABELS: Record<string, string> = {
  meeting: '会议',
  disposition: '处理意见',
  rectification: '整改',
  resolution: '决议执行',
  motion: '议案',
  evaluation: '年度评估',
  voice: '居民反映',
};

const LEDGER_COLUMNS = ['序号', '时间', '事项类型', '事项编号', '事件', '经办人', '摘要', '本条哈希'];

type LedgerRowSource = {
  seq: number;
  at: Date;
  matterType: string;
  matterId: string;
  event: string;
  actor?: { name?: string | null } | null;
  summary: string;
  hash: string;
};

/** One ledger row as people read it, for the CSV and XLSX exports alike. */
function ledgerRow(e: LedgerRowSource, timeZone: string): (string | number)[] {
  return [
    e.seq,
    formatLocal(e.at, timeZone),
    MATTER_LABELS[e.matterType] ?? e.matterType,
    e.matterId,
    e.event,
    e.actor?.name ?? '',
    e.summary,
    e.hash,
  ];
}

/**
 * The ledger as an Excel workbook, written with exceljs's streaming writer: rows are committed as
 * they come from the cursor, so memory stays flat however long the ledger is.
 */
export async function writeLedgerXlsx(compoundId: string, f: LedgerFilters, timeZone: string, out: Writable) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet('监事会记实');
  const widths = [8, 18, 10, 36, 16, 12, 60, 20];
  sheet.columns = LEDGER_COLUMNS.map((header, i) => ({ header, key: String(i), width: widths[i] }));
  const cursor = LedgerEntry.find(await ledgerQuery(compoundId, f))
    .sort({ seq: 1 })
    .lean()
    .cursor();
  try {
    for await (const e of cursor) {
      // The client went away: stop reading the ledger (nothing would ever consume the rest).
      if (out.destroyed) return;
      sheet.addRow(ledgerRow(e, timeZone)).commit();
      if (out.writableNeedDrain) await drainedOrClosed(out);
    }
  } finally {
    await cursor.close();
  }
  if (out.destroyed) return;
  sheet.commit();
  await workbook.commit();
}

/** Resolves when the stream can take more, or when it closed (an aborted download never drains). */
function drainedOrClosed(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

const csvCell = (v: unknown) => {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The ledger as CSV with Chinese headers, written row by row from a database cursor, so a large
 * compound's export never sits in memory. Starts with a BOM so Excel reads it as UTF-8.
 */
export async function writeLedgerCsv(compoundId: string, f: LedgerFilters, timeZone: string, out: Writable) {
  const write = async (line: string) => {
    if (!out.write(line)) await drainedOrClosed(out);
  };
  await write('\uFEFF' + LEDGER_COLUMNS.join(',') + '\r\n');
  const cursor = LedgerEntry.find(await ledgerQuery(compoundId, f))
    .sort({ seq: 1 })
    .lean()
    .cursor();
  try {
    for await (const e of cursor) {
      // The client went away: stop, and the cursor is closed below instead of waiting for a drain.
      if (out.destroyed) return;
      await write(ledgerRow(e, timeZone).map(csvCell).join(',') + '\r\n');
    }
  } finally {
    await cursor.close();
  }
}

export async function publishedEvaluations(compoundId: string) {
  return Evaluation.find({ compoundId }).sort({ year: -1 }).lean();
}
