import {
  countMembers,
  meetingRatePosition,
  orderRatePosition,
  periodMonths,
  rateMemberKey,
  tally,
  packTallies,
  unpackTallies,
  mergeTallies,
  voiceRates,
  orderRates,
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
      subject: null,
      count: 2,
    });
    expect(voiceRates(tally(counts).voices)).toEqual({
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

describe('tallies', () => {
  const t = tally({
    voices: [
      {
        assignee: 'a',
        category: 'x',
        status: 'closed',
        satisfaction: 'unsatisfied',
        respondedOnTime: false,
        count: 2,
      },
      { assignee: 'a', category: 'x', status: 'assigned', count: 1 },
    ],
    orders: [
      { owner: 'a', status: 'open', onTime: true, count: 1 }, // still open: not on time yet
      { owner: 'a', status: 'verified', onTime: true, count: 2 },
    ],
    meetings: [{ type: 'monthlyConsultation', heldOnTime: true, count: 1 }],
  });
  it('sum the numerators per body and category, owner and meeting type', () => {
    expect(t).toEqual({
      voices: [
        {
          assignee: 'a',
          category: 'x',
          subject: null,
          voices: 3,
          responded: 0,
          resolved: 2,
          satisfied: 0,
          verdicts: 2,
        },
      ],
      orders: [{ owner: 'a', orders: 3, onTime: 2 }],
      meetings: [{ type: 'monthlyConsultation', meetings: 1, onTime: 1 }],
    });
  });
  it('survive packing, and merging months adds them up', () => {
    expect(unpackTallies(packTallies(t))).toEqual(t);
    const two = mergeTallies([t, unpackTallies(packTallies(t))]);
    expect(two.voices[0]).toMatchObject({ voices: 6, resolved: 4, verdicts: 4 });
    expect(orderRatesOf(two)).toBe(2 / 3);
  });
});

function orderRatesOf(t: ReturnType<typeof tally>) {
  return orderRates(t.orders).onTimeRectificationRate;
}
