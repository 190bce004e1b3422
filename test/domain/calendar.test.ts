/**
 * Local time in a compound's zone (domain/calendar.ts). Pure functions: every instant is given.
 * Shanghai is UTC+8 all year; Berlin and New York change their clocks, which zonedTime must settle.
 */
import fc from 'fast-check';
import {
  DAY_MS,
  DEFAULT_TIME_ZONE,
  HOUR_MS,
  addHours,
  daysInMonth,
  formatLocal,
  localParts,
  monthBounds,
  monthKey,
  quarterKey,
  zoneOffsetMs,
  zonedTime,
} from '../../domain/calendar';

const utc = (iso: string) => new Date(iso);

describe('the default zone', () => {
  test('when no zone is configured, the compound keeps Shanghai time', () => {
    expect(DEFAULT_TIME_ZONE).toBe('Asia/Shanghai');
  });
});

describe('localParts', () => {
  test('when an instant is 23:30 UTC on 31 December, Shanghai already reads 07:30 on 1 January of the next year', () => {
    // Arrange
    const instant = utc('2026-12-31T23:30:00Z');

    // Act
    const parts = localParts(instant);

    // Assert
    expect(parts).toEqual({ year: 2027, month: 1, day: 1, hour: 7, minute: 30, second: 0, weekday: 5 });
  });

  test('when the same instant is read in UTC, it is still 31 December', () => {
    const parts = localParts(utc('2026-12-31T23:30:00Z'), 'UTC');

    expect(parts).toMatchObject({ year: 2026, month: 12, day: 31, hour: 23, minute: 30 });
  });

  test('when Shanghai reaches local midnight, the hour reads 0, not 24', () => {
    const parts = localParts(utc('2026-05-31T16:00:00Z'));

    expect(parts).toMatchObject({ month: 6, day: 1, hour: 0, minute: 0, second: 0 });
  });

  test('when an instant is one second before local midnight, Shanghai keeps the old day and its seconds', () => {
    const parts = localParts(utc('2026-12-31T15:59:59Z'));

    expect(parts).toMatchObject({ year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 59 });
  });

  test.each([
    ['2026-03-02T04:00:00Z', 'Monday', 1],
    ['2026-03-03T04:00:00Z', 'Tuesday', 2],
    ['2026-03-04T04:00:00Z', 'Wednesday', 3],
    ['2026-03-05T04:00:00Z', 'Thursday', 4],
    ['2026-03-06T04:00:00Z', 'Friday', 5],
    ['2026-03-07T04:00:00Z', 'Saturday', 6],
    ['2026-03-08T04:00:00Z', 'Sunday', 7],
  ])('when the local day is a %s (%s), the weekday is numbered %i', (iso, _name, weekday) => {
    expect(localParts(utc(iso)).weekday).toBe(weekday);
  });

  test('when it is Sunday evening in UTC, it is already Monday (1) in Shanghai', () => {
    // Arrange: 2026-03-01 is a Sunday; 20:00 UTC is 04:00 on Monday 2 March in Shanghai.
    const instant = utc('2026-03-01T20:00:00Z');

    // Act
    const inUtc = localParts(instant, 'UTC').weekday;
    const inShanghai = localParts(instant).weekday;

    // Assert
    expect(inUtc).toBe(7);
    expect(inShanghai).toBe(1);
  });
});

describe('zoneOffsetMs', () => {
  test('when the zone is Shanghai, the offset is +8 hours in winter and in summer alike', () => {
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00Z'), 'Asia/Shanghai')).toBe(8 * HOUR_MS);
    expect(zoneOffsetMs(utc('2026-07-15T12:00:00Z'), 'Asia/Shanghai')).toBe(8 * HOUR_MS);
  });

  test('when the zone is Berlin, the offset is +1 hour in winter and +2 hours in summer', () => {
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00Z'), 'Europe/Berlin')).toBe(1 * HOUR_MS);
    expect(zoneOffsetMs(utc('2026-07-15T12:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR_MS);
  });

  test('when the zone is New York, the offset is -5 hours in winter and -4 hours in summer', () => {
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00Z'), 'America/New_York')).toBe(-5 * HOUR_MS);
    expect(zoneOffsetMs(utc('2026-07-15T12:00:00Z'), 'America/New_York')).toBe(-4 * HOUR_MS);
  });

  test('when Berlin springs forward at 01:00 UTC on 29 March 2026, the offset changes at that very second', () => {
    expect(zoneOffsetMs(utc('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(1 * HOUR_MS);
    expect(zoneOffsetMs(utc('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(2 * HOUR_MS);
  });

  test('when the instant carries milliseconds, the offset is still a whole number of hours', () => {
    expect(zoneOffsetMs(utc('2026-01-15T12:00:00.999Z'), 'Asia/Shanghai')).toBe(8 * HOUR_MS);
  });
});

describe('zonedTime', () => {
  test('when Shanghai midnight of 1 January 2027 is asked for, it is 16:00 UTC on 31 December 2026', () => {
    expect(zonedTime('Asia/Shanghai', 2027, 1).toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  test('when a full local time is given in Shanghai, the instant is 8 hours earlier in UTC', () => {
    expect(zonedTime('Asia/Shanghai', 2026, 11, 25, 18, 0, 30).toISOString()).toBe(
      '2026-11-25T10:00:30.000Z',
    );
  });

  test('when the local time is read back with localParts, it round-trips to the same wall clock', () => {
    // Arrange
    const wall = { year: 2028, month: 2, day: 29, hour: 9, minute: 15, second: 42 };

    // Act
    const instant = zonedTime(
      'Asia/Shanghai',
      wall.year,
      wall.month,
      wall.day,
      wall.hour,
      wall.minute,
      wall.second,
    );
    const back = localParts(instant, 'Asia/Shanghai');

    // Assert
    expect(back).toMatchObject(wall);
    expect(back.weekday).toBe(2); // 29 February 2028 is a Tuesday
  });

  test('for any whole-second instant between 2000 and 2100, Shanghai localParts then zonedTime returns the instant', () => {
    const seconds = fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 });
    fc.assert(
      fc.property(seconds, (s) => {
        const instant = new Date(s * 1000);
        const p = localParts(instant, 'Asia/Shanghai');
        const back = zonedTime('Asia/Shanghai', p.year, p.month, p.day, p.hour, p.minute, p.second);
        expect(back.getTime()).toBe(instant.getTime());
      }),
    );
  });

  test('for any whole-second instant in 2025-2027, a daylight-saving zone round-trips to the same wall clock', () => {
    const seconds = fc.integer({ min: Date.UTC(2025, 0, 1) / 1000, max: Date.UTC(2028, 0, 1) / 1000 });
    const zone = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney');
    fc.assert(
      fc.property(seconds, zone, (s, tz) => {
        const p = localParts(new Date(s * 1000), tz);
        const back = localParts(zonedTime(tz, p.year, p.month, p.day, p.hour, p.minute, p.second), tz);
        expect(back).toEqual(p);
      }),
    );
  });

  test('when Berlin asks for 01:30 on the morning clocks spring forward, the second pass settles on the winter offset (00:30 UTC)', () => {
    // A single pass would use the summer offset of 01:30 UTC and land an hour early, at 23:30 UTC.
    const instant = zonedTime('Europe/Berlin', 2026, 3, 29, 1, 30);

    expect(instant.toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(localParts(instant, 'Europe/Berlin')).toMatchObject({ day: 29, hour: 1, minute: 30 });
  });

  test('when Berlin asks for 03:30 just after clocks spring forward, the instant uses the summer offset (01:30 UTC)', () => {
    expect(zonedTime('Europe/Berlin', 2026, 3, 29, 3, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  test('when New York asks for 03:30 just after clocks spring forward, the second pass settles on EDT (07:30 UTC)', () => {
    // A single pass would use the EST offset of 03:30 UTC and land an hour late, at 08:30 UTC.
    const instant = zonedTime('America/New_York', 2026, 3, 8, 3, 30);

    expect(instant.toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  test('when Berlin asks for 02:30 that does not exist on the spring-forward day, it settles on a real instant reading 03:30', () => {
    const instant = zonedTime('Europe/Berlin', 2026, 3, 29, 2, 30);

    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(localParts(instant, 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 30 });
  });

  test('when Berlin asks for 02:30 that happens twice on the fall-back day, it settles on one of the two instants reading 02:30', () => {
    const instant = zonedTime('Europe/Berlin', 2026, 10, 25, 2, 30);

    expect(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z']).toContain(instant.toISOString());
    expect(localParts(instant, 'Europe/Berlin')).toMatchObject({ day: 25, hour: 2, minute: 30 });
  });

  test('when only year and month are given, the instant is local midnight on the first of the month', () => {
    expect(localParts(zonedTime('Asia/Shanghai', 2026, 7))).toMatchObject({
      day: 1,
      hour: 0,
      minute: 0,
      second: 0,
    });
  });
});

describe('addHours', () => {
  test('when 36 hours are added, the instant moves by a day and a half', () => {
    expect(addHours(utc('2026-01-01T00:00:00Z'), 36).toISOString()).toBe('2026-01-02T12:00:00.000Z');
  });
});

describe('monthKey and quarterKey', () => {
  test('when an instant is 23:30 UTC on 31 December, Shanghai already counts it in the new year\u2019s first quarter', () => {
    // Arrange
    const instant = utc('2026-12-31T23:30:00Z');

    // Act
    const month = monthKey(instant);
    const quarter = quarterKey(instant);

    // Assert
    expect(month).toBe('2027-01');
    expect(quarter).toBe('2027-Q1');
  });

  test('when the same instant is keyed in UTC, it stays in December and the fourth quarter of the old year', () => {
    const instant = utc('2026-12-31T23:30:00Z');

    expect(monthKey(instant, 'UTC')).toBe('2026-12');
    expect(quarterKey(instant, 'UTC')).toBe('2026-Q4');
  });

  test('when an instant is one second before Shanghai midnight on 31 December, it is still 2026-12 and 2026-Q4', () => {
    const instant = utc('2026-12-31T15:59:59Z');

    expect(monthKey(instant)).toBe('2026-12');
    expect(quarterKey(instant)).toBe('2026-Q4');
  });

  test.each([
    [1, 'Q1'],
    [2, 'Q1'],
    [3, 'Q1'],
    [4, 'Q2'],
    [5, 'Q2'],
    [6, 'Q2'],
    [7, 'Q3'],
    [8, 'Q3'],
    [9, 'Q3'],
    [10, 'Q4'],
    [11, 'Q4'],
    [12, 'Q4'],
  ])('when the local month is %i, the quarter is %s', (month, quarter) => {
    const instant = zonedTime('Asia/Shanghai', 2026, month, 15, 12);

    expect(quarterKey(instant)).toBe(`2026-${quarter}`);
    expect(monthKey(instant)).toBe(`2026-${String(month).padStart(2, '0')}`);
  });

  test('when Shanghai starts a new quarter at local midnight on 1 April, the key flips exactly there', () => {
    const start = zonedTime('Asia/Shanghai', 2026, 4, 1);

    expect(quarterKey(new Date(start.getTime() - 1000))).toBe('2026-Q1');
    expect(quarterKey(start)).toBe('2026-Q2');
  });
});

describe('daysInMonth', () => {
  test.each([
    [2028, 2, 29, 'February of the leap year 2028'],
    [2026, 2, 28, 'February of the common year 2026'],
    [2000, 2, 29, 'February of 2000 (divisible by 400)'],
    [2100, 2, 28, 'February of 2100 (divisible by 100, not 400)'],
    [2026, 1, 31, 'January'],
    [2026, 4, 30, 'April'],
    [2026, 12, 31, 'December'],
  ])('when the month is %i-%i, it has %i days (%s)', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });
});

describe('monthBounds', () => {
  test('when the instant is in February 2028 in Shanghai, the month runs 29 days from local midnight 1 February to 1 March', () => {
    // Arrange
    const instant = utc('2028-02-14T04:00:00Z');

    // Act
    const { start, end } = monthBounds(instant);

    // Assert
    expect(start.toISOString()).toBe('2028-01-31T16:00:00.000Z');
    expect(end.toISOString()).toBe('2028-02-29T16:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(29 * DAY_MS);
  });

  test('when the instant is in February 2026 in Shanghai, the month runs 28 days', () => {
    const { start, end } = monthBounds(utc('2026-02-14T04:00:00Z'));

    expect(start.toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(end.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(28 * DAY_MS);
  });

  test('when the instant is 29 February 2028 16:00 UTC, Shanghai is already in March, so the bounds are March\u2019s', () => {
    const { start, end } = monthBounds(utc('2028-02-29T16:00:00Z'));

    expect(start.toISOString()).toBe('2028-02-29T16:00:00.000Z');
    expect(end.toISOString()).toBe('2028-03-31T16:00:00.000Z');
  });

  test('when the instant is in local December, the month ends at local midnight on 1 January of the next year', () => {
    const { start, end } = monthBounds(utc('2026-12-20T00:00:00Z'));

    expect(start.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  test('when Berlin\u2019s March contains the spring-forward, the month is one hour shorter than 31 days', () => {
    const { start, end } = monthBounds(utc('2026-03-15T12:00:00Z'), 'Europe/Berlin');

    expect(start.toISOString()).toBe('2026-02-28T23:00:00.000Z');
    expect(end.toISOString()).toBe('2026-03-31T22:00:00.000Z');
    expect(end.getTime() - start.getTime()).toBe(31 * DAY_MS - HOUR_MS);
  });

  test('for any instant, it lies in [start, end) and start, the instant and end - 1 ms share one month key', () => {
    const millis = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
    const zone = fc.constantFrom('Asia/Shanghai', 'Europe/Berlin', 'America/New_York');
    fc.assert(
      fc.property(millis, zone, (ms, tz) => {
        const instant = new Date(ms);
        const { start, end } = monthBounds(instant, tz);
        expect(start.getTime()).toBeLessThanOrEqual(ms);
        expect(end.getTime()).toBeGreaterThan(ms);
        const key = monthKey(instant, tz);
        expect(monthKey(start, tz)).toBe(key);
        expect(monthKey(new Date(end.getTime() - 1), tz)).toBe(key);
        expect(monthKey(end, tz)).not.toBe(key);
      }),
    );
  });
});

describe('formatLocal', () => {
  test('when 10:00 UTC on 25 November is shown to people in Shanghai, it reads "2026-11-25 18:00"', () => {
    expect(formatLocal(utc('2026-11-25T10:00:00Z'))).toBe('2026-11-25 18:00');
  });

  test('when month, day, hour and minute are single digits, each is padded to two', () => {
    expect(formatLocal(utc('2026-12-31T23:05:00Z'))).toBe('2027-01-01 07:05');
  });

  test('when the zone is given, the time is shown in that zone', () => {
    expect(formatLocal(utc('2026-07-01T10:00:00Z'), 'Europe/Berlin')).toBe('2026-07-01 12:00');
  });

  test('when the time is local midnight, it reads 00:00', () => {
    expect(formatLocal(utc('2026-05-31T16:00:00Z'))).toBe('2026-06-01 00:00');
  });
});
