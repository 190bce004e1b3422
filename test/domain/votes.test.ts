/**
 * The quarterly council's decision rules (domain/votes.ts): the 5030 rule (5030制) — yes MORE than 50%
 * and no LESS than 30% of the base, both strict — the quorum, and counting ballots.
 */
import fc from 'fast-check';
import {
  type Tally,
  type VoteChoice,
  VOTE_CHOICES,
  decideMotion,
  quorumMet,
  quorumCount,
  parseFraction,
  isFraction,
  formatFraction,
  tallyVotes,
} from '../../domain/votes';

const tally = (yes: number, no: number, abstain: number): Tally => ({ yes, no, abstain });

/** The 5030 rule over exact integers, written independently of the module: yes/base > 1/2, no/base < 3/10. */
function passes5030(yes: number, no: number, base: number): boolean {
  const b = BigInt(base);
  return b > 0n && BigInt(yes) * 2n > b && BigInt(no) * 10n < b * 3n;
}

const count = fc.integer({ min: 0, max: 200 });
const tallies = fc.record({ yes: count, no: count, abstain: count });

/** Ends in 通过 but not in 未通过 (which also ends in 通过). */
function saysPassed(arithmetic: string): boolean {
  return arithmetic.endsWith('通过') && !arithmetic.endsWith('未通过');
}

describe('decideMotion: the 5030 rule at its boundaries (base = everyone who voted)', () => {
  test('when 5 of 10 vote yes, the motion fails: 50% is not more than half', () => {
    const result = decideMotion(tally(5, 0, 5));

    expect(result.passed).toBe(false);
    expect(result.base).toBe(10);
  });

  test('when 6 of 10 vote yes and 3 vote no, the motion fails: 30% no is not less than 30%', () => {
    const result = decideMotion(tally(6, 3, 1));

    expect(result.passed).toBe(false);
  });

  test('when 6 vote yes, 2 no and 2 abstain, the motion passes: 60% yes and 20% no', () => {
    const result = decideMotion(tally(6, 2, 2));

    expect(result.passed).toBe(true);
  });

  test('when 51 vote yes, 29 no and 20 abstain, the motion passes: 51% > 50% and 29% < 30%', () => {
    const result = decideMotion(tally(51, 29, 20));

    expect(result.passed).toBe(true);
  });

  test('when 51 vote yes, 30 no and 19 abstain, the motion fails: exactly 30% no', () => {
    const result = decideMotion(tally(51, 30, 19));

    expect(result.passed).toBe(false);
  });

  test('when 50 vote yes, none no and 50 abstain, the motion fails: exactly half is not a majority', () => {
    const result = decideMotion(tally(50, 0, 50));

    expect(result.passed).toBe(false);
  });

  test('when 7 vote yes and 3 no with no abstentions, the motion fails on the no votes alone (30%)', () => {
    const result = decideMotion(tally(7, 3, 0));

    expect(result.passed).toBe(false);
  });

  test('when 1 of 1 votes yes, the motion passes: 100% yes, 0% no', () => {
    const result = decideMotion(tally(1, 0, 0));

    expect(result.passed).toBe(true);
  });

  test('when 6, 2, 2 pass but two more abstain (6, 2, 4), the motion fails: abstentions count in the base', () => {
    const before = decideMotion(tally(6, 2, 3));
    const after = decideMotion(tally(6, 2, 4));

    expect(before.passed).toBe(true);
    expect(after.passed).toBe(false);
  });
});

describe('decideMotion: the result it returns', () => {
  test('when no base kind is given, the base is yes + no + abstain and the kind is votesCast', () => {
    const result = decideMotion(tally(4, 2, 3));

    expect(result.base).toBe(9);
    expect(result.baseKind).toBe('votesCast');
    expect(result.tally).toEqual({ yes: 4, no: 2, abstain: 3 });
  });

  test('when a motion passes, its arithmetic names every count over the base and ends with 通过', () => {
    const result = decideMotion(tally(6, 2, 2));

    expect(result.arithmetic).toContain('基数 10');
    expect(result.arithmetic).toContain('赞成 6/10');
    expect(result.arithmetic).toContain('反对 2/10');
    expect(result.arithmetic).toContain('弃权 2');
    expect(result.arithmetic).toContain('60.0%');
    expect(result.arithmetic).toContain('20.0%');
    expect(saysPassed(result.arithmetic)).toBe(true);
  });

  test('when a motion fails, its arithmetic ends with 未通过 and shows the failing comparison', () => {
    const result = decideMotion(tally(51, 30, 19));

    expect(result.arithmetic).toContain('赞成 51/100');
    expect(result.arithmetic).toContain('反对 30/100');
    expect(result.arithmetic).toContain('≥ 30%');
    expect(result.arithmetic.endsWith('未通过')).toBe(true);
  });

  test('when exactly half vote yes, the arithmetic shows yes as not more than 50%', () => {
    const result = decideMotion(tally(5, 0, 5));

    expect(result.arithmetic).toContain('50.0% ≤ 50%');
    expect(result.arithmetic.endsWith('未通过')).toBe(true);
  });

  test('for any tally, the arithmetic mentions the yes, no and abstain counts and agrees with passed', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        const result = decideMotion(t);
        const base = t.yes + t.no + t.abstain;

        expect(result.arithmetic).toContain(`赞成 ${t.yes}/${base}`);
        expect(result.arithmetic).toContain(`反对 ${t.no}/${base}`);
        expect(result.arithmetic).toContain(`弃权 ${t.abstain}`);
        expect(saysPassed(result.arithmetic)).toBe(result.passed);
        expect(result.arithmetic.endsWith('未通过')).toBe(!result.passed);
      }),
    );
  });
});

describe('decideMotion: other bases', () => {
  test('when the base is those present and 13 are present, 6 yes of 8 votes fails: 6 is not more than half of 13', () => {
    const result = decideMotion(tally(6, 1, 1), { baseKind: 'present', present: 13 });

    expect(result.passed).toBe(false);
    expect(result.base).toBe(13);
    expect(result.baseKind).toBe('present');
    expect(result.arithmetic).toContain('出席人数');
    expect(result.arithmetic).toContain('赞成 6/13');
  });

  test('when the base is those present and 11 are present, 6 yes and 1 no passes', () => {
    const result = decideMotion(tally(6, 1, 1), { baseKind: 'present', present: 11 });

    expect(result.passed).toBe(true);
    expect(result.base).toBe(11);
  });

  test('when the base is all 15 members, 8 yes and 4 no passes though 4 of 12 votes cast (33%) would fail', () => {
    const byVotes = decideMotion(tally(8, 4, 0));
    const byMembers = decideMotion(tally(8, 4, 0), { baseKind: 'members', members: 15 });

    expect(byVotes.passed).toBe(false);
    expect(byMembers.passed).toBe(true);
    expect(byMembers.base).toBe(15);
    expect(byMembers.baseKind).toBe('members');
    expect(byMembers.arithmetic).toContain('全体成员');
  });

  test('when the base is all 12 members, 6 yes fails: exactly half of the members', () => {
    const result = decideMotion(tally(6, 0, 0), { baseKind: 'members', members: 12 });

    expect(result.passed).toBe(false);
  });

  test('for any tally and any base of present or members, passed equals the exact 5030 rule on that base', () => {
    fc.assert(
      fc.property(
        tallies,
        fc.constantFrom('present' as const, 'members' as const),
        fc.integer({ min: 0, max: 600 }),
        (t, baseKind, n) => {
          const result = decideMotion(t, { baseKind, present: n, members: n });

          expect(result.base).toBe(n);
          expect(result.passed).toBe(passes5030(t.yes, t.no, n));
        },
      ),
    );
  });
});

describe('decideMotion: a base of zero', () => {
  test('when nobody voted, the motion fails and the base is 0', () => {
    const result = decideMotion(tally(0, 0, 0));

    expect(result.passed).toBe(false);
    expect(result.base).toBe(0);
    expect(result.arithmetic.endsWith('未通过')).toBe(true);
  });

  test('when the base is those present and 0 are recorded present, even a unanimous yes fails', () => {
    const result = decideMotion(tally(3, 0, 0), { baseKind: 'present', present: 0 });

    expect(result.passed).toBe(false);
    expect(result.base).toBe(0);
  });

  test('when the base is members and there are 0 members, even a unanimous yes fails', () => {
    const result = decideMotion(tally(3, 0, 0), { baseKind: 'members', members: 0 });

    expect(result.passed).toBe(false);
  });

  test('for any tally, a base of 0 never passes', () => {
    fc.assert(
      fc.property(tallies, fc.constantFrom('present' as const, 'members' as const), (t, baseKind) => {
        expect(decideMotion(t, { baseKind, present: 0, members: 0 }).passed).toBe(false);
      }),
    );
  });
});

describe('decideMotion: properties over arbitrary tallies (0..200 each)', () => {
  test('for any tally, passed equals the exact rational rule yes/cast > 1/2 and no/cast < 3/10', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        const result = decideMotion(t);

        expect(result.base).toBe(t.yes + t.no + t.abstain);
        expect(result.passed).toBe(passes5030(t.yes, t.no, t.yes + t.no + t.abstain));
      }),
      { numRuns: 2000 },
    );
  });

  test('for tallies that sit exactly on a boundary (yes = half, or no = 30%), the motion always fails', () => {
    const onBoundary = fc.integer({ min: 1, max: 60 }).chain((k) =>
      fc.oneof(
        // yes exactly half of 2k; the rest split between no and abstain
        fc.integer({ min: 0, max: k }).map((no) => tally(k, no, k - no)),
        // no exactly 30% of 10k; yes anywhere in the rest
        fc.integer({ min: 0, max: 7 * k }).map((yes) => tally(yes, 3 * k, 7 * k - yes)),
      ),
    );
    fc.assert(
      fc.property(onBoundary, (t) => {
        expect(decideMotion(t).passed).toBe(false);
      }),
    );
  });

  test('for any passing tally, turning an abstention into a yes never makes it fail', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        fc.pre(t.abstain > 0 && decideMotion(t).passed);

        expect(decideMotion(tally(t.yes + 1, t.no, t.abstain - 1)).passed).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('for any failing tally, turning a yes into a no never makes it pass', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        fc.pre(t.yes > 0 && !decideMotion(t).passed);

        expect(decideMotion(tally(t.yes - 1, t.no + 1, t.abstain)).passed).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test('for any passing tally, one more yes vote (which also grows the base) keeps it passing', () => {
    // 2y > b implies 2(y+1) > b+1, and 10n < 3b implies 10n < 3(b+1).
    fc.assert(
      fc.property(tallies, (t) => {
        fc.pre(decideMotion(t).passed);

        expect(decideMotion(tally(t.yes + 1, t.no, t.abstain)).passed).toBe(true);
      }),
    );
  });

  test('for any failing tally, one more no vote keeps it failing', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        fc.pre(!decideMotion(t).passed);

        expect(decideMotion(tally(t.yes, t.no + 1, t.abstain)).passed).toBe(false);
      }),
    );
  });

  test('for any passing tally, yes outnumbers no', () => {
    fc.assert(
      fc.property(tallies, (t) => {
        fc.pre(decideMotion(t).passed);

        expect(t.yes).toBeGreaterThan(t.no);
      }),
    );
  });
});

describe('quorumMet (default: two thirds of the members present)', () => {
  test('when 6 of 9 members are present, the quorum is met: exactly two thirds', () => {
    expect(quorumMet(6, 9)).toBe(true);
  });

  test('when 5 of 9 members are present, the quorum is not met', () => {
    expect(quorumMet(5, 9)).toBe(false);
  });

  test('when 2 of 3 members are present, the quorum is met', () => {
    expect(quorumMet(2, 3)).toBe(true);
  });

  test('when 1 of 3 members is present, the quorum is not met', () => {
    expect(quorumMet(1, 3)).toBe(false);
  });

  test('when 66 of 100 members are present, the quorum is not met: 66% is short of two thirds', () => {
    expect(quorumMet(66, 100)).toBe(false);
    expect(quorumMet(67, 100)).toBe(true);
  });

  test('when the council has 0 members, the quorum is never met, whoever is counted present', () => {
    expect(quorumMet(0, 0)).toBe(false);
    expect(quorumMet(5, 0)).toBe(false);
  });

  test('when the compound sets the quorum to one half, 5 of 10 is met and 4 of 10 is not', () => {
    expect(quorumMet(5, 10, 0.5)).toBe(true);
    expect(quorumMet(4, 10, 0.5)).toBe(false);
  });

  test('when the compound sets the quorum to three quarters, 9 of 12 is met and 8 of 12 is not', () => {
    expect(quorumMet(9, 12, 3 / 4)).toBe(true);
    expect(quorumMet(8, 12, 3 / 4)).toBe(false);
  });

  test('for any present and members counts, the default quorum equals present*3 >= members*2 (members > 0)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), (present, members) => {
        const expected = members > 0 && BigInt(present) * 3n >= BigInt(members) * 2n;

        expect(quorumMet(present, members)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('tallyVotes', () => {
  test('when there are no ballots, every count is zero', () => {
    expect(tallyVotes([])).toEqual({ yes: 0, no: 0, abstain: 0 });
  });

  test('when ballots are mixed, each choice is counted on its own', () => {
    const votes: { choice: VoteChoice }[] = [
      { choice: 'yes' },
      { choice: 'no' },
      { choice: 'yes' },
      { choice: 'abstain' },
      { choice: 'yes' },
    ];

    expect(tallyVotes(votes)).toEqual({ yes: 3, no: 1, abstain: 1 });
  });

  test('for any list of ballots, the counts add up to the number of ballots and match each choice', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...VOTE_CHOICES), { maxLength: 300 }), (choices) => {
        const t = tallyVotes(choices.map((choice) => ({ choice })));

        expect(t.yes + t.no + t.abstain).toBe(choices.length);
        for (const c of VOTE_CHOICES) expect(t[c]).toBe(choices.filter((x) => x === c).length);
      }),
    );
  });
});

describe('the quorum as an exact share (parseFraction, quorumCount)', () => {
  test('when the share is written 2/3, 0.75 or "0.75", it is read exactly, reduced', () => {
    expect(parseFraction('2/3')).toEqual({ numerator: 2n, denominator: 3n });
    expect(parseFraction(0.75)).toEqual({ numerator: 3n, denominator: 4n });
    expect(parseFraction('0.75')).toEqual({ numerator: 3n, denominator: 4n });
    expect(parseFraction('4/6')).toEqual({ numerator: 2n, denominator: 3n });
  });

  test('when the quorum is 0.5001 of 2 members, one present is not a quorum (rounding the share would say it is)', () => {
    expect(quorumCount(2, 0.5001)).toBe(2);
    expect(quorumMet(1, 2, 0.5001)).toBe(false);
    expect(quorumCount(10_000, '0.5001')).toBe(5001);
    expect(quorumMet(5000, 10_000, '0.5001')).toBe(false);
  });

  test('when the share is what JavaScript makes of 2/3, it gives the same quorum as 2/3 for any council size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (members) => {
        expect(quorumCount(members, 2 / 3)).toBe(quorumCount(members, '2/3'));
      }),
    );
  });

  test('for any share p/q and council size, the quorum is the smallest n with n/members ≥ p/q', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (a, b, members) => {
          const [p, q] = a <= b ? [a, b] : [b, a];
          const n = quorumCount(members, `${p}/${q}`);
          expect(BigInt(n) * BigInt(q) >= BigInt(members) * BigInt(p)).toBe(true);
          expect(BigInt(n - 1) * BigInt(q) >= BigInt(members) * BigInt(p)).toBe(false);
        },
      ),
    );
  });

  test('when the share is 0, above 1, negative or not a number, it is refused', () => {
    for (const bad of [0, '0/3', 1.5, '4/3', -0.5, 'abc', '2/0', '']) {
      expect(isFraction(bad)).toBe(false);
      expect(() => parseFraction(bad)).toThrow(/比例/);
    }
    expect(isFraction(1)).toBe(true);
  });

  test('a share reads as people write it: 2/3, or a percentage when its denominator is large', () => {
    expect(formatFraction('2/3')).toBe('2/3');
    expect(formatFraction(0.75)).toBe('3/4');
    expect(formatFraction('0.5001')).toBe('50.01%');
  });
});
