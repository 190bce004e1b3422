/** The supervisory ledger (监事会记实) as officers read and export it. */
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { formatLocal } from '../../domain/calendar';
import { LedgerEntry } from '../../models/ledger-entry';
import { Rectification } from '../../models/rectification';
import { API, meetingPath } from '../links';

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
  apiKey: '外部系统密钥',
  partyMember: '党员排查联系',
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
/** The entries an export writes, in order, read one by one (an export may be the whole ledger). */
async function ledgerCursor(compoundId: string, f: LedgerFilters) {
  return LedgerEntry.find(await ledgerQuery(compoundId, f))
    .sort({ seq: 1 })
    .lean()
    .cursor();
}

export async function writeLedgerXlsx(compoundId: string, f: LedgerFilters, timeZone: string, out: Writable) {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = workbook.addWorksheet('监事会记实');
  const widths = [8, 18, 10, 36, 16, 12, 60, 20];
  sheet.columns = LEDGER_COLUMNS.map((header, i) => ({ header, key: String(i), width: widths[i] }));
  const cursor = await ledgerCursor(compoundId, f);
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
  const cursor = await ledgerCursor(compoundId, f);
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
