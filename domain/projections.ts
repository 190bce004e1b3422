/**
 * The read projections every list and rate reads (docs/performance.md): one page per compound
 * and local month holding a compact row per voice, and one page per compound holding a row per meeting
 * and per order. A row carries what lists filter and sort on and what the rates count; the pages are
 * kept by one folder per compound from the records themselves, so they are always a function of them.
 * Pure: rows in, rows out.
 */
import { monthKey } from './calendar';
import { tally, type MeetingGroup, type OrderGroup, type RateTallies, type VoiceGroup } from './rates';

export interface VoiceRow {
  id: string;
  createdAt: number;
  updatedAt: number;
  kind: string;
  channel: string;
  category: string;
  subject: string | null;
  status: string;
  assignee: string;
  responsible: string | null;
  level: number;
  overdue: boolean;
  acknowledgeBy: number | null;
  resolveBy: number | null;
  buildingId: string | null;
  submittedBy: string;
  enteredBy: string | null;
  anonymous: boolean;
  satisfaction: string | null;
  respondedOnTime: boolean | null;
  handledBy: string | null;
  /** The monthly consultation that took it up. */
  consultedIn: string | null;
}

export interface MeetingRow {
  id: string;
  type: string;
  period: string;
  status: string;
  plannedAt: number;
  holdBy: number;
  heldOnTime: boolean | null;
  overdue: boolean;
  level: number;
}

export interface OrderRow {
  id: string;
  kind: string;
  owner: string;
  status: string;
  deadline: number;
  onTime: boolean | null;
  overdue: boolean;
  level: number;
  createdAt: number;
}

const VOICE_FIELDS: (keyof VoiceRow)[] = [
  'id',
  'createdAt',
  'updatedAt',
  'kind',
  'channel',
  'category',
  'subject',
  'status',
  'assignee',
  'responsible',
  'level',
  'overdue',
  'acknowledgeBy',
  'resolveBy',
  'buildingId',
  'submittedBy',
  'enteredBy',
  'anonymous',
  'satisfaction',
  'respondedOnTime',
  'handledBy',
  'consultedIn',
];
const MEETING_FIELDS: (keyof MeetingRow)[] = [
  'id',
  'type',
  'period',
  'status',
  'plannedAt',
  'holdBy',
  'heldOnTime',
  'overdue',
  'level',
];
const ORDER_FIELDS: (keyof OrderRow)[] = [
  'id',
  'kind',
  'owner',
  'status',
  'deadline',
  'onTime',
  'overdue',
  'level',
  'createdAt',
];

/** Rows as one string of arrays (what every MongoDB-wire server stores and returns fastest). */
function pack<T>(rows: T[], fields: (keyof T)[]): string {
  return JSON.stringify(rows.map((r) => fields.map((f) => r[f] ?? null)));
}
function unpack<T>(packed: string | undefined | null, fields: (keyof T)[]): T[] {
  if (!packed) return [];
  return (JSON.parse(packed) as unknown[][]).map(
    (a) => Object.fromEntries(fields.map((f, i) => [f, a[i] ?? null])) as T,
  );
}
export const packVoiceRows = (rows: VoiceRow[]) => pack(rows, VOICE_FIELDS);
export const unpackVoiceRows = (s: string | undefined | null) => unpack<VoiceRow>(s, VOICE_FIELDS);
export const packMeetingRows = (rows: MeetingRow[]) => pack(rows, MEETING_FIELDS);
export const unpackMeetingRows = (s: string | undefined | null) => unpack<MeetingRow>(s, MEETING_FIELDS);
export const packOrderRows = (rows: OrderRow[]) => pack(rows, ORDER_FIELDS);
export const unpackOrderRows = (s: string | undefined | null) => unpack<OrderRow>(s, ORDER_FIELDS);

const ms = (d: Date | string | number | null | undefined) =>
  d === null || d === undefined ? null : new Date(d).getTime();

/** A voice record (as stored) as its row. */
export function voiceRowOf(
  v: {
    _id: string;
    createdAt: Date;
    updatedAt?: Date;
    kind: string;
    channel: string;
    category: string;
    subject?: string | null;
    status?: string | null;
    assignee: string;
    responsible?: string | null;
    escalationLevel?: number | null;
    overdue?: boolean | null;
    acknowledgeBy?: Date | null;
    resolveBy?: Date | null;
    buildingId?: string | null;
    submittedBy: string;
    enteredBy?: string | null;
    anonymous?: boolean | null;
    satisfaction?: string | null;
    respondedOnTime?: boolean | null;
    handledBy?: string | null;
  },
  consultedIn: string | null,
): VoiceRow {
  return {
    id: v._id,
    createdAt: v.createdAt.getTime(),
    updatedAt: (v.updatedAt ?? v.createdAt).getTime(),
    kind: v.kind,
    channel: v.channel,
    category: v.category,
    subject: v.subject ?? null,
    status: v.status ?? 'received',
    assignee: v.assignee,
    responsible: v.responsible ?? null,
    level: v.escalationLevel ?? 0,
    overdue: v.overdue ?? false,
    acknowledgeBy: ms(v.acknowledgeBy),
    resolveBy: ms(v.resolveBy),
    buildingId: v.buildingId ?? null,
    submittedBy: v.submittedBy,
    enteredBy: v.enteredBy ?? null,
    anonymous: v.anonymous ?? false,
    satisfaction: v.satisfaction ?? null,
    respondedOnTime: v.respondedOnTime ?? null,
    handledBy: v.handledBy ?? null,
    consultedIn,
  };
}

export function meetingRowOf(m: {
  _id: string;
  type: string;
  period: string;
  status: string;
  plannedAt: Date;
  holdBy: Date;
  heldOnTime?: boolean | null;
  overdue?: boolean | null;
  escalationLevel?: number | null;
}): MeetingRow {
  return {
    id: m._id,
    type: m.type,
    period: m.period,
    status: m.status,
    plannedAt: m.plannedAt.getTime(),
    holdBy: m.holdBy.getTime(),
    heldOnTime: m.heldOnTime ?? null,
    overdue: m.overdue ?? false,
    level: m.escalationLevel ?? 0,
  };
}

export function orderRowOf(o: {
  _id: string;
  kind: string;
  owner: string;
  status: string;
  deadline: Date;
  onTime?: boolean | null;
  overdue?: boolean | null;
  escalationLevel?: number | null;
  createdAt?: Date;
}): OrderRow {
  return {
    id: o._id,
    kind: o.kind,
    owner: o.owner,
    status: o.status,
    deadline: o.deadline.getTime(),
    onTime: o.onTime ?? null,
    overdue: o.overdue ?? false,
    level: o.escalationLevel ?? 0,
    createdAt: (o.createdAt ?? o.deadline).getTime(),
  };
}

/** Rows grouped by a key, each group with one of its rows and its size. */
function groups<T>(rows: T[], key: (r: T) => unknown[]): { row: T; n: number }[] {
  const by = new Map<string, { row: T; n: number }>();
  for (const r of rows) {
    const k = JSON.stringify(key(r));
    const g = by.get(k);
    if (g) g.n++;
    else by.set(k, { row: r, n: 1 });
  }
  return [...by.values()];
}

/** The rate tallies of a compound's local month, from its voice rows and the orders and meetings due in it. */
export function monthTallies(
  month: string,
  timeZone: string,
  voices: VoiceRow[],
  meetings: MeetingRow[],
  orders: OrderRow[],
): RateTallies {
  const inMonth = (t: number) => monthKey(new Date(t), timeZone) === month;
  const vs = voices.filter((v) => v.kind !== 'praise' && inMonth(v.createdAt));
  const voiceGroups: VoiceGroup[] = groups(vs, (r) => [
    r.assignee,
    r.category,
    r.status,
    r.satisfaction,
    r.respondedOnTime,
    r.subject,
  ]).map(({ row: r, n }) => ({
    assignee: r.assignee,
    category: r.category,
    status: r.status,
    satisfaction: r.satisfaction,
    respondedOnTime: r.respondedOnTime,
    subject: r.subject,
    count: n,
  }));
  const orderGroups: OrderGroup[] = groups(
    orders.filter((o) => inMonth(o.deadline)),
    (r) => [r.owner, r.status, r.onTime],
  ).map(({ row: r, n }) => ({ owner: r.owner, status: r.status, onTime: r.onTime, count: n }));
  const meetingGroups: MeetingGroup[] = groups(
    meetings.filter((m) => inMonth(m.holdBy)),
    (r) => [r.type, r.heldOnTime],
  ).map(({ row: r, n }) => ({ type: r.type, heldOnTime: r.heldOnTime, count: n }));
  return tally({ voices: voiceGroups, orders: orderGroups, meetings: meetingGroups });
}

/** The voice page a row lives in: "dongshunyuan/2026-11". */
export function voicePageId(compoundId: string, createdAt: Date, timeZone: string): string {
  return `${compoundId}/${monthKey(createdAt, timeZone)}`;
}

/** Replaces (or adds) rows by id, newest first by `sortKey`. */
export function upsertRows<T extends { id: string }>(rows: T[], changed: T[], removed: string[] = []): T[] {
  const by = new Map(rows.map((r) => [r.id, r]));
  for (const id of removed) by.delete(id);
  for (const r of changed) by.set(r.id, r);
  return [...by.values()];
}
