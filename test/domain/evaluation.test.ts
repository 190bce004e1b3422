/**
 * The annual evaluation's arithmetic (domain/evaluation.ts): from a body's record in the supervisory
 * ledger, its rates, a score, and the proposed rating — 值得信任 / 一般 / 不值得信任.
 */
import fc from 'fast-check';
import { type BodyRecord, type Rates, proposeRating, ratesOf, scoreOf } from '../../domain/evaluation';

const THRESHOLDS = { trustworthy: 0.85, untrustworthy: 0.6 };

/** A record with nothing in it; tests fill in what they are about. */
function emptyRecord(): BodyRecord {
  return {
    body: 'selfManagementCommittee',
    rectifications: { total: 0, onTime: 0, late: 0, open: 0 },
    resolutions: { total: 0, onTime: 0, late: 0, open: 0 },
    escalations: 0,
    voices: { total: 0, respondedOnTime: 0, resolved: 0, withFeedback: 0, satisfied: 0 },
    meetings: { total: 0, heldOnTime: 0 },
  };
}

describe('ratesOf', () => {
  test('when a year has voices, feedback, rectifications, resolutions and meetings, each rate is its own ratio', () => {
    // Arrange: numbers chosen so that every ratio is different.
    const record: BodyRecord = {
      ...emptyRecord(),
      voices: { total: 40, respondedOnTime: 36, resolved: 30, withFeedback: 20, satisfied: 15 },
      rectifications: { total: 6, onTime: 4, late: 1, open: 1 },
      resolutions: { total: 4, onTime: 3, late: 1, open: 0 },
      meetings: { total: 16, heldOnTime: 14 },
    };

    // Act
    const rates = ratesOf(record);

    // Assert
    expect(rates.responseRate).toBe(36 / 40);
    expect(rates.resolutionRate).toBe(30 / 40);
    expect(rates.satisfactionRate).toBe(15 / 20);
    expect(rates.onTimeRectificationRate).toBe(7 / 10);
    expect(rates.meetingsOnTimeRate).toBe(14 / 16);
  });

  test('when the record is empty, every rate is undefined rather than 0 or NaN', () => {
    const rates = ratesOf(emptyRecord());

    expect(rates).toEqual({
      responseRate: undefined,
      resolutionRate: undefined,
      satisfactionRate: undefined,
      onTimeRectificationRate: undefined,
      meetingsOnTimeRate: undefined,
    });
  });

  test('when voices came in but nobody gave feedback, satisfaction is undefined while response and resolution are rates', () => {
    const record: BodyRecord = {
      ...emptyRecord(),
      voices: { total: 10, respondedOnTime: 9, resolved: 5, withFeedback: 0, satisfied: 0 },
    };

    const rates = ratesOf(record);

    expect(rates.satisfactionRate).toBeUndefined();
    expect(rates.responseRate).toBe(0.9);
    expect(rates.resolutionRate).toBe(0.5);
  });

  test('when satisfaction is measured, its base is the voices with feedback, not all voices', () => {
    const record: BodyRecord = {
      ...emptyRecord(),
      voices: { total: 100, respondedOnTime: 100, resolved: 100, withFeedback: 4, satisfied: 3 },
    };

    expect(ratesOf(record).satisfactionRate).toBe(0.75);
  });

  test('when there were no rectifications but 5 delegated resolutions, 4 on time, the on-time rate is 0.8', () => {
    const record: BodyRecord = { ...emptyRecord(), resolutions: { total: 5, onTime: 4, late: 1, open: 0 } };

    expect(ratesOf(record).onTimeRectificationRate).toBe(0.8);
  });

  test('when there were 4 rectifications, 1 on time, and no resolutions, the on-time rate is 0.25', () => {
    const record: BodyRecord = {
      ...emptyRecord(),
      rectifications: { total: 4, onTime: 1, late: 2, open: 1 },
    };

    expect(ratesOf(record).onTimeRectificationRate).toBe(0.25);
  });

  test('when meetings were held but none on time, the meetings rate is 0, not undefined', () => {
    const record: BodyRecord = { ...emptyRecord(), meetings: { total: 3, heldOnTime: 0 } };

    expect(ratesOf(record).meetingsOnTimeRate).toBe(0);
  });

  test('for any record with counts no larger than their totals, every defined rate lies in [0, 1]', () => {
    const counted = fc.integer({ min: 0, max: 50 }).chain((total) =>
      fc.record({
        total: fc.constant(total),
        onTime: fc.integer({ min: 0, max: total }),
        late: fc.constant(0),
        open: fc.constant(0),
      }),
    );
    const voices = fc.integer({ min: 0, max: 50 }).chain((total) =>
      fc.integer({ min: 0, max: total }).chain((withFeedback) =>
        fc.record({
          total: fc.constant(total),
          respondedOnTime: fc.integer({ min: 0, max: total }),
          resolved: fc.integer({ min: 0, max: total }),
          withFeedback: fc.constant(withFeedback),
          satisfied: fc.integer({ min: 0, max: withFeedback }),
        }),
      ),
    );
    const meetings = fc
      .integer({ min: 0, max: 20 })
      .chain((total) =>
        fc.record({ total: fc.constant(total), heldOnTime: fc.integer({ min: 0, max: total }) }),
      );

    fc.assert(
      fc.property(counted, counted, voices, meetings, (rectifications, resolutions, v, m) => {
        const rates = ratesOf({ ...emptyRecord(), rectifications, resolutions, voices: v, meetings: m });

        for (const r of Object.values(rates)) {
          if (r !== undefined) {
            expect(r).toBeGreaterThanOrEqual(0);
            expect(r).toBeLessThanOrEqual(1);
          }
        }
        expect(rates.responseRate === undefined).toBe(v.total === 0);
        expect(rates.satisfactionRate === undefined).toBe(v.withFeedback === 0);
        expect(rates.meetingsOnTimeRate === undefined).toBe(m.total === 0);
        expect(rates.onTimeRectificationRate === undefined).toBe(
          rectifications.total + resolutions.total === 0,
        );
      }),
    );
  });
});

describe('scoreOf', () => {
  test('when two rates have data and the others none, the score is the mean of those two', () => {
    const score = scoreOf({ responseRate: 0.5, resolutionRate: 1, satisfactionRate: undefined });

    expect(score).toBe(0.75);
  });

  test('when all five rates have data, the score is their mean', () => {
    const rates: Rates = {
      responseRate: 1,
      resolutionRate: 0.5,
      satisfactionRate: 0.75,
      onTimeRectificationRate: 0.25,
      meetingsOnTimeRate: 0.5,
    };

    expect(scoreOf(rates)).toBeCloseTo(3 / 5, 12);
  });

  test('when a rate is 0, it counts in the mean rather than being skipped', () => {
    expect(scoreOf({ responseRate: 0, resolutionRate: 1 })).toBe(0.5);
  });

  test('when the only rate is 0, the score is 0, not undefined', () => {
    expect(scoreOf({ meetingsOnTimeRate: 0 })).toBe(0);
  });

  test('when no rate has data, the score is undefined', () => {
    expect(scoreOf({ responseRate: undefined, satisfactionRate: undefined })).toBeUndefined();
    expect(scoreOf({})).toBeUndefined();
  });

  test('for any rates, the score lies between the lowest and highest defined rate', () => {
    const rate = fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(rate, rate, rate, rate, rate, (a, b, c, d, e) => {
        const rates: Rates = {
          responseRate: a,
          resolutionRate: b,
          satisfactionRate: c,
          onTimeRectificationRate: d,
          meetingsOnTimeRate: e,
        };
        const defined = [a, b, c, d, e].filter((x): x is number => x !== undefined);
        const score = scoreOf(rates);

        if (defined.length === 0) {
          expect(score).toBeUndefined();
        } else {
          expect(score).toBeGreaterThanOrEqual(Math.min(...defined) - 1e-12);
          expect(score).toBeLessThanOrEqual(Math.max(...defined) + 1e-12);
        }
      }),
    );
  });
});

describe('proposeRating with thresholds trustworthy 0.85, untrustworthy 0.6', () => {
  test('when the score is exactly 0.85, the body is rated trustworthy (值得信任)', () => {
    expect(proposeRating(0.85, THRESHOLDS)).toBe('trustworthy');
  });

  test('when the score is just below 0.85, the body is rated average', () => {
    expect(proposeRating(0.8499999, THRESHOLDS)).toBe('average');
  });

  test('when the score is 1, the body is rated trustworthy', () => {
    expect(proposeRating(1, THRESHOLDS)).toBe('trustworthy');
  });

  test('when the score is exactly 0.6, the body is rated average (一般), not untrustworthy', () => {
    expect(proposeRating(0.6, THRESHOLDS)).toBe('average');
  });

  test('when the score is just below 0.6, the body is rated untrustworthy (不值得信任)', () => {
    expect(proposeRating(0.5999999, THRESHOLDS)).toBe('untrustworthy');
  });

  test('when the score is 0, the body is rated untrustworthy', () => {
    expect(proposeRating(0, THRESHOLDS)).toBe('untrustworthy');
  });

  test('when there is no score (no data all year), the body is rated average', () => {
    expect(proposeRating(undefined, THRESHOLDS)).toBe('average');
  });

  test('when the compound raises the trustworthy threshold to 0.9, a score of 0.85 is only average', () => {
    expect(proposeRating(0.85, { trustworthy: 0.9, untrustworthy: 0.6 })).toBe('average');
  });

  test('when the compound lowers the untrustworthy threshold to 0.5, a score of 0.55 is average', () => {
    expect(proposeRating(0.55, { trustworthy: 0.85, untrustworthy: 0.5 })).toBe('average');
  });

  test('for any score in [0, 1], the rating follows the thresholds: >= 0.85 trustworthy, < 0.6 untrustworthy', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (score) => {
        const expected = score >= 0.85 ? 'trustworthy' : score < 0.6 ? 'untrustworthy' : 'average';

        expect(proposeRating(score, THRESHOLDS)).toBe(expected);
      }),
    );
  });
});

describe('from record to rating', () => {
  test('when a self-management committee answered 9 of 10 voices on time, resolved 9 and held its meetings on time, it is trustworthy', () => {
    const record: BodyRecord = {
      ...emptyRecord(),
      voices: { total: 10, respondedOnTime: 9, resolved: 9, withFeedback: 5, satisfied: 5 },
      rectifications: { total: 2, onTime: 2, late: 0, open: 0 },
      meetings: { total: 12, heldOnTime: 12 },
    };

    const score = scoreOf(ratesOf(record));

    expect(score).toBeCloseTo(0.96, 12);
    expect(proposeRating(score, THRESHOLDS)).toBe('trustworthy');
  });

  test('when an owners committee resolved only 2 of 10 voices and held half its meetings late, it is untrustworthy', () => {
    const record: BodyRecord = {
      ...emptyRecord(),
      body: 'ownersCommittee',
      voices: { total: 10, respondedOnTime: 5, resolved: 2, withFeedback: 5, satisfied: 1 },
      meetings: { total: 12, heldOnTime: 6 },
    };

    const score = scoreOf(ratesOf(record));

    expect(score).toBeCloseTo((0.5 + 0.2 + 0.2 + 0.5) / 4, 12);
    expect(proposeRating(score, THRESHOLDS)).toBe('untrustworthy');
  });

  test('when a body has no record at all, it is rated average', () => {
    expect(proposeRating(scoreOf(ratesOf(emptyRecord())), THRESHOLDS)).toBe('average');
  });
});

describe('complaints about a body count against it (its subject), whoever handled them', () => {
  const base = {
    body: 'selfManagementCommittee' as const,
    rectifications: { total: 0, onTime: 0, late: 0, open: 0 },
    resolutions: { total: 0, onTime: 0, late: 0, open: 0 },
    escalations: 0,
    voices: { total: 4, respondedOnTime: 4, resolved: 4, withFeedback: 4, satisfied: 4 },
    meetings: { total: 0, heldOnTime: 0 },
  };

  test('when residents were unhappy with how complaints about the committee ended, its score falls', () => {
    const about = { total: 2, respondedOnTime: 2, resolved: 2, withFeedback: 2, satisfied: 0 };
    const without = scoreOf(ratesOf(base))!;
    const withComplaints = scoreOf(ratesOf({ ...base, complaintsAbout: about }))!;

    expect(ratesOf({ ...base, complaintsAbout: about }).complaintSatisfactionRate).toBe(0);
    expect(withComplaints).toBeLessThan(without);
  });

  test('when a record was compiled before subjects were kept, it has no complaint rate and scores as before', () => {
    expect(ratesOf(base).complaintSatisfactionRate).toBeUndefined();
    expect(scoreOf(ratesOf(base))).toBe(1);
  });
});
