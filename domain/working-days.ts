/**
 * Working days in China: statutory holidays and the adjusted working weekends (调休), with a compound's
 * own holidays and workdays as overrides. Pure and deterministic (workflow code uses it): the calendar
 * data comes in as an argument (activities/work-calendar.ts reads it), and so does every instant.
 * Days are counted on local calendar dates ("yyyy-mm-dd"), never as +24 h, so daylight saving is harmless.
 */
import { dateKey, localParts, zonedTime } from './calendar';
import { DomainError } from './errors';

export interface WorkCalendar {
  /** Local dates off work: statutory holidays plus the compound's own. */
  holidays: string[];
  /** Local dates at work although they fall on a weekend: statutory 调休 plus the compound's own. */
  workdays: string[];
  /** The years the statutory data covers (null: none); outside them only weekends are known. */
  coveredYears: { from: number; to: number } | null;
}

export interface WorkingDayResult {
  at: Date;
  /** Years of dates that had to be judged without statutory data (judged by weekends only). */
  uncoveredYears: number[];
}

const KEY_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** No sane calendar has a year without a working day; beyond this a search is a data error. */
const MAX_DAYS_WITHOUT_WORK = 366;

interface Ymd {
  year: number;
  month: number;
  day: number;
}

function utcDate({ year, month, day }: Ymd): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // setUTCFullYear, not Date.UTC: years below 100 stay as given
  return d;
}

function parseKey(key: string): Ymd {
  const m = KEY_SHAPE.exec(key);
  const ymd = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : undefined;
  const d = ymd && utcDate(ymd);
  if (!ymd || !d || d.getUTCMonth() !== ymd.month - 1 || d.getUTCDate() !== ymd.day) {
    throw new DomainError('invalid', `日期应为 yyyy-mm-dd 的有效日期：${key}`, { dateKey: key });
  }
  return ymd;
}

function formatKey(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

function shiftKey(key: string, days: number): string {
  const ymd = parseKey(key);
  return formatKey(utcDate({ ...ymd, day: ymd.day + days }));
}

/** 00:00 of a local date in the zone: the end of the day before it. */
function startOfDay(key: string, timeZone: string): Date {
  const { year, month, day } = parseKey(key);
  return zonedTime(timeZone, year, month, day);
}

function positiveMs(t: number): number {
  return ((t % 1000) + 1000) % 1000;
}

function isLocalMidnight(instant: Date, timeZone: string): boolean {
  const p = localParts(instant, timeZone);
  return p.hour === 0 && p.minute === 0 && p.second === 0 && positiveMs(instant.getTime()) === 0;
}

function assertInstant(instant: Date, name: string): void {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new DomainError('invalid', `${name} 不是有效的时间`, { field: name });
  }
}

/** Collects the uncovered years of the dates judged, so a caller can tell people the result is a guess. */
class Judge {
  private readonly uncovered = new Set<number>();
  constructor(private readonly cal: WorkCalendar) {}

  working(key: string): boolean {
    const year = parseKey(key).year;
    if (!isCovered(year, this.cal)) this.uncovered.add(year);
    return isWorkingDay(key, this.cal);
  }

  result(at: Date): WorkingDayResult {
    return { at, uncoveredYears: [...this.uncovered].sort((a, b) => a - b) };
  }
}

function refuseEndlessSearch(from: string): never {
  throw new DomainError(
    'invalid',
    `工作日历自 ${from} 起连续 ${MAX_DAYS_WITHOUT_WORK} 天没有工作日，请检查节假日设置`,
    { from },
  );
}

/** Compound settings override statutory data both ways, so a compound can follow its own local rules. */
export function mergeCalendar(
  statutory: WorkCalendar,
  compound: { holidays?: string[]; workdays?: string[] },
): WorkCalendar {
  const ownHolidays = compound.holidays ?? [];
  const ownWorkdays = compound.workdays ?? [];
  for (const key of [...ownHolidays, ...ownWorkdays]) {
    if (!KEY_SHAPE.test(key)) {
      throw new DomainError('invalid', `节假日设置中的日期应为 yyyy-mm-dd：${key}`, { dateKey: key });
    }
  }
  const work = new Set(ownWorkdays);
  const off = new Set(ownHolidays);
  // A date the compound lists as both is a workday, as isWorkingDay would judge it.
  const holidays = [...statutory.holidays, ...ownHolidays].filter((k) => !work.has(k));
  const workdays = [...statutory.workdays.filter((k) => !off.has(k)), ...ownWorkdays];
  return {
    holidays: [...new Set(holidays)].sort(),
    workdays: [...new Set(workdays)].sort(),
    coveredYears: statutory.coveredYears ? { ...statutory.coveredYears } : null,
  };
}

/** Whether a local date is worked, so deadlines and meetings skip holidays but keep 调休 weekends. */
export function isWorkingDay(dateKey: string, cal: WorkCalendar): boolean {
  const weekday = utcDate(parseKey(dateKey)).getUTCDay(); // 0 Sunday .. 6 Saturday
  if (cal.workdays.includes(dateKey)) return true;
  if (cal.holidays.includes(dateKey)) return false;
  return weekday >= 1 && weekday <= 5;
}

/** Whether statutory data covers a year, so a judgement outside it can be flagged as weekends-only. */
export function isCovered(year: number, cal: WorkCalendar): boolean {
  return cal.coveredYears !== null && year >= cal.coveredYears.from && year <= cal.coveredYears.to;
}

/** Deadline "within N working days" as the 12345 hotlines count it: the end of the Nth working day after. */
export function addWorkingDays(
  from: Date,
  days: number,
  timeZone: string,
  cal: WorkCalendar,
): WorkingDayResult {
  assertInstant(from, 'from');
  if (!Number.isInteger(days) || days < 1) {
    throw new DomainError('invalid', `工作日天数应为正整数：${days}`, { days });
  }
  const judge = new Judge(cal);
  let key = dateKey(from, timeZone); // the day of `from` itself never counts
  let counted = 0;
  let idle = 0;
  while (counted < days) {
    key = shiftKey(key, 1);
    if (judge.working(key)) {
      counted++;
      idle = 0;
    } else if (++idle > MAX_DAYS_WITHOUT_WORK) {
      refuseEndlessSearch(key);
    }
  }
  return judge.result(startOfDay(shiftKey(key, 1), timeZone));
}

/** Chinese law on periods: a deadline whose last day is a rest day runs to the end of the next working day. */
export function adjustDeadlineToWorkingDay(at: Date, timeZone: string, cal: WorkCalendar): WorkingDayResult {
  assertInstant(at, 'at');
  const judge = new Judge(cal);
  let key = dateKey(at, timeZone);
  // Exactly local midnight is how deadlines here say "end of the day before": that day is the last day.
  if (isLocalMidnight(at, timeZone)) key = shiftKey(key, -1);
  if (judge.working(key)) return judge.result(at);
  for (let i = 0; i < MAX_DAYS_WITHOUT_WORK; i++) {
    key = shiftKey(key, 1);
    if (judge.working(key)) return judge.result(startOfDay(shiftKey(key, 1), timeZone));
  }
  return refuseEndlessSearch(key);
}

/** Meetings due on a holiday are held before it: the same wall-clock time on the last working day. */
export function previousWorkingDayIn(instant: Date, timeZone: string, cal: WorkCalendar): WorkingDayResult {
  assertInstant(instant, 'instant');
  const judge = new Judge(cal);
  let key = dateKey(instant, timeZone);
  for (let i = 0; i <= MAX_DAYS_WITHOUT_WORK; i++) {
    if (judge.working(key)) {
      if (i === 0) return judge.result(instant);
      const { year, month, day } = parseKey(key);
      const p = localParts(instant, timeZone);
      const wall = zonedTime(timeZone, year, month, day, p.hour, p.minute, p.second);
      return judge.result(new Date(wall.getTime() + positiveMs(instant.getTime())));
    }
    key = shiftKey(key, -1);
  }
  return refuseEndlessSearch(key);
}

/** Tells people a date was judged by weekends only, instead of guessing silently. */
export function describeUncovered(years: number[]): string | undefined {
  if (years.length === 0) return undefined;
  const sorted = [...new Set(years)].sort((a, b) => a - b);
  return `节假日数据未覆盖 ${sorted.join('、')} 年，已按周末推算`;
}
