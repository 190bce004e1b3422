/**
 * Local time in a compound's time zone, without a clock: every function takes the instant it works on.
 * Month, quarter and year boundaries are local (default Asia/Shanghai), so they are computed here
 * from the IANA zone with Intl, which both Node and the workflow sandbox provide.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface LocalParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 1 = Monday .. 7 = Sunday
}

/** Whether Intl knows the IANA zone (Asia/Shanghai yes, Mars/Olympus_Mons no). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

export function localParts(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in milliseconds (Shanghai: +8 h). */
export function zoneOffsetMs(instant: Date, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which the local wall clock in `timeZone` shows the given time. */
export function zonedTime(
  timeZone: string,
  year: number,
  month: number,
  day = 1,
  hour = 0,
  minute = 0,
  second = 0,
): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes settle the offset even across a daylight-saving change.
  let t = guess - zoneOffsetMs(new Date(guess), timeZone);
  t = guess - zoneOffsetMs(new Date(t), timeZone);
  return new Date(t);
}

export function addHours(instant: Date, hours: number): Date {
  return new Date(instant.getTime() + hours * HOUR_MS);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** "2026-11" — the local month an instant falls in. */
export function monthKey(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}`;
}

/** "2026-Q4" */
export function quarterKey(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-Q${Math.ceil(p.month / 3)}`;
}

/** Local start of the month containing `instant` and the start of the next one: [start, end). */
export function monthBounds(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): { start: Date; end: Date } {
  const p = localParts(instant, timeZone);
  const next = p.month === 12 ? { y: p.year + 1, m: 1 } : { y: p.year, m: p.month + 1 };
  return { start: zonedTime(timeZone, p.year, p.month, 1), end: zonedTime(timeZone, next.y, next.m, 1) };
}

/** Formats an instant as local "2026-11-25 18:00" for people. */
export function formatLocal(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}

/** Local [start, end) of the quarter containing `instant`. */
export function quarterBounds(
  instant: Date,
  timeZone: string = DEFAULT_TIME_ZONE,
): { start: Date; end: Date } {
  const p = localParts(instant, timeZone);
  const first = Math.floor((p.month - 1) / 3) * 3 + 1;
  const next = first + 3 > 12 ? { y: p.year + 1, m: 1 } : { y: p.year, m: first + 3 };
  return { start: zonedTime(timeZone, p.year, first, 1), end: zonedTime(timeZone, next.y, next.m, 1) };
}

/** Local [start, end) of the year containing `instant`. */
export function yearBounds(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): { start: Date; end: Date } {
  const p = localParts(instant, timeZone);
  return { start: zonedTime(timeZone, p.year, 1, 1), end: zonedTime(timeZone, p.year + 1, 1, 1) };
}

/** The local start of the month after the one containing `instant`. */
export function nextMonthStart(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): Date {
  return monthBounds(instant, timeZone).end;
}

/** "2026-11-25": the local calendar date. */
export function dateKey(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/**
 * Moves a local date back to the nearest working day: not a weekend, not in `holidays` ("yyyy-mm-dd"),
 * unless listed in `workdays` (China's adjusted working weekends, 调休). Meetings due on a holiday are
 * held before it, not after.
 */
export function previousWorkingDay(
  instant: Date,
  timeZone: string,
  holidays: readonly string[] = [],
  workdays: readonly string[] = [],
): Date {
  const start = localParts(instant, timeZone);
  let t = instant;
  for (let i = 0; i < 60; i++) {
    const key = dateKey(t, timeZone);
    const weekend = localParts(t, timeZone).weekday >= 6;
    if (workdays.includes(key) || (!weekend && !holidays.includes(key))) return t;
    // Step back one calendar day at the same wall-clock time (not -24 h: daylight saving).
    const d = new Date(Date.UTC(start.year, start.month - 1, start.day - i - 1));
    const wall = zonedTime(
      timeZone,
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      start.hour,
      start.minute,
      start.second,
    );
    t = new Date(wall.getTime() + (instant.getTime() % 1000));
  }
  return t;
}
