/**
 * Where in the calendar a test runs. The suite runs once at the machine's own time and then again, by
 * `scripts/date-check.sh`, at pinned instants (a year end, a leap day, the eve of a holiday…) given in
 * GONGZHI_TEST_NOW. A test that cares about the calendar takes its "now" from here — the time-skipping
 * server starts there — and never from the machine's clock.
 */

/** The instants the date check pins, each in Asia/Shanghai. */
export const PINNED_INSTANTS: { name: string; at: string }[] = [
  { name: '1 December, just after midnight', at: '2026-12-01T00:05:00+08:00' },
  { name: '31 December, five minutes before the new year', at: '2026-12-31T23:55:00+08:00' },
  { name: 'the leap day 2028', at: '2028-02-29T12:00:00+08:00' },
  { name: 'the eve of the National Day holiday', at: '2026-09-30T23:59:00+08:00' },
  { name: 'New Year’s midnight', at: '2027-01-01T00:00:00+08:00' },
  { name: 'a plain mid-month Wednesday', at: '2026-11-18T10:30:00+08:00' },
];

/** The pinned instant of this run, if the date check set one. */
export function pinnedInstant(): Date | undefined {
  const v = process.env.GONGZHI_TEST_NOW;
  if (!v) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`GONGZHI_TEST_NOW is not an ISO instant: ${v}`);
  return new Date(t);
}

/** "Now" for a calendar-sensitive test: the pinned instant, or the machine's clock in a plain run. */
export function testNow(): Date {
  return pinnedInstant() ?? new Date();
}
