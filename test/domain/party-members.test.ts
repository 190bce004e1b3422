import {
  CONTACT_ESCALATION_LADDER,
  DEFAULT_PARTY_MEMBER_SETTINGS,
  PARTY_LEDGER_SUMMARIES,
  checkContactTime,
  contactDeadline,
  contactEscalationDue,
  contactEscalationTo,
  contactLadderClimbed,
  nextContactReminder,
  partyMemberSettingsOf,
} from '../../domain/party-members';
import { DomainError } from '../../domain/errors';

const DAY = 86_400_000;
const s = { ...DEFAULT_PARTY_MEMBER_SETTINGS, workingDays: false };

describe('party members: the find-and-link rules', () => {
  it('gives the branch the compound default of 7 calendar days when not counted in working days', () => {
    const from = new Date('2026-03-02T02:00:00Z');
    expect(contactDeadline(from, s, 'Asia/Shanghai').getTime()).toBe(from.getTime() + 7 * DAY);
  });

  it('counts the deadline in working days when a calendar is known (a weekend does not count)', () => {
    const from = new Date('2026-03-02T02:00:00Z'); // a Monday in Shanghai
    const cal = { holidays: [], workdays: [], coveredYears: null };
    const at = contactDeadline(from, { ...s, workingDays: true }, 'Asia/Shanghai', cal);
    expect(at.getTime()).toBeGreaterThan(from.getTime() + 7 * DAY);
  });

  it('reminds two days before the deadline, once, and not after an escalation', () => {
    const deadline = new Date('2026-03-09T02:00:00Z');
    const now = new Date('2026-03-02T02:00:00Z');
    const next = nextContactReminder(deadline, 0, s, now, () => false);
    expect(next).toEqual({ at: new Date(deadline.getTime() - 2 * DAY), daysBefore: 2 });
    expect(nextContactReminder(deadline, 0, s, now, () => true)).toBeUndefined();
    expect(nextContactReminder(deadline, 1, s, now, () => false)).toBeUndefined();
  });

  it('escalates at the deadline to the branch and staff, then a step later with the administrators, then waits', () => {
    const deadline = new Date('2026-03-09T02:00:00Z');
    expect(contactEscalationDue(deadline, 0, s)).toEqual(deadline);
    expect(contactEscalationDue(deadline, 1, s).getTime()).toBe(deadline.getTime() + 3 * DAY);
    expect(contactEscalationTo(1)).toEqual(['partyBranch', 'staff']);
    expect(contactEscalationTo(2)).toEqual(['partyBranch', 'staff', 'admin']);
    expect(contactLadderClimbed(CONTACT_ESCALATION_LADDER.length)).toBe(true);
    expect(contactLadderClimbed(1)).toBe(false);
  });

  it('keeps a compound setting only where it has the right shape', () => {
    expect(partyMemberSettingsOf({ contactDays: 10, reminderDaysBefore: ['x'] })).toEqual({
      ...DEFAULT_PARTY_MEMBER_SETTINGS,
      contactDays: 10,
    });
    expect(partyMemberSettingsOf(undefined)).toEqual(DEFAULT_PARTY_MEMBER_SETTINGS);
  });

  it('refuses a contact time in the future, naming body.at', () => {
    const now = new Date('2026-03-05T02:00:00Z');
    const err = (() => {
      try {
        checkContactTime(new Date(now.getTime() + 60_000), new Date('2026-03-02T02:00:00Z'), now);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).details).toEqual({ field: 'body.at' });
    expect(() => checkContactTime(now, new Date('2026-03-02T02:00:00Z'), now)).not.toThrow();
  });

  it('files ledger summaries that name no person', () => {
    const all = [
      PARTY_LEDGER_SUMMARIES.registered('inService'),
      PARTY_LEDGER_SUMMARIES.contacted('phone'),
      PARTY_LEDGER_SUMMARIES.linked(),
      PARTY_LEDGER_SUMMARIES.escalated(1),
      PARTY_LEDGER_SUMMARIES.reported(),
      PARTY_LEDGER_SUMMARIES.withdrawn(),
    ];
    for (const t of all) expect(t).toMatch(/一名|党员/);
  });
});
