/**
 * The statutory calendar adapter (activities/work-calendar.ts) over the chinese-days data file, as
 * installed: no servers. Coverage is what the data holds, never a hard-coded range.
 */
import { isWorkingDay } from '../../domain/working-days';
import { statutoryCalendar, workCalendarFor } from '../../activities/work-calendar';

describe('statutoryCalendar', () => {
  test('when no years are asked, the data covers 2004 to 2026, read from its own dates', () => {
    // Act
    const cal = statutoryCalendar();

    // Assert
    expect(cal.coveredYears).toEqual({ from: 2004, to: 2026 });
    const years = new Set(cal.holidays.map((k) => Number(k.slice(0, 4))));
    expect(Math.min(...years)).toBe(2004);
    expect(Math.max(...years)).toBe(2026);
  });

  test('when 2026 is read, National Day is a holiday and Sunday 20 September an adjusted workday', () => {
    const cal = statutoryCalendar();

    expect(cal.holidays).toContain('2026-10-01');
    expect(cal.workdays).toContain('2026-09-20');
    expect(isWorkingDay('2026-10-01', cal)).toBe(false);
    expect(isWorkingDay('2026-09-20', cal)).toBe(true);
  });

  test('when 2026 is read, its adjusted workdays are exactly the six the State Council announced', () => {
    const cal = statutoryCalendar({ from: 2026, to: 2026 });

    expect(cal.workdays).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(cal.holidays).toHaveLength(33);
  });

  test('when only some years are asked, only their dates come back and coverage is cut to them', () => {
    const cal = statutoryCalendar({ from: 2025, to: 2027 });

    expect(cal.holidays.every((k) => k >= '2025-01-01' && k <= '2027-12-31')).toBe(true);
    expect(cal.holidays).toContain('2025-10-01');
    expect(cal.coveredYears).toEqual({ from: 2025, to: 2026 });
    expect(statutoryCalendar({ from: 2030, to: 2031 })).toEqual({
      holidays: [],
      workdays: [],
      coveredYears: null,
    });
  });

  test('when a year range runs backwards, it is refused as invalid', () => {
    expect(() => statutoryCalendar({ from: 2027, to: 2026 })).toThrow(
      expect.objectContaining({ code: 'invalid' }),
    );
  });

  test('when the caller changes the returned lists, later calls still see the data', () => {
    statutoryCalendar().holidays.length = 0;

    expect(statutoryCalendar().holidays).toContain('2026-10-01');
  });
});

describe('workCalendarFor', () => {
  test('when a compound works National Day and rests 20 September, its settings override the statutory data', () => {
    // Arrange
    const compound = { settings: { meetings: { workdays: ['2026-10-01'], holidays: ['2026-09-20'] } } };

    // Act
    const cal = workCalendarFor(compound, { from: 2026, to: 2026 });

    // Assert
    expect(isWorkingDay('2026-10-01', cal)).toBe(true);
    expect(isWorkingDay('2026-09-20', cal)).toBe(false);
    expect(isWorkingDay('2026-10-02', cal)).toBe(false);
    expect(cal.coveredYears).toEqual({ from: 2026, to: 2026 });
  });

  test('when a compound has no settings, it gets the statutory calendar of the years asked', () => {
    expect(workCalendarFor({ settings: null }, { from: 2026, to: 2026 })).toEqual(
      statutoryCalendar({ from: 2026, to: 2026 }),
    );
  });
});

describe('loading the data', () => {
  test('when the chinese-days package cannot be loaded, the error says to run npm ci', async () => {
    await jest.isolateModulesAsync(async () => {
      // Arrange
      jest.doMock('chinese-days/dist/chinese-days.json', () => {
        throw Object.assign(new Error("Cannot find module 'chinese-days'"), { code: 'MODULE_NOT_FOUND' });
      });
      const fresh = await import('../../activities/work-calendar');

      // Act / Assert
      expect(() => fresh.statutoryCalendar()).toThrow(/run npm ci/);
    });
    jest.dontMock('chinese-days/dist/chinese-days.json');
  });
});
