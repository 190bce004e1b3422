/**
 * The reminder times and escalation ladders of meetings, orders and voices, and the dates they set, as
 * the workflows take them from the domain. Every instant is given: nothing here reads the clock.
 */
import { DAY_MS, HOUR_MS } from '../../domain/calendar';
import { SIGNER_LABELS, evaluationYearEnd } from '../../domain/evaluation';
import {
  CONVENERS,
  CONVENER_LABELS,
  COUNCIL_CONVENERS,
  DEFAULT_MEETING_SETTINGS as S,
  holdByAfterPostponement,
  meetingLadderClimbed,
  nextMeetingReminder,
  promptCoordinationDates,
} from '../../domain/meetings';
import { nextOrderReminder, orderDeadlineAt, orderLadderClimbed } from '../../domain/rectification';
import { DEFAULT_VOICE_SETTINGS as V, escalatedDeadline, feedbackClosesAt } from '../../domain/voices';
import type { WorkCalendar } from '../../domain/working-days';

const at = (iso: string) => new Date(iso);
const TZ = 'Asia/Shanghai';
const none = () => false;

describe("a meeting's reminders", () => {
  const plannedAt = at('2026-11-30T07:00:00Z');
  const holdBy = at('2026-12-01T16:00:00Z');

  test('the earliest reminder not yet sent, with the days before the meeting it says', () => {
    const now = at('2026-11-20T00:00:00Z');
    expect(nextMeetingReminder(plannedAt, holdBy, [1, 3], now, none)).toEqual({
      at: new Date(plannedAt.getTime() - 3 * DAY_MS),
      daysBefore: 3,
    });
    const sent = (t: Date) => t.getTime() === plannedAt.getTime() - 3 * DAY_MS;
    expect(nextMeetingReminder(plannedAt, holdBy, [3, 1], now, sent)).toEqual({
      at: new Date(plannedAt.getTime() - DAY_MS),
      daysBefore: 1,
    });
  });

  test('none once every reminder is sent or past, and none at or after the deadline to hold it', () => {
    expect(nextMeetingReminder(plannedAt, holdBy, [3, 1], at('2026-11-29T08:00:00Z'), none)).toBeUndefined();
    expect(nextMeetingReminder(plannedAt, holdBy, [3, 1], at('2026-11-20T00:00:00Z'), () => true)).toBe(
      undefined,
    );
    // Postponed past its deadline: the reminders would fall after it, so the ladder comes first.
    const late = at('2026-12-10T07:00:00Z');
    expect(nextMeetingReminder(late, holdBy, [3, 1], at('2026-11-20T00:00:00Z'), none)).toBeUndefined();
  });

  test('the ladder has two rungs, then the meeting waits', () => {
    expect([0, 1, 2, 3].map(meetingLadderClimbed)).toEqual([false, false, true, true]);
  });

  test('postponed: held by the old deadline, or by the end of the new local day if that is later', () => {
    expect(holdByAfterPostponement(holdBy, at('2026-11-30T09:00:00Z'), TZ)).toEqual(holdBy);
    // 2026-12-03 10:00 in Shanghai: held by the local midnight after it.
    expect(holdByAfterPostponement(holdBy, at('2026-12-03T02:00:00Z'), TZ)).toEqual(
      at('2026-12-03T16:00:00Z'),
    );
  });

  test('a prompt coordination is held within its days, planned a day before, never sooner than in an hour', () => {
    const now = at('2026-11-10T03:00:00Z');
    expect(promptCoordinationDates(now, S)).toEqual({
      plannedAt: at('2026-11-12T03:00:00Z'),
      holdBy: at('2026-11-13T03:00:00Z'),
    });
    expect(promptCoordinationDates(now, { ...S, promptCoordinationDays: 1 })).toEqual({
      plannedAt: new Date(now.getTime() + HOUR_MS),
      holdBy: at('2026-11-11T03:00:00Z'),
    });
  });

  test('the council is convened by the branch and the owners committee, named as the ledger names them', () => {
    expect(CONVENERS.quarterlyDeliberation).toEqual([...COUNCIL_CONVENERS]);
    expect(CONVENER_LABELS).toEqual({ partyBranch: '党支部', ownersCommittee: '业委会' });
    expect(SIGNER_LABELS).toEqual({ partyBranch: '党支部', supervisoryBoard: '监事会' });
  });
});

describe("an order's reminders, ladder and deadline", () => {
  const deadline = at('2026-12-15T16:00:00Z');
  const now = at('2026-12-01T00:00:00Z');

  test('reminded before its deadline, soonest unsent first, and no more once escalated', () => {
    expect(nextOrderReminder(deadline, 0, S.rectification, now, none)).toEqual({
      at: new Date(deadline.getTime() - 3 * DAY_MS),
      daysBefore: 3,
    });
    const sent = (t: Date) => t.getTime() === deadline.getTime() - 3 * DAY_MS;
    expect(nextOrderReminder(deadline, 0, S.rectification, now, sent)?.daysBefore).toBe(1);
    expect(nextOrderReminder(deadline, 1, S.rectification, now, none)).toBeUndefined();
    expect(nextOrderReminder(deadline, 0, S.rectification, at('2026-12-15T00:00:00Z'), none)).toBe(undefined);
  });

  test('the ladder has two rungs, then the order waits', () => {
    expect([0, 1, 2].map(orderLadderClimbed)).toEqual([false, false, true]);
  });

  test('a deadline in days, at an instant still ahead, or else by the default days', () => {
    expect(orderDeadlineAt('5', now, S)).toEqual(new Date(now.getTime() + 5 * DAY_MS));
    expect(orderDeadlineAt('2026-12-20T16:00:00Z', now, S)).toEqual(at('2026-12-20T16:00:00Z'));
    const fourteenDays = new Date(now.getTime() + 14 * DAY_MS);
    expect(orderDeadlineAt('2026-11-20T16:00:00Z', now, S)).toEqual(fourteenDays);
    expect(orderDeadlineAt(undefined, now, S)).toEqual(fourteenDays);
    expect(orderDeadlineAt('soon', now, S)).toEqual(fourteenDays);
  });

  test('a deadline falling on a holiday runs to the end of the first working day after it', () => {
    const holidays = ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06'];
    const calendar: WorkCalendar = {
      holidays: [...holidays, '2026-10-07'],
      workdays: [],
      coveredYears: { from: 2026, to: 2026 },
    };
    // 14 days after 2026-09-19 12:00 (Shanghai) is 10-03, a holiday: the deadline is the end of 10-08.
    const issued = at('2026-09-19T04:00:00Z');
    expect(orderDeadlineAt(undefined, issued, { ...S, calendar }, TZ)).toEqual(at('2026-10-08T16:00:00Z'));
    expect(orderDeadlineAt(undefined, issued, { ...S, calendar })).toEqual(at('2026-10-03T04:00:00Z'));
  });
});

describe("a voice's and the evaluation's dates", () => {
  test('a body a voice climbs to gets the step; the resident has the feedback window', () => {
    const now = at('2026-11-10T03:00:00Z');
    expect(escalatedDeadline(now, V)).toEqual(at('2026-11-12T03:00:00Z'));
    expect(feedbackClosesAt(now, V)).toEqual(at('2026-11-17T03:00:00Z'));
  });

  test("the year's record is final at the local new year", () => {
    expect(evaluationYearEnd(2026, TZ)).toEqual(at('2026-12-31T16:00:00Z'));
  });
});
