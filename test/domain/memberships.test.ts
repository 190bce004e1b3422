import {
  checkMembership,
  councilCategoryOf,
  partyShare,
  rolesFrom,
  statusAt,
  termPlan,
  type MembershipProposal,
} from '../../domain/memberships';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-15T04:00:00Z');
const elected: MembershipProposal = {
  body: 'ownersCommittee',
  position: 'chair',
  termStart: NOW - DAY,
  termEnd: NOW + 3 * 365 * DAY,
  basis: { kind: 'elected', electedOn: '2026-06-10', ballotsFor: 180, ballotsCast: 240 },
};
const fields = (p: MembershipProposal) => checkMembership(p, NOW).map((e) => e.field);

describe('forming the bodies', () => {
  it('when an owners-committee chair is elected with a term of three years, nothing is refused', () => {
    expect(checkMembership(elected, NOW)).toEqual([]);
  });

  it('when the owners committee is said to be appointed, the basis is refused: it is elected', () => {
    expect(fields({ ...elected, basis: { kind: 'appointed', by: 'community' } })).toEqual([
      'body.basis.kind',
    ]);
  });

  it('when a term ends before it starts, or lasts more than five years, or has no end, the end is refused', () => {
    expect(fields({ ...elected, termEnd: elected.termStart - DAY })).toEqual(['body.termEnd']);
    expect(fields({ ...elected, termEnd: elected.termStart + 6 * 365 * DAY })).toEqual(['body.termEnd']);
    expect(fields({ ...elected, termEnd: undefined })).toEqual(['body.termEnd']);
  });

  it('when an office appointment has no end, it is open (staff serve until moved)', () => {
    expect(
      fields({
        body: 'staff',
        position: 'staffMember',
        termStart: NOW,
        basis: { kind: 'appointed', by: 'community' },
      }),
    ).toEqual([]);
  });

  it('when more ballots are for than were cast, the ballots are refused', () => {
    expect(fields({ ...elected, basis: { ...elected.basis, ballotsFor: 300 } as never })).toEqual([
      'body.basis.ballotsFor',
    ]);
  });

  it('when a supervisory board member is not a party member, or not retired without a reason, they are refused', () => {
    const board: MembershipProposal = {
      body: 'supervisoryBoard',
      position: 'member',
      termStart: NOW,
      termEnd: NOW + 365 * DAY,
      basis: { kind: 'appointed', by: 'partyOrganization' },
    };
    expect(fields(board)).toEqual(['body.userId']);
    expect(fields({ ...board, partyMember: 'inService' })).toEqual(['body.exceptionReason']);
    expect(fields({ ...board, partyMember: 'inService', exceptionReason: '退休在即，熟悉小区事务' })).toEqual(
      [],
    );
    expect(fields({ ...board, partyMember: 'retired' })).toEqual([]);
  });

  it('when a council seat has no category or a building leader no building, that field is named', () => {
    expect(fields({ ...elected, body: 'residentsCouncil', position: 'member' })).toEqual(['body.category']);
    expect(fields({ ...elected, body: 'buildingLeader', position: 'buildingLeader' })).toEqual([
      'body.buildingId',
    ]);
  });

  it('when the self-management committee is formed, only a hire by resolution is allowed', () => {
    expect(fields({ ...elected, body: 'selfManagementCommittee', position: 'member' })).toEqual([
      'body.basis.kind',
    ]);
    expect(
      fields({
        ...elected,
        body: 'selfManagementCommittee',
        position: 'member',
        basis: { kind: 'hired', resolutionOrderId: 'o1' },
      }),
    ).toEqual([]);
    expect(
      fields({ ...elected, body: 'selfManagementCommittee', position: 'member', basis: { kind: 'hired' } }),
    ).toEqual(['body.basis.resolutionOrderId']);
  });
});

describe('terms and roles', () => {
  it('when a term runs more than 30 days, the reminder falls 30 days before its end; a shorter one has none', () => {
    expect(termPlan(NOW, NOW + 100 * DAY)).toEqual({
      start: NOW,
      remindAt: NOW + 70 * DAY,
      end: NOW + 100 * DAY,
    });
    expect(termPlan(NOW, NOW + 20 * DAY)).toEqual({ start: NOW, end: NOW + 20 * DAY });
    expect(termPlan(NOW)).toEqual({ start: NOW });
  });

  it('when the instant passes the start, then the end, the status goes upcoming → current → ended', () => {
    const m = { termStart: NOW, termEnd: NOW + DAY };
    expect(statusAt(m, NOW - 1)).toBe('upcoming');
    expect(statusAt(m, NOW)).toBe('current');
    expect(statusAt(m, NOW + DAY)).toBe('ended');
    expect(statusAt({ ...m, endedAt: NOW + 1 }, NOW + 2)).toBe('ended');
  });

  it('when a person holds memberships and a home, their roles are those of the bodies and resident', () => {
    expect(rolesFrom([{ body: 'residentsCouncil' }, { body: 'ownersCommittee' }], true)).toEqual([
      'councilMember',
      'ownersCommittee',
      'resident',
    ]);
    expect(rolesFrom([], false)).toEqual([]);
  });

  it('when the council roster is drawn up, body members sit by their body and seats by their category', () => {
    expect(councilCategoryOf({ body: 'supervisoryBoard' })).toBe('supervisoryBoard');
    expect(councilCategoryOf({ body: 'residentsCouncil', category: 'propertyCompany' })).toBe(
      'propertyCompany',
    );
    expect(councilCategoryOf({ body: 'selfManagementCommittee' })).toBeUndefined();
  });

  it('when two of five owners committee members are party members, the share is 40%', () => {
    expect(partyShare([{ partyMember: 'retired' }, {}, { partyMember: 'inService' }, {}, {}])).toEqual({
      members: 5,
      partyMembers: 2,
      percent: 40,
    });
    expect(partyShare([])).toEqual({ members: 0, partyMembers: 0, percent: 0 });
  });
});
