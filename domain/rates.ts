/**
 * The rates used in Chinese complaint handling, defined once (docs/rules.md, "The rates"):
 * - 响应率 response rate: voices (not praise) raised in the period whose first response (accept or
 *   resolve) came before the acknowledgement deadline without escalation ÷ voices raised.
 * - 解决率 resolution rate: voices raised in the period that are resolved or closed after a result ÷ voices raised.
 * - 满意率 satisfaction rate: "satisfied" ÷ voices with the resident's verdict, raised in the period.
 * - on-time rectification rate: orders and resolutions due in the period completed by their deadline ÷ orders due.
 * - meetings-held-on-time rate: meetings due in the period held by their deadline without escalation ÷ meetings due.
 * Each is undefined when its denominator is zero. Pure: counts in, rates out.
 */
import { monthKey, zonedTime } from './calendar';
import { DomainError } from './errors';

export interface VoiceGroup {
  assignee: string;
  category: string;
  /** Whom the voice is about (absent for voices kept before subjects were). */
  subject?: string | null;
  status: string;
  satisfaction?: string | null;
  respondedOnTime?: boolean | null;
  count: number;
}
export interface OrderGroup {
  owner: string;
  status: string;
  onTime?: boolean | null;
  count: number;
}
export interface MeetingGroup {
  type: string;
  heldOnTime?: boolean | null;
  count: number;
}

export interface RateSet {
  voices: number;
  responseRate?: number;
  resolutionRate?: number;
  satisfactionRate?: number;
  orders: number;
  onTimeRectificationRate?: number;
  meetings: number;
  meetingsOnTimeRate?: number;
}

const ratio = (n: number, d: number) => (d > 0 ? n / d : undefined);

/**
 * What the rates need of a set of groups, summed per body and category (voices), owner (orders) and
 * meeting type: the numerators and denominators. Small enough to store per compound and month.
 */
export interface VoiceTally {
  assignee: string;
  category: string;
  subject?: string | null;
  voices: number;
  responded: number;
  resolved: number;
  satisfied: number;
  verdicts: number;
}
export interface OrderTally {
  owner: string;
  orders: number;
  onTime: number;
}
export interface MeetingTally {
  type: string;
  meetings: number;
  onTime: number;
}
export interface RateTallies {
  voices: VoiceTally[];
  orders: OrderTally[];
  meetings: MeetingTally[];
}

function sumBy<T>(rows: T[], key: (r: T) => string, add: (into: T, r: T) => void): T[] {
  const by = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    const into = by.get(k);
    if (into) add(into, r);
    else by.set(k, { ...r });
  }
  return [...by.values()];
}

/** Sums tallies (of several months or compounds) per body and category, owner and meeting type. */
export function mergeTallies(parts: RateTallies[]): RateTallies {
  return {
    voices: sumBy(
      parts.flatMap((p) => p.voices),
      (v) => `${v.assignee}\u0000${v.category}\u0000${v.subject ?? ''}`,
      (a, b) => {
        a.voices += b.voices;
        a.responded += b.responded;
        a.resolved += b.resolved;
        a.satisfied += b.satisfied;
        a.verdicts += b.verdicts;
      },
    ),
    orders: sumBy(
      parts.flatMap((p) => p.orders),
      (o) => o.owner,
      (a, b) => {
        a.orders += b.orders;
        a.onTime += b.onTime;
      },
    ),
    meetings: sumBy(
      parts.flatMap((p) => p.meetings),
      (m) => m.type,
      (a, b) => {
        a.meetings += b.meetings;
        a.onTime += b.onTime;
      },
    ),
  };
}

/** The definitions of the rates' numerators, applied to counted groups. */
export function tally({ voices, orders, meetings }: RateCounts): RateTallies {
  return mergeTallies([
    {
      voices: voices.map((g) => ({
        assignee: g.assignee,
        category: g.category,
        subject: g.subject ?? null,
        voices: g.count,
        responded: g.respondedOnTime ? g.count : 0,
        resolved: g.status === 'resolved' || g.status === 'closed' ? g.count : 0,
        satisfied: g.satisfaction === 'satisfied' ? g.count : 0,
        verdicts: g.satisfaction === 'satisfied' || g.satisfaction === 'unsatisfied' ? g.count : 0,
      })),
      orders: orders.map((g) => ({
        owner: g.owner,
        orders: g.count,
        onTime: g.status !== 'open' && g.onTime === true ? g.count : 0,
      })),
      meetings: meetings.map((g) => ({
        type: g.type,
        meetings: g.count,
        onTime: g.heldOnTime === true ? g.count : 0,
      })),
    },
  ]);
}

/** The voice figures of some tallies, summed: what every voice rate (and the annual record) divides. */
export function sumVoiceTallies(
  tallies: VoiceTally[],
): Omit<VoiceTally, 'assignee' | 'category' | 'subject'> {
  const t = { voices: 0, responded: 0, resolved: 0, satisfied: 0, verdicts: 0 };
  for (const v of tallies) {
    t.voices += v.voices;
    t.responded += v.responded;
    t.resolved += v.resolved;
    t.satisfied += v.satisfied;
    t.verdicts += v.verdicts;
  }
  return t;
}

export function voiceRates(
  tallies: VoiceTally[],
): Pick<RateSet, 'voices' | 'responseRate' | 'resolutionRate' | 'satisfactionRate'> {
  const t = sumVoiceTallies(tallies);
  return {
    voices: t.voices,
    responseRate: ratio(t.responded, t.voices),
    resolutionRate: ratio(t.resolved, t.voices),
    satisfactionRate: ratio(t.satisfied, t.verdicts),
  };
}

export function orderRates(tallies: OrderTally[]): Pick<RateSet, 'orders' | 'onTimeRectificationRate'> {
  const total = tallies.reduce((n, t) => n + t.orders, 0);
  const onTime = tallies.reduce((n, t) => n + t.onTime, 0);
  return { orders: total, onTimeRectificationRate: ratio(onTime, total) };
}

export function meetingRates(tallies: MeetingTally[]): Pick<RateSet, 'meetings' | 'meetingsOnTimeRate'> {
  const total = tallies.reduce((n, t) => n + t.meetings, 0);
  const onTime = tallies.reduce((n, t) => n + t.onTime, 0);
  return { meetings: total, meetingsOnTimeRate: ratio(onTime, total) };
}

/**
 * Tallies as one compact string, for the counters: a county's rates read thousands of these, and one
 * string is what every MongoDB-wire server decodes fastest.
 */
export function packTallies(t: RateTallies): string {
  return JSON.stringify([
    t.voices.map((v) => [
      v.assignee,
      v.category,
      v.voices,
      v.responded,
      v.resolved,
      v.satisfied,
      v.verdicts,
      v.subject ?? null,
    ]),
    t.orders.map((o) => [o.owner, o.orders, o.onTime]),
    t.meetings.map((m) => [m.type, m.meetings, m.onTime]),
  ]);
}

export function unpackTallies(packed: string): RateTallies {
  const [v, o, m] = JSON.parse(packed) as [
    [string, string, number, number, number, number, number, (string | null)?][],
    [string, number, number][],
    [string, number, number][],
  ];
  return {
    voices: v.map(([assignee, category, voices, responded, resolved, satisfied, verdicts, subject]) => ({
      assignee,
      subject: subject ?? null,
      category,
      voices,
      responded,
      resolved,
      satisfied,
      verdicts,
    })),
    orders: o.map(([owner, orders, onTime]) => ({ owner, orders, onTime })),
    meetings: m.map(([type, meetings, onTime]) => ({ type, meetings, onTime })),
  };
}

/** "2026-11", "2026-Q4" or "2026" → its local [start, end). */
export function periodBounds(
  period: string,
  timeZone: string,
): { start: Date; end: Date; kind: 'month' | 'quarter' | 'year' } {
  let m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return {
      start: zonedTime(timeZone, y, mo, 1),
      end: zonedTime(timeZone, mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, 1),
      kind: 'month',
    };
  }
  m = /^(\d{4})-Q([1-4])$/.exec(period);
  if (m) {
    const y = Number(m[1]);
    const first = (Number(m[2]) - 1) * 3 + 1;
    return {
      start: zonedTime(timeZone, y, first, 1),
      end: zonedTime(timeZone, first + 3 > 12 ? y + 1 : y, first + 3 > 12 ? 1 : first + 3, 1),
      kind: 'quarter',
    };
  }
  m = /^(\d{4})$/.exec(period);
  if (m) {
    const y = Number(m[1]);
    return { start: zonedTime(timeZone, y, 1, 1), end: zonedTime(timeZone, y + 1, 1, 1), kind: 'year' };
  }
  throw new DomainError('invalid', `期间格式无效：${period}（应为 2026-11、2026-Q4 或 2026）`, {
    field: 'query.period',
  });
}

/** The local months ("2026-11") a period ("2026-11", "2026-Q4", "2026") covers, in order. */
export function periodMonths(period: string): string[] {
  periodBounds(period, 'UTC'); // validates, with the same message
  const [y, rest] = period.split('-');
  const first =
    rest === undefined ? 1 : rest.startsWith('Q') ? (Number(rest.slice(1)) - 1) * 3 + 1 : Number(rest);
  const n = rest === undefined ? 12 : rest.startsWith('Q') ? 3 : 1;
  return Array.from({ length: n }, (_, i) => `${y}-${String(first + i).padStart(2, '0')}`);
}

/*
 * Rate counters. Every voice, order and meeting is a member of one bucket, its compound's local month
 * (of the voice's raising, the order's deadline, the meeting's hold-by date), under a code naming the
 * group it counts in. A bucket's counts are folded from its members, so a change is moving one member,
 * which is idempotent; the rates then read a few small documents instead of scanning the records.
 */
export type RateMemberKind = 'voice' | 'order' | 'meeting';
export interface RatePosition {
  month: string;
  code: string;
}

export function voiceRatePosition(
  v: {
    kind: string;
    createdAt: Date;
    assignee: string;
    category: string;
    status: string;
    satisfaction?: string | null;
    respondedOnTime?: boolean | null;
    subject?: string | null;
  },
  timeZone: string,
): RatePosition | null {
  if (v.kind === 'praise') return null; // praise is not a matter to respond to
  return {
    month: monthKey(v.createdAt, timeZone),
    code: JSON.stringify([
      'v',
      v.assignee,
      v.category,
      v.status,
      v.satisfaction ?? null,
      v.respondedOnTime ?? null,
      v.subject ?? null,
    ]),
  };
}

export function orderRatePosition(
  o: { deadline: Date; owner: string; status: string; onTime?: boolean | null },
  timeZone: string,
): RatePosition {
  return {
    month: monthKey(o.deadline, timeZone),
    code: JSON.stringify(['o', o.owner, o.status, o.onTime ?? null]),
  };
}

export function meetingRatePosition(
  m: { holdBy: Date; type: string; heldOnTime?: boolean | null },
  timeZone: string,
): RatePosition {
  return { month: monthKey(m.holdBy, timeZone), code: JSON.stringify(['m', m.type, m.heldOnTime ?? null]) };
}

export interface RateCounts {
  voices: VoiceGroup[];
  orders: OrderGroup[];
  meetings: MeetingGroup[];
}

/** Folds member codes into group counts (what a bucket stores for the rates to read). */
export function countMembers(codes: Iterable<string>): RateCounts {
  const tally = new Map<string, number>();
  for (const c of codes) tally.set(c, (tally.get(c) ?? 0) + 1);
  const out: RateCounts = { voices: [], orders: [], meetings: [] };
  for (const [code, count] of [...tally].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const f = JSON.parse(code) as unknown[];
    if (f[0] === 'v') {
      out.voices.push({
        assignee: f[1] as string,
        category: f[2] as string,
        status: f[3] as string,
        satisfaction: f[4] as string | null,
        respondedOnTime: f[5] as boolean | null,
        subject: (f[6] as string | null | undefined) ?? null,
        count,
      });
    } else if (f[0] === 'o') {
      out.orders.push({
        owner: f[1] as string,
        status: f[2] as string,
        onTime: f[3] as boolean | null,
        count,
      });
    } else if (f[0] === 'm') {
      out.meetings.push({ type: f[1] as string, heldOnTime: f[2] as boolean | null, count });
    }
  }
  return out;
}

/** A member's key inside a bucket document: field names may not hold "." or start with "$". */
export function rateMemberKey(kind: RateMemberKind, id: string): string {
  return `${kind[0]}:${id.replace(/[%.$]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`)}`;
}

/** The bucket of a compound's month: "dongshunyuan/2026-11". */
export function rateBucketId(compoundId: string, month: string): string {
  return `${compoundId}/${month}`;
}
