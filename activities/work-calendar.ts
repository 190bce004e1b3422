/**
 * China's statutory holidays and adjusted working weekends (调休), read from the chinese-days package's
 * data file, and merged with a compound's own settings. The domain (domain/working-days.ts) counts the
 * days; this adapter only supplies the data, so workflows receive it from an activity, not from disk.
 */
import { DomainError } from '../domain/errors';
import { mergeCalendar, type WorkCalendar } from '../domain/working-days';

const DATA_FILE = 'chinese-days/dist/chinese-days.json';

interface StatutoryData {
  holidays: string[];
  workdays: string[];
  coveredYears: { from: number; to: number } | null;
}

let cached: StatutoryData | undefined;

const yearOf = (key: string) => Number(key.slice(0, 4));

function dateKeysOf(raw: unknown, field: string): string[] {
  const table = (raw as Record<string, unknown> | null)?.[field];
  const keys = table && typeof table === 'object' ? Object.keys(table) : undefined;
  if (!keys || keys.some((k) => !/^\d{4}-\d{2}-\d{2}$/.test(k))) {
    throw new Error(`${DATA_FILE} has no valid "${field}" table: reinstall the dependencies with npm ci`);
  }
  return keys.sort();
}

/** The years the data covers: the contiguous run of years with holidays that ends at the newest one. */
function coverageOf(holidays: string[]): { from: number; to: number } | null {
  const years = new Set(holidays.map(yearOf));
  if (years.size === 0) return null;
  const to = Math.max(...years);
  let from = to;
  while (years.has(from - 1)) from--;
  return { from, to };
}

function load(): StatutoryData {
  if (cached) return cached;
  let raw: unknown;
  try {
    // Required lazily, on first use: a missing package fails here with the message below, not at start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    raw = require(DATA_FILE);
  } catch (cause) {
    throw new Error(
      `Cannot load ${DATA_FILE} (China's statutory holidays, package chinese-days): run npm ci`,
      { cause },
    );
  }
  const holidays = dateKeysOf(raw, 'holidays');
  const workdays = dateKeysOf(raw, 'workdays');
  cached = { holidays, workdays, coveredYears: coverageOf(holidays) };
  return cached;
}

/** Statutory holidays and 调休 workdays of the years asked (default: all the data holds). */
export function statutoryCalendar(years?: { from: number; to: number }): WorkCalendar {
  const data = load();
  if (!years) {
    return {
      holidays: [...data.holidays],
      workdays: [...data.workdays],
      coveredYears: data.coveredYears ? { ...data.coveredYears } : null,
    };
  }
  if (!Number.isInteger(years.from) || !Number.isInteger(years.to) || years.from > years.to) {
    throw new DomainError('invalid', `年份范围无效：${years.from}–${years.to}`, { years });
  }
  const inRange = (key: string) => yearOf(key) >= years.from && yearOf(key) <= years.to;
  // Coverage is what the data covers within the years asked: a year left out has no dates here.
  const c = data.coveredYears;
  const from = c ? Math.max(c.from, years.from) : 0;
  const to = c ? Math.min(c.to, years.to) : -1;
  return {
    holidays: data.holidays.filter(inRange),
    workdays: data.workdays.filter(inRange),
    coveredYears: from <= to ? { from, to } : null,
  };
}

/** A compound's working calendar: statutory data for the years asked, overridden by its own settings. */
export function workCalendarFor(
  compound: { settings?: { meetings?: { holidays?: string[]; workdays?: string[] } } | null },
  years: { from: number; to: number },
): WorkCalendar {
  const meetings = compound.settings?.meetings;
  return mergeCalendar(statutoryCalendar(years), {
    holidays: meetings?.holidays ?? [],
    workdays: meetings?.workdays ?? [],
  });
}
