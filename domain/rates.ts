/**
 * The rates used in Chinese complaint handling, defined once (README "The rates"):
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

export function voiceRates(
  groups: VoiceGroup[],
): Pick<RateSet, 'voices' | 'responseRate' | 'resolutionRate' | 'satisfactionRate'> {
  let total = 0;
  let responded = 0;
  let resolved = 0;
  let satisfied = 0;
  let verdicts = 0;
  for (const g of groups) {
    total += g.count;
    if (g.respondedOnTime) responded += g.count;
    if (g.status === 'resolved' || g.status === 'closed') resolved += g.count;
    if (g.satisfaction === 'satisfied') satisfied += g.count;
    if (g.satisfaction === 'satisfied' || g.satisfaction === 'unsatisfied') verdicts += g.count;
  }
  return {
    voices: total,
    responseRate: ratio(responded, total),
    resolutionRate: ratio(resolved, total),
    satisfactionRate: ratio(satisfied, verdicts),
  };
}

export function orderRates(groups: OrderGroup[]): Pick<RateSet, 'orders' | 'onTimeRectificationRate'> {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const onTime = groups
    .filter((g) => g.status !== 'open' && g.onTime === true)
    .reduce((n, g) => n + g.count, 0);
  return { orders: total, onTimeRectificationRate: ratio(onTime, total) };
}

export function meetingRates(groups: MeetingGroup[]): Pick<RateSet, 'meetings' | 'meetingsOnTimeRate'> {
  const total = groups.reduce((n, g) => n + g.count, 0);
  const onTime = groups.filter((g) => g.heldOnTime === true).reduce((n, g) => n + g.count, 0);
  return { meetings: total, meetingsOnTimeRate: ratio(onTime, total) };
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
