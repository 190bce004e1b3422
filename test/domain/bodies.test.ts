/**
 * One vocabulary for the bodies (domain/bodies.ts) and the time rules of meetings, orders and the
 * evaluation's sign-off (domain/meetings.ts, domain/rectification.ts, domain/evaluation.ts).
 */
import { BODIES, BODY_NAMES, BODY_SHORT_NAMES, isStaff, labelsOf } from '../../domain/bodies';
import { DAY_MS } from '../../domain/calendar';
import {
  EVALUATED_BODIES,
  SIGNING_BODIES,
  signOffDeadline,
  signOffEscalationAt,
  signOffReminderAt,
} from '../../domain/evaluation';
import {
  DEFAULT_MEETING_SETTINGS as S,
  ORDER_BODIES,
  ORDER_BODY_LABELS,
  agendaOpensAt,
  meetingDates,
  meetingEscalation,
  meetingWindow,
  resolutionDays,
  votingClosesAt,
} from '../../domain/meetings';
import { orderEscalationDue, orderReminderTimes, ORDER_ESCALATION_LADDER } from '../../domain/rectification';
import { ROLE_LABELS } from '../../domain/roles';
import { BODY_LABELS, RESPONSIBLE_BODIES, SUBJECT_LABELS } from '../../domain/voices';

const at = (iso: string) => new Date(iso);
const TZ = 'Asia/Shanghai';

describe('the bodies and their names', () => {
  test('every body has a full and a short Chinese name', () => {
    for (const b of BODIES) {
      expect(BODY_NAMES[b]).toMatch(/[\u4e00-\u9fa5]/);
      expect(BODY_SHORT_NAMES[b]).toMatch(/[\u4e00-\u9fa5]/);
    }
  });

  test('the label tables of voices, roles, subjects and orders speak the one vocabulary', () => {
    expect(BODY_LABELS).toEqual({
      selfManagementCommittee: '自管会',
      ownersCommittee: '业主委员会',
      partyBranch: '社区党支部',
      staff: '社区工作人员',
    });
    expect(Object.keys(BODY_LABELS)).toEqual([...RESPONSIBLE_BODIES]);
    for (const b of BODIES) expect(ROLE_LABELS[b]).toBe(BODY_NAMES[b]);
    expect(SUBJECT_LABELS.ownersCommittee).toBe(BODY_NAMES.ownersCommittee);
    expect(ORDER_BODIES).toEqual(BODIES);
    expect(ORDER_BODY_LABELS).toEqual({
      partyBranch: '社区党支部',
      ownersCommittee: '业委会',
      supervisoryBoard: '监事会',
      selfManagementCommittee: '自管会',
      staff: '社区',
    });
    expect(labelsOf(SIGNING_BODIES, BODY_SHORT_NAMES)).toEqual({
      partyBranch: '党支部',
      supervisoryBoard: '监事会',
    });
    expect([...EVALUATED_BODIES]).toEqual(['ownersCommittee', 'selfManagementCommittee']);
  });

  test('staff and administrators act for the community office; no other role does', () => {
    expect(isStaff(['staff'])).toBe(true);
    expect(isStaff(['resident', 'admin'])).toBe(true);
    expect(isStaff(['partyBranch', 'ownersCommittee', 'supervisoryBoard', 'selfManagementCommittee'])).toBe(
      false,
    );
    expect(isStaff([])).toBe(false);
  });
});

describe("a meeting's dates and ladder", () => {
  test('a period meeting takes its window; a meeting with its own date and no deadline is held within the week', () => {
    const w = meetingWindow('monthlyConsultation', '2026-11', TZ, S);
    expect(meetingDates('monthlyConsultation', '2026-11', TZ, S)).toEqual(w);
    const own = meetingDates('periodicCoordination', 'prompt-v1', TZ, S, {
      plannedAt: '2026-11-10T07:00:00Z',
    });
    expect(own).toEqual({
      plannedAt: at('2026-11-10T07:00:00Z'),
      holdBy: at('2026-11-17T07:00:00Z'),
      uncoveredYears: [],
    });
    const both = meetingDates('periodicCoordination', 'p', TZ, S, {
      plannedAt: '2026-11-10T07:00:00Z',
      holdBy: '2026-11-12T16:00:00Z',
    });
    expect(both.holdBy).toEqual(at('2026-11-12T16:00:00Z'));
  });

  test('the agenda is gathered when the first reminder falls due', () => {
    expect(agendaOpensAt(at('2026-11-30T07:00:00Z'), S)).toEqual(at('2026-11-27T07:00:00Z'));
    expect(agendaOpensAt(at('2026-11-30T07:00:00Z'), { ...S, reminderDaysBefore: [] })).toEqual(
      at('2026-11-30T07:00:00Z'),
    );
  });

  test('not held: first the party organization, then with the supervisory board and staff, each a step later', () => {
    const now = at('2026-12-01T00:00:00Z');
    expect(meetingEscalation(1, now, S)).toEqual({ to: ['partyBranch'], holdBy: at('2026-12-04T00:00:00Z') });
    expect(meetingEscalation(2, now, S).to).toEqual(['partyBranch', 'supervisoryBoard', 'staff']);
  });

  test("the council's voting window and a resolution's time", () => {
    expect(votingClosesAt(at('2026-12-25T07:00:00Z'), S)).toEqual(at('2026-12-25T09:00:00Z'));
    expect(resolutionDays(S)).toBe(28);
  });
});

describe("an order's reminders and ladder", () => {
  const deadline = at('2026-12-15T16:00:00Z');
  test('reminders still ahead, soonest first', () => {
    expect(orderReminderTimes(deadline, S.rectification, at('2026-12-01T00:00:00Z'))).toEqual([
      new Date(deadline.getTime() - 3 * DAY_MS),
      new Date(deadline.getTime() - DAY_MS),
    ]);
    expect(orderReminderTimes(deadline, S.rectification, at('2026-12-13T00:00:00Z'))).toEqual([
      new Date(deadline.getTime() - DAY_MS),
    ]);
  });

  test('overdue at the deadline, overdue again a second period later, then it waits', () => {
    expect(orderEscalationDue(deadline, 0, S.rectification)).toEqual(deadline);
    expect(orderEscalationDue(deadline, 1, S.rectification)).toEqual(
      new Date(deadline.getTime() + 14 * DAY_MS),
    );
    expect(ORDER_ESCALATION_LADDER.map((r) => r.referTo)).toEqual([
      'monthlyConsultation',
      'quarterlyDeliberation',
    ]);
  });
});

describe("the evaluation's sign-off", () => {
  test('due some days after the meeting deadline (or now, if later), reminded before, escalated a step apart', () => {
    const holdBy = at('2027-01-01T16:00:00Z');
    const by = signOffDeadline(at('2026-12-28T07:00:00Z'), holdBy, S);
    expect(by).toEqual(new Date(holdBy.getTime() + 15 * DAY_MS));
    expect(signOffDeadline(at('2027-01-05T00:00:00Z'), holdBy, S)).toEqual(at('2027-01-20T00:00:00Z'));
    expect(signOffReminderAt(by)).toEqual(new Date(by.getTime() - 3 * DAY_MS));
    expect(signOffEscalationAt(by, 0, S)).toEqual(by);
    expect(signOffEscalationAt(by, 2, S)).toEqual(new Date(by.getTime() + 6 * DAY_MS));
  });
});
