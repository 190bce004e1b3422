/** ID numbers (GB 11643) and how personal numbers are masked (domain/people.ts). */
import fc from 'fast-check';
import { idNumberCheck, idNumberProblem, maskIdNumber, maskPhone } from '../../domain/people';

describe('ID numbers', () => {
  it('when the standard example 11010519491231002X is checked, it is right, also with a lower-case x', () => {
    expect(idNumberCheck('11010519491231002')).toBe('X');
    expect(idNumberProblem('11010519491231002X')).toBeUndefined();
    expect(idNumberProblem('11010519491231002x')).toBeUndefined();
  });

  it('when the check character is wrong, the number is refused for its check character', () => {
    expect(idNumberProblem('110105194912310021')).toMatch(/校验位/);
  });

  it('when the shape is not 17 digits and a check character, it is refused for its shape', () => {
    for (const bad of [
      '',
      '11010519491231002',
      '1101051949123100211',
      '11010519491231002Y',
      'X10105194912310021',
    ])
      expect(idNumberProblem(bad)).toMatch(/18 位/);
  });

  it('when the birth date is not a real day, or after today, it is refused for its date', () => {
    const withCheck = (first17: string) => `${first17}${idNumberCheck(first17)}`;
    expect(idNumberProblem(withCheck('11010519490230002'))).toMatch(/出生日期/); // 30 February
    expect(idNumberProblem(withCheck('11010518991231002'))).toMatch(/出生日期/); // before 1900
    expect(idNumberProblem(withCheck('11010520301231002'), '2026-12-03')).toMatch(/出生日期/);
    expect(idNumberProblem(withCheck('11010520201231002'), '2026-12-03')).toBeUndefined();
  });

  it('when any 17 digits with a real date get their check character, the number is right, and any other check character is refused', () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n });
    fc.assert(
      fc.property(
        digits(6),
        fc.date({
          min: new Date('1900-01-01T00:00:00Z'),
          max: new Date('2025-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        digits(3),
        fc.constantFrom(...'0123456789X'),
        (region, birth, seq, other) => {
          const first17 = `${region.join('')}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${seq.join('')}`;
          const check = idNumberCheck(first17);
          expect(idNumberProblem(`${first17}${check}`)).toBeUndefined();
          if (other !== check) expect(idNumberProblem(`${first17}${other}`)).toMatch(/校验位/);
        },
      ),
    );
  });

  it('when an ID number is masked, only the first four and the last four characters stay', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('123')).toBe('****');
    expect(maskPhone('13812345678')).toBe('138****5678');
  });
});
