import {
  countMembers,
  meetingRatePosition,
  orderRatePosition,
  periodMonths,
  rateMemberKey,
  voiceRates,
  voiceRatePosition,
} from '../../domain/rates';

describe('periods as months', () => {
  it.each([
    ['2026-11', ['2026-11']],
    ['2026-Q1', ['2026-01', '2026-02', '2026-03']],
    ['2026-Q4', ['2026-10', '2026-11', '2026-12']],
  ])('%s covers %j', (period, months) => {
    expect(periodMonths(period)).toEqual(months);
  });
  it('a year covers its twelve months in order', () => {
    expect(periodMonths('2027')).toEqual(
      Array.from({ length: 12 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`),
    );
  });
  it.each(['2026-13', '2026-Q5', '26', '2026-1', ''])(
    '%j is refused with a message naming the forms',
    (p) => {
      expect(() => periodMonths(p)).toThrow(/2026-11、2026-Q4 或 2026/);
    },
  );
});

describe('rate positions', () => {
  const base = { kind: 'complaint', assignee: 'ownersCommittee', category: 'fees', status: 'closed' };
  it('a voice raised at 00:30 on 1 November in Shanghai counts in November, though it is October in UTC', () => {
    const p = voiceRatePosition({ ...base, createdAt: new Date('2026-10-31T16:30:00Z') }, 'Asia/Shanghai');
    expect(p?.month).toBe('2026-11');
    expect(voiceRatePosition({ ...base, createdAt: new Date('2026-10-31T16:30:00Z') }, 'UTC')?.month).toBe(
      '2026-10',
    );
  });
  it('praise has no position', () => {
    expect(voiceRatePosition({ ...base, kind: 'praise', createdAt: new Date() }, 'Asia/Shanghai')).toBeNull();
  });
  it('counting positions gives the groups the rate functions fold', () => {
    const at = new Date('2026-11-05T00:00:00Z');
    const codes = [
      voiceRatePosition({ ...base, createdAt: at, satisfaction: 'satisfied', respondedOnTime: true }, 'UTC')!
        .code,
      voiceRatePosition({ ...base, createdAt: at, satisfaction: 'satisfied', respondedOnTime: true }, 'UTC')!
        .code,
      voiceRatePosition({ ...base, createdAt: at, status: 'assigned' }, 'UTC')!.code,
      orderRatePosition({ deadline: at, owner: 'ownersCommittee', status: 'verified', onTime: true }, 'UTC')
        .code,
      meetingRatePosition({ holdBy: at, type: 'monthlyConsultation' }, 'UTC').code,
    ];
    const counts = countMembers(codes);
    expect(counts.voices).toContainEqual({
      assignee: 'ownersCommittee',
      category: 'fees',
      status: 'closed',
      satisfaction: 'satisfied',
      respondedOnTime: true,
      count: 2,
    });
    expect(voiceRates(counts.voices)).toEqual({
      voices: 3,
      responseRate: 2 / 3,
      resolutionRate: 2 / 3,
      satisfactionRate: 1,
    });
    expect(counts.orders).toEqual([{ owner: 'ownersCommittee', status: 'verified', onTime: true, count: 1 }]);
    expect(counts.meetings).toEqual([{ type: 'monthlyConsultation', heldOnTime: null, count: 1 }]);
  });
  it('member keys never hold "." or start with "$", and stay distinct', () => {
    const ids = ['a.b', '$x', 'a%2eb', 'monthly-consultation/c1/2026-11', 'a.b.'];
    const keys = ids.map((id) => rateMemberKey('meeting', id));
    for (const k of keys) {
      expect(k).not.toContain('.');
      expect(k.startsWith('$')).toBe(false);
    }
    expect(new Set(keys).size).toBe(ids.length);
  });
});
