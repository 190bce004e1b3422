/**
 * Quarter and year bounds, the next month, local date keys and working days (domain/calendar.ts).
 * Shanghai is UTC+8: from 16:00 to 24:00 UTC the local date is already the next day, so instants in
 * that window are where a UTC-minded implementation would go wrong.
 */
import fc from 'fast-check';
import {
  DAY_MS,
  dateKey,
  localParts,
  monthKey,
  nextMonthStart,
  previousWorkingDay,
  quarterBounds,
  quarterKey,
  yearBounds,
} from '../../domain/calendar';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);
const anyInstant = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
  .map((ms) => new Date(ms));

describe('quarterBounds', () => {
  test('when it is 00:30 on 1 January 2027 in Shanghai (still 31 December in UTC), the quarter is 2027 Q1', () => {
    const { start, end } = quarterBounds(at('2026-12-31T16:30:00Z'), TZ);

    expect(start).toEqual(at('2026-12-31T16:00:00Z'));
    expect(end).toEqual(at('2027-03-31T16:00:00Z'));
  });

  test('when the same instant is bounded in UTC, it is still in the fourth quarter of 2026', () => {
    const { start, end } = quarterBounds(at('2026-12-31T16:30:00Z'), 'UTC');

    expect(start).toEqual(at('2026-10-01T00:00:00Z'));
    expect(end).toEqual(at('2027-01-01T00:00:00Z'));
  });

  test('when it is one second before local midnight on 31 March, the quarter is still Q1', () => {
    const { start, end } = quarterBounds(at('2026-03-31T15:59:59Z'), TZ);

    expect(start).toEqual(at('2025-12-31T16:00:00Z'));
    expect(end).toEqual(at('2026-03-31T16:00:00Z'));
  });

  test('when it is exactly local midnight on 1 April, the quarter is Q2, starting at that instant', () => {
    const { start, end } = quarterBounds(at('2026-03-31T16:00:00Z'), TZ);

    expect(start).toEqual(at('2026-03-31T16:00:00Z'));
    expect(end).toEqual(at('2026-06-30T16:00:00Z'));
  });

  test.each([
    ['2026-02-14T04:00:00Z', '2025-12-31T16:00:00Z', '2026-03-31T16:00:00Z'],
    ['2026-05-14T04:00:00Z', '2026-03-31T16:00:00Z', '2026-06-30T16:00:00Z'],
    ['2026-08-14T04:00:00Z', '2026-06-30T16:00:00Z', '2026-09-30T16:00:00Z'],
    ['2026-11-14T04:00:00Z', '2026-09-30T16:00:00Z', '2026-12-31T16:00:00Z'],
  ])('when the instant is %s, mid-quarter, the quarter runs from %s to %s', (iso, start, end) => {
    expect(quarterBounds(at(iso), TZ)).toEqual({ start: at(start), end: at(end) });
  });

  test('when no zone is given, the bounds are Shanghai’s', () => {
    expect(quarterBounds(at('2026-12-31T16:30:00Z')).start).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('for any instant, it lies in [start, end); start, the instant and end - 1 ms share a quarter key; start opens a quarter month', () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const { start, end } = quarterBounds(instant, TZ);
        const key = quarterKey(instant, TZ);
        const s = localParts(start, TZ);

        expect(start.getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(end.getTime()).toBeGreaterThan(instant.getTime());
        expect(quarterKey(start, TZ)).toBe(key);
        expect(quarterKey(new Date(end.getTime() - 1), TZ)).toBe(key);
        expect(quarterKey(end, TZ)).not.toBe(key);
        expect([1, 4, 7, 10]).toContain(s.month);
        expect(s).toMatchObject({ day: 1, hour: 0, minute: 0, second: 0 });
      }),
    );
  });
});

describe('yearBounds', () => {
  test('when it is local midnight of 1 January 2027 (16:00 UTC on 31 December), the year is 2027', () => {
    const { start, end } = yearBounds(at('2026-12-31T16:00:00Z'), TZ);

    expect(start).toEqual(at('2026-12-31T16:00:00Z'));
    expect(end).toEqual(at('2027-12-31T16:00:00Z'));
  });

  test('when it is one millisecond before that, the year is still 2026', () => {
    const { start, end } = yearBounds(at('2026-12-31T15:59:59.999Z'), TZ);

    expect(start).toEqual(at('2025-12-31T16:00:00Z'));
    expect(end).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('when the instant is bounded in UTC, the year follows the UTC date instead', () => {
    const { start } = yearBounds(at('2026-12-31T16:00:00Z'), 'UTC');

    expect(start).toEqual(at('2026-01-01T00:00:00Z'));
  });

  test('when the year is 2028, a leap year, it runs 366 days; 2027 runs 365', () => {
    const leap = yearBounds(at('2028-06-01T00:00:00Z'), TZ);
    const common = yearBounds(at('2027-06-01T00:00:00Z'), TZ);

    expect(leap.end.getTime() - leap.start.getTime()).toBe(366 * DAY_MS);
    expect(common.end.getTime() - common.start.getTime()).toBe(365 * DAY_MS);
  });

  test('for any instant, it lies in [start, end), and start is local midnight of 1 January of its local year', () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const { start, end } = yearBounds(instant, TZ);

        expect(start.getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(end.getTime()).toBeGreaterThan(instant.getTime());
        expect(localParts(start, TZ)).toMatchObject({
          year: localParts(instant, TZ).year,
          month: 1,
          day: 1,
          hour: 0,
          minute: 0,
        });
        expect(localParts(end, TZ)).toMatchObject({
          year: localParts(instant, TZ).year + 1,
          month: 1,
          day: 1,
        });
      }),
    );
  });
});

describe('nextMonthStart', () => {
  test('when it is 23:30 local on 30 November, the next month starts at local midnight of 1 December', () => {
    expect(nextMonthStart(at('2026-11-30T15:30:00Z'), TZ)).toEqual(at('2026-11-30T16:00:00Z'));
  });

  test('when it is 00:30 local on 1 December (still 30 November in UTC), the next month is January 2027', () => {
    expect(nextMonthStart(at('2026-11-30T16:30:00Z'), TZ)).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('when it is February 2028, the next month starts after the 29th', () => {
    expect(nextMonthStart(at('2028-02-28T04:00:00Z'), TZ)).toEqual(at('2028-02-29T16:00:00Z'));
  });

  test('when no zone is given, the month is Shanghai’s', () => {
    expect(nextMonthStart(at('2026-11-30T16:30:00Z'))).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('for any instant, the next month starts after it, at local midnight of a 1st, and the ms before is in its month', () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const next = nextMonthStart(instant, TZ);

        expect(next.getTime()).toBeGreaterThan(instant.getTime());
        expect(localParts(next, TZ)).toMatchObject({ day: 1, hour: 0, minute: 0, second: 0 });
        expect(monthKey(new Date(next.getTime() - 1), TZ)).toBe(monthKey(instant, TZ));
      }),
    );
  });
});

describe('dateKey', () => {
  test('when it is 16:00 UTC on 31 December, Shanghai’s date is already 2027-01-01', () => {
    expect(dateKey(at('2026-12-31T16:00:00Z'), TZ)).toBe('2027-01-01');
  });

  test('when it is one second earlier, the date is 2026-12-31', () => {
    expect(dateKey(at('2026-12-31T15:59:59Z'), TZ)).toBe('2026-12-31');
  });

  test('when the same instant is keyed in UTC, the date is the UTC date', () => {
    expect(dateKey(at('2026-12-31T16:00:00Z'), 'UTC')).toBe('2026-12-31');
  });

  test('when month and day are single digits, both are padded to two', () => {
    expect(dateKey(at('2026-03-05T04:00:00Z'), TZ)).toBe('2026-03-05');
  });

  test('when no zone is given, the date is Shanghai’s', () => {
    expect(dateKey(at('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });

  test('for any instant, the key is yyyy-mm-dd of its local parts', () => {
    fc.assert(
      fc.property(anyInstant, (instant) => {
        const p = localParts(instant, TZ);
        const key = dateKey(instant, TZ);

        expect(key).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(key.split('-').map(Number)).toEqual([p.year, p.month, p.day]);
      }),
    );
  });
});

describe('previousWorkingDay', () => {
  test('when the local day is a working Wednesday, the instant is returned unchanged', () => {
    const instant = at('2026-11-25T07:00:00Z');

    expect(previousWorkingDay(instant, TZ)).toEqual(instant);
  });

  test('when the local day is a Saturday, it moves back to Friday at the same local time', () => {
    expect(previousWorkingDay(at('2026-11-28T07:00:00Z'), TZ)).toEqual(at('2026-11-27T07:00:00Z'));
  });

  test('when the local day is a Sunday, it moves back two days to Friday', () => {
    expect(previousWorkingDay(at('2026-11-29T07:00:00Z'), TZ)).toEqual(at('2026-11-27T07:00:00Z'));
  });

  test('when it is 00:30 on Saturday locally but still Friday in UTC, it moves back to Friday 00:30 local', () => {
    // 2026-11-27T16:30Z is Saturday 28 November 00:30 in Shanghai.
    expect(previousWorkingDay(at('2026-11-27T16:30:00Z'), TZ)).toEqual(at('2026-11-26T16:30:00Z'));
  });

  test('when it is 00:30 on Monday locally but still Sunday in UTC, it is a working day and stays', () => {
    const instant = at('2026-11-29T16:30:00Z');

    expect(previousWorkingDay(instant, TZ)).toEqual(instant);
  });

  test('when a listed holiday is the local date (not the UTC date), it moves back a day', () => {
    // 2026-12-01T16:30Z is Wednesday 2 December 00:30 locally; in UTC it is still Tuesday 1 December.
    const instant = at('2026-12-01T16:30:00Z');

    expect(previousWorkingDay(instant, TZ, ['2026-12-02'])).toEqual(at('2026-11-30T16:30:00Z'));
    expect(previousWorkingDay(instant, TZ, ['2026-12-01'])).toEqual(instant);
  });

  test('when a working Thursday is a listed holiday, it moves back to Wednesday', () => {
    expect(previousWorkingDay(at('2026-12-31T07:00:00Z'), TZ, ['2026-12-31'])).toEqual(
      at('2026-12-30T07:00:00Z'),
    );
  });

  test('when Monday is a holiday, it moves back over the weekend to Friday', () => {
    expect(previousWorkingDay(at('2026-11-30T07:00:00Z'), TZ, ['2026-11-30'])).toEqual(
      at('2026-11-27T07:00:00Z'),
    );
  });

  test('when a run of holidays like the National Day week covers the date, it moves back before the run', () => {
    // 1-7 October 2026 (Thursday to Wednesday) as holidays; 30 September is a Wednesday.
    const holidays = [
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
    ];

    expect(previousWorkingDay(at('2026-10-07T07:00:00Z'), TZ, holidays)).toEqual(at('2026-09-30T07:00:00Z'));
  });

  test('when a Saturday is an adjusted working day (调休), it stays on that Saturday', () => {
    const instant = at('2026-11-28T07:00:00Z');

    expect(previousWorkingDay(instant, TZ, [], ['2026-11-28'])).toEqual(instant);
  });

  test('when Sunday is a holiday-season working day and the weekend before it is not, Sunday stays but Saturday moves to Friday', () => {
    expect(previousWorkingDay(at('2026-11-29T07:00:00Z'), TZ, [], ['2026-11-29'])).toEqual(
      at('2026-11-29T07:00:00Z'),
    );
    expect(previousWorkingDay(at('2026-11-28T07:00:00Z'), TZ, [], ['2026-11-29'])).toEqual(
      at('2026-11-27T07:00:00Z'),
    );
  });

  test('when a Monday holiday follows an adjusted working Sunday, it moves back to that Sunday', () => {
    expect(previousWorkingDay(at('2026-11-30T07:00:00Z'), TZ, ['2026-11-30'], ['2026-11-29'])).toEqual(
      at('2026-11-29T07:00:00Z'),
    );
  });

  test('when an adjusted working Saturday is keyed by its local date, 00:30 local Saturday (Friday in UTC) stays', () => {
    const instant = at('2026-11-27T16:30:00Z');

    expect(previousWorkingDay(instant, TZ, [], ['2026-11-28'])).toEqual(instant);
  });

  test('for any instant and holidays, the result is the latest working local day at or before it, at the same local time', () => {
    const start = Date.UTC(2026, 0, 1);
    const dayKeys = Array.from({ length: 400 }, (_, i) => dateKey(new Date(start + i * DAY_MS), TZ));
    fc.assert(
      fc.property(
        fc.integer({ min: start + 30 * DAY_MS, max: start + 390 * DAY_MS }),
        fc.subarray(dayKeys, { maxLength: 80 }),
        fc.subarray(dayKeys, { maxLength: 20 }),
        (ms, holidays, workdays) => {
          const instant = new Date(ms);
          const isWorking = (d: Date) =>
            workdays.includes(dateKey(d, TZ)) ||
            (localParts(d, TZ).weekday <= 5 && !holidays.includes(dateKey(d, TZ)));

          const result = previousWorkingDay(instant, TZ, holidays, workdays);

          expect((instant.getTime() - result.getTime()) % DAY_MS).toBe(0);
          expect(result.getTime()).toBeLessThanOrEqual(ms);
          expect(isWorking(result)).toBe(true);
          for (let t = result.getTime() + DAY_MS; t <= ms; t += DAY_MS) {
            expect(isWorking(new Date(t))).toBe(false);
          }
        },
      ),
    );
  });
});
