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
import { zonedTime } from './calendar';
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
