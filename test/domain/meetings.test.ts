/**
 * The four meetings (四会) in time (domain/meetings.ts): when each period's meeting is planned and by
 * when it must be held, in local Shanghai time, the periods each month starts, workflow ids and
 * reminders. Shanghai is UTC+8, so local 15:00 is 07:00 UTC and local midnight is 16:00 UTC the day before.
 */
import fc from 'fast-check';
import { DAY_MS, dateKey, localParts } from '../../domain/calendar';
import {
  DEFAULT_MEETING_SETTINGS,
  MEETING_SLUGS,
  MEETING_TYPES,
  type MeetingSettings,
  type MeetingType,
  endOfLocalDay,
  meetingTypeOfSlug,
  meetingWindow,
  meetingWorkflowId,
  motionExecutor,
  motionForOverdueOrder,
  periodsContaining,
  periodsStartingIn,
  reminderTimes,
} from '../../domain/meetings';
import type { WorkCalendar } from '../../domain/working-days';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);
const settings = (over: Partial<MeetingSettings> = {}): MeetingSettings => ({
  ...DEFAULT_MEETING_SETTINGS,
  ...over,
});

describe('meetingWindow: monthly consultation (支部、业委会每月商议会), at month end', () => {
  test('when the period is 2026-11, it is planned on Monday 30 November at 15:00 local and held by local midnight 1 December', () => {
    const w = meetingWindow('monthlyConsultation', '2026-11', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-11-30T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-11-30T16:00:00Z'));
  });

  test('when the month ends on a Saturday (31 January 2026), it is planned on Friday 30 January', () => {
    const w = meetingWindow('monthlyConsultation', '2026-01', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-01-30T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-01-31T16:00:00Z'));
  });

  test('when the month ends on a Sunday (31 May 2026), it is planned on Friday 29 May', () => {
    const w = meetingWindow('monthlyConsultation', '2026-05', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-05-29T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-05-31T16:00:00Z'));
  });

  test('when the month-end Thursday 31 December 2026 is a listed holiday, it is planned on Wednesday 30 December', () => {
    const w = meetingWindow('monthlyConsultation', '2026-12', TZ, settings({ holidays: ['2026-12-31'] }));

    expect(w.plannedAt).toEqual(at('2026-12-30T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('when the last two days of June 2026 (Mon 29, Tue 30) are holidays, it moves back over the weekend to Friday 26 June', () => {
    const w = meetingWindow(
      'monthlyConsultation',
      '2026-06',
      TZ,
      settings({ holidays: ['2026-06-29', '2026-06-30'] }),
    );

    expect(w.plannedAt).toEqual(at('2026-06-26T07:00:00Z'));
  });

  test('when the month-end Saturday 31 January 2026 is an adjusted working day (调休), it stays on that Saturday', () => {
    const w = meetingWindow('monthlyConsultation', '2026-01', TZ, settings({ workdays: ['2026-01-31'] }));

    expect(w.plannedAt).toEqual(at('2026-01-31T07:00:00Z'));
  });

  test('when the period is February 2028 (a leap year), it is planned on Tuesday 29 February and held by 1 March local', () => {
    const w = meetingWindow('monthlyConsultation', '2028-02', TZ, settings());

    expect(w.plannedAt).toEqual(at('2028-02-29T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2028-02-29T16:00:00Z'));
  });

  test('when the period is February 2027, whose 28th is a Sunday, it is planned on Friday 26 February', () => {
    const w = meetingWindow('monthlyConsultation', '2027-02', TZ, settings());

    expect(w.plannedAt).toEqual(at('2027-02-26T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2027-02-28T16:00:00Z'));
  });

  test('when the period is December, it is held by local midnight of 1 January of the next year', () => {
    const w = meetingWindow('monthlyConsultation', '2026-12', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-12-31T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-31T16:00:00Z'));
  });
});

describe('meetingWindow: periodic coordination (业委会、自管会定期协调会), mid-month', () => {
  test('when the period is 2026-12, it is planned on Tuesday 15 December at 15:00 and held by the end of 20 December', () => {
    const w = meetingWindow('periodicCoordination', '2026-12', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-12-15T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-20T16:00:00Z'));
  });

  test('when the 15th is a Sunday (15 November 2026), it is planned on Friday 13 November and held by the end of 18 November', () => {
    const w = meetingWindow('periodicCoordination', '2026-11', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-11-13T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-11-18T16:00:00Z'));
  });

  test('when the compound sets day 10, December 2026 plans it on Thursday 10 December, held by the end of 15 December', () => {
    const w = meetingWindow('periodicCoordination', '2026-12', TZ, settings({ coordinationDayOfMonth: 10 }));

    expect(w.plannedAt).toEqual(at('2026-12-10T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-15T16:00:00Z'));
  });

  test('when the compound sets day 31 and the month is February 2028, it is planned on the 29th, held by the end of 5 March', () => {
    const w = meetingWindow('periodicCoordination', '2028-02', TZ, settings({ coordinationDayOfMonth: 31 }));

    expect(w.plannedAt).toEqual(at('2028-02-29T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2028-03-05T16:00:00Z'));
  });

  test('when the 15th is a listed holiday, it is planned on the working day before', () => {
    const w = meetingWindow('periodicCoordination', '2026-12', TZ, settings({ holidays: ['2026-12-15'] }));

    expect(w.plannedAt).toEqual(at('2026-12-14T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-19T16:00:00Z'));
  });
});

describe('meetingWindow: quarterly deliberation council (社区党组织主导季度议事会)', () => {
  test('when the period is 2026-Q4, it is planned on Friday 25 December at 15:00 and held by 1 January 2027 local', () => {
    const w = meetingWindow('quarterlyDeliberation', '2026-Q4', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-12-25T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('when the period is 2026-Q1, it is planned on Wednesday 25 March and held by 1 April local', () => {
    const w = meetingWindow('quarterlyDeliberation', '2026-Q1', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-03-25T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-03-31T16:00:00Z'));
  });

  test.each([
    ['2026-Q2', '2026-06-25T07:00:00Z', '2026-06-30T16:00:00Z'],
    ['2026-Q3', '2026-09-25T07:00:00Z', '2026-09-30T16:00:00Z'],
  ])(
    'when the period is %s, it is planned on the 25th of its last month and held by the next quarter',
    (p, planned, holdBy) => {
      const w = meetingWindow('quarterlyDeliberation', p, TZ, settings());

      expect(w.plannedAt).toEqual(at(planned));
      expect(w.holdBy).toEqual(at(holdBy));
    },
  );

  test('when 25 December falls on a Saturday (2027-Q4), it is planned on Friday 24 December', () => {
    const w = meetingWindow('quarterlyDeliberation', '2027-Q4', TZ, settings());

    expect(w.plannedAt).toEqual(at('2027-12-24T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2027-12-31T16:00:00Z'));
  });
});

describe('meetingWindow: annual evaluation (支部与监事会年度评估会)', () => {
  test('when the period is 2026, it is planned on Monday 28 December at 15:00 and held by 1 January 2027 local', () => {
    const w = meetingWindow('annualEvaluation', '2026', TZ, settings());

    expect(w.plannedAt).toEqual(at('2026-12-28T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('when 28 December is a Sunday (2025), it is planned on Friday 26 December', () => {
    const w = meetingWindow('annualEvaluation', '2025', TZ, settings());

    expect(w.plannedAt).toEqual(at('2025-12-26T07:00:00Z'));
    expect(w.holdBy).toEqual(at('2025-12-31T16:00:00Z'));
  });
});

describe('meetingWindow: every period', () => {
  const monthPeriods = fc
    .record({ y: fc.integer({ min: 2000, max: 2100 }), m: fc.integer({ min: 1, max: 12 }) })
    .map(({ y, m }) => `${y}-${String(m).padStart(2, '0')}`);
  const anyWindow = fc.oneof(
    monthPeriods.map((p) => ['monthlyConsultation', p] as const),
    monthPeriods.map((p) => ['periodicCoordination', p] as const),
    fc
      .record({ y: fc.integer({ min: 2000, max: 2100 }), q: fc.integer({ min: 1, max: 4 }) })
      .map(({ y, q }) => ['quarterlyDeliberation', `${y}-Q${q}`] as const),
    fc.integer({ min: 2000, max: 2100 }).map((y) => ['annualEvaluation', String(y)] as const),
  );

  test('for any period, the plan is 15:00 local on a weekday and comes before the deadline, which is local midnight', () => {
    fc.assert(
      fc.property(anyWindow, ([type, period]) => {
        const w = meetingWindow(type, period, TZ, settings());
        const planned = localParts(w.plannedAt, TZ);
        const deadline = localParts(w.holdBy, TZ);

        expect(planned).toMatchObject({ hour: 15, minute: 0, second: 0 });
        expect(planned.weekday).toBeLessThanOrEqual(5);
        expect(w.plannedAt.getTime()).toBeLessThan(w.holdBy.getTime());
        expect(deadline).toMatchObject({ hour: 0, minute: 0, second: 0 });
      }),
    );
  });

  test('for any month, the monthly consultation is planned in that local month, in its last week', () => {
    fc.assert(
      fc.property(monthPeriods, (period) => {
        const w = meetingWindow('monthlyConsultation', period, TZ, settings());
        const p = localParts(w.plannedAt, TZ);
        const lastDay = localParts(new Date(w.holdBy.getTime() - 1), TZ);

        expect(`${p.year}-${String(p.month).padStart(2, '0')}`).toBe(period);
        expect(lastDay.day - p.day).toBeLessThanOrEqual(2);
        expect(lastDay.month).toBe(p.month);
      }),
    );
  });
});

describe('meetingWindow: malformed periods', () => {
  test.each<[MeetingType, string]>([
    ['monthlyConsultation', '2026-13'],
    ['monthlyConsultation', '2026-00'],
    ['monthlyConsultation', '2026-1'],
    ['monthlyConsultation', '2026-Q4'],
    ['monthlyConsultation', ''],
    ['periodicCoordination', '2026/11'],
    ['periodicCoordination', '2026'],
    ['quarterlyDeliberation', '2026-Q5'],
    ['quarterlyDeliberation', '2026-Q0'],
    ['quarterlyDeliberation', '2026-11'],
    ['quarterlyDeliberation', '26-Q1'],
    ['annualEvaluation', '26'],
    ['annualEvaluation', '2026-11'],
    ['annualEvaluation', '20266'],
    ['annualEvaluation', 'abcd'],
  ])('when a %s period reads "%s", meetingWindow throws', (type, period) => {
    expect(() => meetingWindow(type, period, TZ, settings())).toThrow(/bad .*period/);
  });
});

describe('periodsStartingIn', () => {
  test('when January starts, the monthly consultation, the coordination and the first-quarter council start', () => {
    expect(periodsStartingIn(2027, 1)).toEqual([
      { type: 'monthlyConsultation', period: '2027-01' },
      { type: 'periodicCoordination', period: '2027-01' },
      { type: 'quarterlyDeliberation', period: '2027-Q1' },
    ]);
  });

  test('when April starts, the second-quarter council starts with the month', () => {
    expect(periodsStartingIn(2026, 4)).toEqual([
      { type: 'monthlyConsultation', period: '2026-04' },
      { type: 'periodicCoordination', period: '2026-04' },
      { type: 'quarterlyDeliberation', period: '2026-Q2' },
    ]);
  });

  test('when a mid-quarter month like February starts, only the two monthly meetings start', () => {
    expect(periodsStartingIn(2026, 2)).toEqual([
      { type: 'monthlyConsultation', period: '2026-02' },
      { type: 'periodicCoordination', period: '2026-02' },
    ]);
  });

  test('when December starts, the annual evaluation of that year starts too', () => {
    expect(periodsStartingIn(2026, 12)).toEqual([
      { type: 'monthlyConsultation', period: '2026-12' },
      { type: 'periodicCoordination', period: '2026-12' },
      { type: 'annualEvaluation', period: '2026' },
    ]);
  });

  test('when a whole year runs, it starts 12 monthly, 12 coordination, 4 quarterly and 1 annual meeting, none twice', () => {
    const all = Array.from({ length: 12 }, (_, i) => periodsStartingIn(2026, i + 1)).flat();
    const count = (t: MeetingType) => all.filter((x) => x.type === t).length;

    expect(count('monthlyConsultation')).toBe(12);
    expect(count('periodicCoordination')).toBe(12);
    expect(count('quarterlyDeliberation')).toBe(4);
    expect(count('annualEvaluation')).toBe(1);
    expect(all.filter((x) => x.type === 'quarterlyDeliberation').map((x) => x.period)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
    expect(new Set(all.map((x) => `${x.type} ${x.period}`)).size).toBe(all.length);
  });

  test('for any month a cycle starts, every period it yields is one meetingWindow accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        for (const { type, period } of periodsStartingIn(y, m)) {
          expect(() => meetingWindow(type, period, TZ, settings())).not.toThrow();
        }
      }),
    );
  });
});

describe('meetingWorkflowId', () => {
  test('when the monthly consultation of 2026-11 is started for a compound, its id is monthly-consultation/<compound>/2026-11', () => {
    expect(meetingWorkflowId('monthlyConsultation', 'dongshunyuan', '2026-11')).toBe(
      'monthly-consultation/dongshunyuan/2026-11',
    );
  });

  test('when the quarterly council of 2026-Q4 is started, its id is quarterly-deliberation/<compound>/2026-Q4', () => {
    expect(meetingWorkflowId('quarterlyDeliberation', 'c1', '2026-Q4')).toBe(
      'quarterly-deliberation/c1/2026-Q4',
    );
  });

  test('when the coordination and the annual evaluation are started, their ids use their own slugs', () => {
    expect(meetingWorkflowId('periodicCoordination', 'c1', '2026-11')).toBe(
      'periodic-coordination/c1/2026-11',
    );
    expect(meetingWorkflowId('annualEvaluation', 'c1', '2026')).toBe('annual-evaluation/c1/2026');
  });
});

describe('meetingTypeOfSlug', () => {
  test.each(MEETING_TYPES.map((t) => [t]))(
    'when the slug of %s is read back, it gives the same type',
    (type) => {
      expect(meetingTypeOfSlug(MEETING_SLUGS[type])).toBe(type);
    },
  );

  test('when every type has a slug, no two types share one', () => {
    expect(new Set(Object.values(MEETING_SLUGS)).size).toBe(MEETING_TYPES.length);
  });

  test('when the slug is unknown or is a type name rather than a slug, there is no type', () => {
    expect(meetingTypeOfSlug('monthly')).toBeUndefined();
    expect(meetingTypeOfSlug('monthlyConsultation')).toBeUndefined();
    expect(meetingTypeOfSlug('')).toBeUndefined();
  });
});

describe('reminderTimes', () => {
  const meeting = at('2026-11-30T07:00:00Z');

  test('when the meeting is far ahead, reminders come 3 days and 1 day before, earliest first', () => {
    const times = reminderTimes(meeting, [3, 1], at('2026-11-01T00:00:00Z'));

    expect(times).toEqual([at('2026-11-27T07:00:00Z'), at('2026-11-29T07:00:00Z')]);
  });

  test('when the days are given nearest first, the reminders still come earliest first', () => {
    const times = reminderTimes(meeting, [1, 3], at('2026-11-01T00:00:00Z'));

    expect(times).toEqual([at('2026-11-27T07:00:00Z'), at('2026-11-29T07:00:00Z')]);
  });

  test('when the reminder 3 days before has already passed, only the one 1 day before remains', () => {
    const times = reminderTimes(meeting, [3, 1], at('2026-11-28T00:00:00Z'));

    expect(times).toEqual([at('2026-11-29T07:00:00Z')]);
  });

  test('when now is exactly the time of a reminder, that reminder is not given again', () => {
    const times = reminderTimes(meeting, [3, 1], at('2026-11-27T07:00:00Z'));

    expect(times).toEqual([at('2026-11-29T07:00:00Z')]);
  });

  test('when every reminder time has passed, there are none', () => {
    expect(reminderTimes(meeting, [3, 1], at('2026-11-29T08:00:00Z'))).toEqual([]);
  });

  test('when no reminder days are set, there are none', () => {
    expect(reminderTimes(meeting, [], at('2026-11-01T00:00:00Z'))).toEqual([]);
  });

  test('when reminders are computed, the settings array passed in is left unsorted', () => {
    const days = [1, 3];

    reminderTimes(meeting, days, at('2026-11-01T00:00:00Z'));

    expect(days).toEqual([1, 3]);
  });

  test('for any days and now, reminders are ascending, after now and whole days before the meeting', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 6 }),
        fc.integer({ min: -40 * DAY_MS, max: 0 }),
        (days, offset) => {
          const now = new Date(meeting.getTime() + offset);
          const times = reminderTimes(meeting, days, now);

          for (let i = 1; i < times.length; i++) {
            expect(times[i]!.getTime()).toBeGreaterThanOrEqual(times[i - 1]!.getTime());
          }
          for (const t of times) {
            expect(t.getTime()).toBeGreaterThan(now.getTime());
            expect((meeting.getTime() - t.getTime()) % DAY_MS).toBe(0);
          }
          expect(times.length).toBe(
            days.filter((d) => meeting.getTime() - d * DAY_MS > now.getTime()).length,
          );
        },
      ),
    );
  });
});

describe('endOfLocalDay', () => {
  test('when it is 15:00 local on 30 November, the day ends at local midnight of 1 December (16:00 UTC on the 30th)', () => {
    expect(endOfLocalDay(at('2026-11-30T07:00:00Z'), TZ)).toEqual(at('2026-11-30T16:00:00Z'));
  });

  test('when it is 00:30 local on 1 December (still 30 November in UTC), the local day ends at midnight of 2 December', () => {
    expect(endOfLocalDay(at('2026-11-30T16:30:00Z'), TZ)).toEqual(at('2026-12-01T16:00:00Z'));
  });

  test('when it is exactly local midnight, the day that just began ends 24 hours later', () => {
    expect(endOfLocalDay(at('2026-11-30T16:00:00Z'), TZ)).toEqual(at('2026-12-01T16:00:00Z'));
  });

  test('when it is one millisecond before local midnight, the day ends one millisecond later', () => {
    expect(endOfLocalDay(at('2026-11-30T15:59:59.999Z'), TZ)).toEqual(at('2026-11-30T16:00:00Z'));
  });

  test('when it is 31 December local evening, the day ends at local midnight of the new year', () => {
    expect(endOfLocalDay(at('2026-12-31T12:00:00Z'), TZ)).toEqual(at('2026-12-31T16:00:00Z'));
  });

  test('for any instant, the end is local midnight, within a day after it, and the instant and end - 1 ms share a date', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }), (ms) => {
        const instant = new Date(ms);
        const end = endOfLocalDay(instant, TZ);

        expect(end.getTime()).toBeGreaterThan(ms);
        expect(end.getTime() - ms).toBeLessThanOrEqual(DAY_MS);
        expect(localParts(end, TZ)).toMatchObject({ hour: 0, minute: 0, second: 0 });
        expect(dateKey(new Date(end.getTime() - 1), TZ)).toBe(dateKey(instant, TZ));
      }),
    );
  });
});

describe('periodsContaining', () => {
  it('when a cycle begins in November, it also runs the fourth quarter\u2019s council but no evaluation yet', () => {
    expect(periodsContaining(2026, 11).map((p) => `${p.type}:${p.period}`)).toEqual([
      'monthlyConsultation:2026-11',
      'periodicCoordination:2026-11',
      'quarterlyDeliberation:2026-Q4',
    ]);
  });

  it('when a cycle begins in December, it also runs the year\u2019s evaluation', () => {
    expect(periodsContaining(2026, 12).map((p) => p.type)).toContain('annualEvaluation');
    expect(periodsContaining(2026, 12).find((p) => p.type === 'annualEvaluation')?.period).toBe('2026');
  });
});

describe('who carries out a passed motion (motionExecutor)', () => {
  test('when a motion is to hire, renew or dismiss the self-management committee, the owners’ committee carries it out', () => {
    expect(motionExecutor('selfManagementCommittee')).toEqual({ executor: 'ownersCommittee' });
    expect(motionExecutor('selfManagementCommittee', 'ownersCommittee')).toEqual({
      executor: 'ownersCommittee',
    });
  });

  test('when such a motion names the self-management committee (or anyone but the owners’ committee) to carry it out, it is refused', () => {
    for (const to of ['selfManagementCommittee', 'partyBranch', 'staff', 'supervisoryBoard'] as const) {
      expect(motionExecutor('selfManagementCommittee', to)).toEqual({
        error: expect.stringMatching(/业主委员会/),
      });
    }
  });

  test('any other matter goes where the motion asks, by default to the self-management committee', () => {
    expect(motionExecutor('fundUse')).toEqual({ executor: 'selfManagementCommittee' });
    expect(motionExecutor('vitalInterests', 'partyBranch')).toEqual({ executor: 'partyBranch' });
  });

  test('when an order of the self-management committee is overdue twice, the council takes up the committee itself, carried out by the owners’ committee', () => {
    expect(motionForOverdueOrder('selfManagementCommittee')).toEqual({
      matter: 'selfManagementCommittee',
      delegateTo: 'ownersCommittee',
    });
    expect(motionForOverdueOrder('ownersCommittee')).toEqual({
      matter: 'vitalInterests',
      delegateTo: 'ownersCommittee',
    });
  });
});

describe('meetingWindow with China’s statutory calendar', () => {
  // The 2026 National Day holiday (1–7 October) and its adjusted working Saturday 10 October.
  const calendar: WorkCalendar = {
    holidays: [
      '2026-10-01',
      '2026-10-02',
      '2026-10-03',
      '2026-10-04',
      '2026-10-05',
      '2026-10-06',
      '2026-10-07',
    ],
    workdays: ['2026-09-20', '2026-10-10'],
    coveredYears: { from: 2004, to: 2026 },
  };

  test('when the coordination day falls in the National Day holiday, the meeting is planned on the working day before it', () => {
    const w = meetingWindow(
      'periodicCoordination',
      '2026-10',
      TZ,
      settings({ coordinationDayOfMonth: 5, calendar }),
    );

    expect(dateKey(w.plannedAt, TZ)).toBe('2026-09-30');
    expect(w.uncoveredYears).toEqual([]);
  });

  test('when the coordination day is an adjusted working Saturday, it is held that Saturday', () => {
    const w = meetingWindow(
      'periodicCoordination',
      '2026-10',
      TZ,
      settings({ coordinationDayOfMonth: 10, calendar }),
    );

    expect(dateKey(w.plannedAt, TZ)).toBe('2026-10-10');
  });

  test('when a meeting falls in a year the holiday data does not cover, the window says which year', () => {
    const w = meetingWindow('quarterlyDeliberation', '2027-Q1', TZ, settings({ calendar }));

    expect(w.uncoveredYears).toEqual([2027]);
    expect(localParts(w.plannedAt, TZ).weekday).toBeLessThan(6);
  });

  test('when the settings carry no calendar (meetings started before it was known), only the compound’s own lists count', () => {
    const w = meetingWindow('periodicCoordination', '2026-10', TZ, settings({ coordinationDayOfMonth: 5 }));

    expect(dateKey(w.plannedAt, TZ)).toBe('2026-10-05');
    expect(w.uncoveredYears).toEqual([]);
  });
});
