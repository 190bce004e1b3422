/**
 * Working days (domain/working-days.ts): China's statutory holidays and 调休 weekends, a compound's own
 * overrides, and deadlines counted as the 12345 hotlines count them. Every instant is explicit; the
 * 2026 calendar below is the State Council's, as the chinese-days data holds it.
 */
import fc from 'fast-check';
import { DAY_MS, dateKey, localParts, previousWorkingDay } from '../../domain/calendar';
import { DomainError } from '../../domain/errors';
import {
  type WorkCalendar,
  addWorkingDays,
  adjustDeadlineToWorkingDay,
  describeUncovered,
  isCovered,
  isWorkingDay,
  mergeCalendar,
  previousWorkingDayIn,
} from '../../domain/working-days';

const TZ = 'Asia/Shanghai';
const NY = 'America/New_York';
const at = (iso: string) => new Date(iso);

const range = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
};

const CHINA_2026: WorkCalendar = {
  holidays: [
    ...range('2026-01-01', '2026-01-03'), // 元旦
    ...range('2026-02-15', '2026-02-23'), // 春节
    ...range('2026-04-04', '2026-04-06'), // 清明
    ...range('2026-05-01', '2026-05-05'), // 劳动节
    ...range('2026-06-19', '2026-06-21'), // 端午
    ...range('2026-09-25', '2026-09-27'), // 中秋
    ...range('2026-10-01', '2026-10-07'), // 国庆节
  ],
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  coveredYears: { from: 2026, to: 2026 },
};

const refusal = (fn: () => unknown): DomainError | undefined => {
  try {
    fn();
  } catch (err) {
    return err as DomainError;
  }
  return undefined;
};

describe('isWorkingDay', () => {
  test('when a date is in no list, Monday to Friday work and the weekend rests', () => {
    const empty: WorkCalendar = { holidays: [], workdays: [], coveredYears: null };

    expect(isWorkingDay('2026-11-27', empty)).toBe(true); // Friday
    expect(isWorkingDay('2026-11-28', empty)).toBe(false); // Saturday
    expect(isWorkingDay('2026-11-29', empty)).toBe(false); // Sunday
    expect(isWorkingDay('2026-11-30', empty)).toBe(true); // Monday
  });

  test('when National Day falls on weekdays, they rest, and the adjusted Saturday 10 October works', () => {
    expect(isWorkingDay('2026-10-01', CHINA_2026)).toBe(false); // Thursday
    expect(isWorkingDay('2026-10-07', CHINA_2026)).toBe(false); // Wednesday
    expect(isWorkingDay('2026-10-10', CHINA_2026)).toBe(true); // Saturday, 调休
    expect(isWorkingDay('2026-09-20', CHINA_2026)).toBe(true); // Sunday, 调休
  });

  test.each(['2026-1-05', '2026-02-30', '2027-02-29', 'tomorrow', ''])(
    'when the date key %p is not a real yyyy-mm-dd date, it is refused as invalid',
    (key) => {
      const err = refusal(() => isWorkingDay(key, CHINA_2026));

      expect(err).toBeInstanceOf(DomainError);
      expect(err?.code).toBe('invalid');
    },
  );
});

describe('isCovered', () => {
  test('when a year lies inside the statutory range it is covered, outside or with no data it is not', () => {
    const cal: WorkCalendar = { holidays: [], workdays: [], coveredYears: { from: 2004, to: 2026 } };

    expect([2003, 2004, 2026, 2027].map((y) => isCovered(y, cal))).toEqual([false, true, true, false]);
    expect(isCovered(2026, { ...cal, coveredYears: null })).toBe(false);
  });
});

describe('addWorkingDays', () => {
  test('when 1 working day is given at 23:59 on 30 September 2026, the National Day week is skipped and it ends at the end of 8 October', () => {
    // Arrange
    const from = at('2026-09-30T23:59:00+08:00');

    // Act
    const result = addWorkingDays(from, 1, TZ, CHINA_2026);

    // Assert
    expect(result).toEqual({ at: at('2026-10-09T00:00:00+08:00'), uncoveredYears: [] });
  });

  test('when 3 working days are given on 30 September 2026, the adjusted Saturday 10 October is the third', () => {
    const result = addWorkingDays(at('2026-09-30T10:00:00+08:00'), 3, TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-10-11T00:00:00+08:00'));
  });

  test('when 1 working day is given on Friday before the Spring Festival, the adjusted Saturday 14 February is that day', () => {
    const result = addWorkingDays(at('2026-02-13T10:00:00+08:00'), 1, TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-02-15T00:00:00+08:00'));
  });

  test('when 2 working days are given on Friday 13 February 2026, the nine-day Spring Festival is skipped to Tuesday 24 February', () => {
    const result = addWorkingDays(at('2026-02-13T10:00:00+08:00'), 2, TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-02-25T00:00:00+08:00'));
  });

  test('when 1 working day is given on Friday 27 February 2026, the adjusted Saturday 28 February ends it', () => {
    const result = addWorkingDays(at('2026-02-27T16:00:00+08:00'), 1, TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-03-01T00:00:00+08:00'));
  });

  test('when 1 working day is given on New Year’s Eve 2025, the holiday is skipped and Sunday 4 January 2026 works', () => {
    // The day of `from` itself (in uncovered 2025) is never judged, so nothing is reported uncovered.
    const result = addWorkingDays(at('2025-12-31T12:00:00+08:00'), 1, TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2026-01-05T00:00:00+08:00'), uncoveredYears: [] });
  });

  test('when a deadline runs into 2027, which the data does not cover, it is counted by weekends and 2027 is reported', () => {
    // Wednesday 30 December: Thursday 31 (1), Friday 1 January 2027 judged by weekends only (2), Monday 4 (3).
    const result = addWorkingDays(at('2026-12-30T10:00:00+08:00'), 3, TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2027-01-05T00:00:00+08:00'), uncoveredYears: [2027] });
    expect(describeUncovered(result.uncoveredYears)).toBe('节假日数据未覆盖 2027 年，已按周末推算');
  });

  test('when a deadline is given on Monday 28 February 2028, the leap day 29 February is the next working day', () => {
    const result = addWorkingDays(at('2028-02-28T09:00:00+08:00'), 1, TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2028-03-01T00:00:00+08:00'), uncoveredYears: [2028] });
  });

  test('when New York springs forward on Sunday 8 March 2026, the end of Monday is still local midnight (EDT)', () => {
    // Thursday 5 March at noon EST: Friday 6 (1) ends at 05:00 UTC; Monday 9 (2) ends at 04:00 UTC.
    const from = at('2026-03-05T12:00:00-05:00');

    const one = addWorkingDays(from, 1, NY, CHINA_2026);
    const two = addWorkingDays(from, 2, NY, CHINA_2026);

    expect(one.at).toEqual(at('2026-03-07T05:00:00Z'));
    expect(two.at).toEqual(at('2026-03-10T04:00:00Z'));
    expect(localParts(two.at, NY)).toMatchObject({ day: 10, hour: 0, minute: 0, second: 0 });
  });

  test('when New York falls back on Sunday 1 November 2026, the end of Monday is local midnight (EST)', () => {
    const result = addWorkingDays(at('2026-10-30T12:00:00-04:00'), 1, NY, CHINA_2026);

    expect(result.at).toEqual(at('2026-11-03T05:00:00Z'));
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'when the day count is %p, it is refused as invalid',
    (days) => {
      const err = refusal(() => addWorkingDays(at('2026-09-30T10:00:00+08:00'), days, TZ, CHINA_2026));

      expect(err).toBeInstanceOf(DomainError);
      expect(err?.code).toBe('invalid');
    },
  );

  test('when the start instant is not a valid date, it is refused as invalid', () => {
    const err = refusal(() => addWorkingDays(new Date(Number.NaN), 1, TZ, CHINA_2026));

    expect(err?.code).toBe('invalid');
  });

  test('when a compound lists every day as a holiday, the search is refused instead of running forever', () => {
    const allOff = mergeCalendar(CHINA_2026, { holidays: range('2026-10-01', '2028-12-31') });

    const err = refusal(() => addWorkingDays(at('2026-09-30T10:00:00+08:00'), 1, TZ, allOff));

    expect(err?.code).toBe('invalid');
  });
});

describe('mergeCalendar', () => {
  test('when a compound works a statutory holiday and rests a working day, its settings win both ways', () => {
    // Arrange
    const cal = mergeCalendar(CHINA_2026, {
      workdays: ['2026-10-07'],
      holidays: ['2026-10-09', '2026-10-10'],
    });

    // Act
    const deadline = addWorkingDays(at('2026-09-30T23:59:00+08:00'), 3, TZ, cal);

    // Assert
    expect(isWorkingDay('2026-10-07', cal)).toBe(true); // statutory holiday, compound workday
    expect(isWorkingDay('2026-10-10', cal)).toBe(false); // statutory 调休, compound holiday
    expect(cal.holidays).not.toContain('2026-10-07');
    expect(cal.workdays).not.toContain('2026-10-10');
    // 7 (1), 8 (2), 9 and 10 and 11 off, Monday 12 (3).
    expect(deadline.at).toEqual(at('2026-10-13T00:00:00+08:00'));
  });

  test('when a compound adds a holiday on a weekday, the statutory data is kept beside it, sorted and once each', () => {
    const cal = mergeCalendar(CHINA_2026, { holidays: ['2026-12-31', '2026-10-01'] });

    expect(cal.holidays).toEqual([...CHINA_2026.holidays, '2026-12-31']);
    expect(cal.workdays).toEqual(CHINA_2026.workdays);
    expect(cal.coveredYears).toEqual({ from: 2026, to: 2026 });
  });

  test('when a compound lists one date as both holiday and workday, it is a workday', () => {
    const cal = mergeCalendar(CHINA_2026, { holidays: ['2026-11-28'], workdays: ['2026-11-28'] });

    expect(isWorkingDay('2026-11-28', cal)).toBe(true);
    expect(cal.holidays).not.toContain('2026-11-28');
  });

  test('when a compound setting is not a yyyy-mm-dd date, it is refused as invalid', () => {
    const err = refusal(() => mergeCalendar(CHINA_2026, { holidays: ['2026/10/01'] }));

    expect(err?.code).toBe('invalid');
  });
});

describe('adjustDeadlineToWorkingDay', () => {
  test('when a deadline falls on a National Day holiday, it moves to the end of the first working day after it', () => {
    const result = adjustDeadlineToWorkingDay(at('2026-10-03T15:00:00+08:00'), TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2026-10-09T00:00:00+08:00'), uncoveredYears: [] });
  });

  test('when a deadline falls on a working day, it is returned unchanged', () => {
    const deadline = at('2026-10-09T15:00:00+08:00');

    expect(adjustDeadlineToWorkingDay(deadline, TZ, CHINA_2026)).toEqual({
      at: deadline,
      uncoveredYears: [],
    });
  });

  test('when a deadline falls on the adjusted working Saturday 10 October, it is returned unchanged', () => {
    const deadline = at('2026-10-10T12:00:00+08:00');

    expect(adjustDeadlineToWorkingDay(deadline, TZ, CHINA_2026).at).toEqual(deadline);
  });

  test('when a deadline is local midnight ending a working day, that day was its last and it stays', () => {
    // 00:00 on 1 October is the end of Wednesday 30 September.
    const deadline = at('2026-10-01T00:00:00+08:00');

    expect(adjustDeadlineToWorkingDay(deadline, TZ, CHINA_2026).at).toEqual(deadline);
  });

  test('when a deadline is local midnight ending a holiday, it moves to the end of the next working day', () => {
    const result = adjustDeadlineToWorkingDay(at('2026-10-02T00:00:00+08:00'), TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-10-09T00:00:00+08:00'));
  });

  test('when a deadline falls on a Saturday of uncovered 2027, it moves to Monday by weekends and reports 2027', () => {
    const result = adjustDeadlineToWorkingDay(at('2027-03-06T10:00:00+08:00'), TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2027-03-09T00:00:00+08:00'), uncoveredYears: [2027] });
  });
});

describe('previousWorkingDayIn', () => {
  test('when a meeting is due during the Labour Day holiday, it is held at the same time on Thursday 30 April', () => {
    const result = previousWorkingDayIn(at('2026-05-04T15:00:00+08:00'), TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2026-04-30T15:00:00+08:00'), uncoveredYears: [] });
  });

  test('when a meeting is due on the last holiday, 5 May, it still moves back to 30 April', () => {
    const result = previousWorkingDayIn(at('2026-05-05T09:30:00+08:00'), TZ, CHINA_2026);

    expect(result.at).toEqual(at('2026-04-30T09:30:00+08:00'));
  });

  test('when a meeting is due on a working day or the adjusted Saturday 9 May, it stays', () => {
    const wednesday = at('2026-05-06T15:00:00+08:00');
    const saturday = at('2026-05-09T15:00:00+08:00');

    expect(previousWorkingDayIn(wednesday, TZ, CHINA_2026).at).toEqual(wednesday);
    expect(previousWorkingDayIn(saturday, TZ, CHINA_2026).at).toEqual(saturday);
    expect(previousWorkingDayIn(at('2026-05-10T15:00:00+08:00'), TZ, CHINA_2026).at).toEqual(saturday);
  });

  test('when New Year’s Day 2026 moves back into uncovered 2025, 2025 is reported', () => {
    const result = previousWorkingDayIn(at('2026-01-01T15:00:00+08:00'), TZ, CHINA_2026);

    expect(result).toEqual({ at: at('2025-12-31T15:00:00+08:00'), uncoveredYears: [2025] });
  });

  test('for any instant of 2026, it agrees with previousWorkingDay over the same lists', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 10), max: Date.UTC(2026, 11, 31) }), (ms) => {
        const instant = new Date(ms);

        const result = previousWorkingDayIn(instant, TZ, CHINA_2026);

        expect(result.at).toEqual(previousWorkingDay(instant, TZ, CHINA_2026.holidays, CHINA_2026.workdays));
      }),
    );
  });
});

describe('describeUncovered', () => {
  test('when every year was covered, there is nothing to say', () => {
    expect(describeUncovered([])).toBeUndefined();
  });

  test('when several years were uncovered, each is named once, in order', () => {
    expect(describeUncovered([2028, 2027, 2027])).toBe('节假日数据未覆盖 2027、2028 年，已按周末推算');
  });
});

describe('addWorkingDays, for any instant and count', () => {
  const instants = fc
    .integer({ min: Date.UTC(2025, 5, 1), max: Date.UTC(2027, 5, 1) })
    .map((ms) => new Date(ms));
  const zones = fc.constantFrom(TZ, NY);
  const dayBefore = (instant: Date, zone: string) => dateKey(new Date(instant.getTime() - 1), zone);

  test('it lands at a local midnight whose previous local day is the nth working day after the start', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 40 }), zones, (from, n, zone) => {
        const { at: end } = addWorkingDays(from, n, zone, CHINA_2026);

        const p = localParts(end, zone);
        expect([p.hour, p.minute, p.second, end.getTime() % 1000]).toEqual([0, 0, 0, 0]);
        expect(isWorkingDay(dayBefore(end, zone), CHINA_2026)).toBe(true);
        const counted: string[] = [];
        for (let t = end.getTime() - 1; dateKey(new Date(t), zone) !== dateKey(from, zone); t -= DAY_MS / 2) {
          const key = dateKey(new Date(t), zone);
          if (counted.at(-1) !== key && isWorkingDay(key, CHINA_2026)) counted.push(key);
        }
        expect(counted).toHaveLength(n);
      }),
    );
  });

  test('it is strictly later for every further working day, and already on a working day when adjusted', () => {
    fc.assert(
      fc.property(instants, fc.integer({ min: 1, max: 40 }), zones, (from, n, zone) => {
        const earlier = addWorkingDays(from, n, zone, CHINA_2026).at;
        const later = addWorkingDays(from, n + 1, zone, CHINA_2026).at;

        expect(later.getTime()).toBeGreaterThan(earlier.getTime());
        expect(earlier.getTime()).toBeGreaterThan(from.getTime());
        expect(adjustDeadlineToWorkingDay(earlier, zone, CHINA_2026).at).toEqual(earlier);
      }),
    );
  });
});
