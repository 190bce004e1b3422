/**
 * Privacy (domain/privacy.ts): phones, ID numbers and e-mail addresses masked in every published text,
 * masked names, and the masked summary others see instead of a voice's raw text.
 */
import fc from 'fast-check';
import { maskName, maskPersonalData, maskedSummary } from '../../domain/privacy';
import * as voices from '../../domain/voices';

/** Chinese text without digits, to surround numbers in property tests. */
const chineseText = (minLength = 0) =>
  fc.string({
    unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
    minLength,
    maxLength: 30,
  });

const toFullWidth = (digit: string) => String.fromCharCode(digit.charCodeAt(0) - 0x30 + 0xff10);
/** Full-width digits read as half-width ones, so a check sees a digit in either width. */
const halfWidth = (text: string) =>
  text.replace(/[\uff10-\uff19]/gu, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 0x30));
const digitsOf = (text: string) => halfWidth(text).replace(/\D/gu, '');

/** An 11-digit mainland mobile number, as digits. */
const mobileDigits = fc
  .tuple(
    fc.integer({ min: 3, max: 9 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
  )
  .map(([second, rest]) => `1${second}${rest.join('')}`);

/** A mobile number as residents write it: any prefix and separator style, each digit half- or full-width. */
const writtenMobile = fc
  .record({
    digits: mobileDigits,
    prefix: fc.constantFrom('', '+86', '+86 ', '86-', '0086 ', '＋86'),
    separator: fc.constantFrom('', '-', ' ', '　', ' - ', '－'),
    widths: fc.array(fc.boolean(), { minLength: 11, maxLength: 11 }),
  })
  .map(({ digits, prefix, separator, widths }) => {
    const chars = [...digits].map((d, i) => (widths[i] ? toFullWidth(d) : d));
    const head = chars.slice(0, 3).join('');
    const middle = chars.slice(3, 7).join('');
    const tail = chars.slice(7).join('');
    return {
      digits,
      prefix,
      written: `${prefix}${head}${separator}${middle}${separator}${tail}`,
      masked: `${prefix}${head}${separator}****${separator}${tail}`,
    };
  });

/** An unmasked mobile number in any width, with the separators that survive collapsing whitespace. */
const UNMASKED_MOBILE = /1[3-9]\d[ \-－]{0,3}\d{4}[ \-－]{0,3}\d{4}/u;

describe('maskPersonalData', () => {
  test.each<[string, string, string]>([
    ['a plain mobile number', '我的电话是13812345678，请联系', '我的电话是138****5678，请联系'],
    ['a mobile number in dashed groups', '电话138-1234-5678', '电话138-****-5678'],
    ['a mobile number in spaced groups', '电话138 1234 5678', '电话138 **** 5678'],
    ['a mobile number with +86', '电话+8613812345678', '电话+86138****5678'],
    ['a mobile number with +86 and spaces', '电话+86 138 1234 5678', '电话+86 138 **** 5678'],
    ['a mobile number with 86- and dashes', '电话86-138-1234-5678', '电话86-138-****-5678'],
    ['a mobile number in full-width digits', '电话１３８１２３４５６７８', '电话１３８****５６７８'],
    ['a mobile number in mixed widths', '电话１38-1２34-５678', '电话１38-****-５678'],
    ['a mobile number in ideographic-space groups', '电话138　1234　5678', '电话138　****　5678'],
    ['a landline with a four-digit area code', '社区电话0953-1234567', '社区电话0953-****567'],
    ['a landline with the area code in brackets', '社区电话(0953)1234567', '社区电话(0953)****567'],
    ['a landline with full-width brackets', '社区电话（0953）1234567', '社区电话（0953）****567'],
    ['a landline with a three-digit area code', '座机010-12345678', '座机010-****5678'],
    ['a landline with an eight-digit local number', '社区电话0953-60123456', '社区电话0953-****3456'],
    ['an 18-digit ID number', '身份证110101199003071234', '身份证110101********1234'],
    ['an ID number ending in X', '身份证号11010119900307123X。', '身份证号110101********123X。'],
    ['an ID number ending in x', '身份证号11010119900307123x。', '身份证号110101********123x。'],
    ['an ID number in spaced 6-8-4 groups', '身份证110101 19900307 123X', '身份证110101 ******** 123X'],
    ['an ID number in dashed 6-8-4 groups', '身份证110101-19900307-1234', '身份证110101-********-1234'],
    [
      'an ID number in full-width',
      '身份证１１０１０１１９９００３０７１２３Ｘ',
      '身份证１１０１０１********１２３Ｘ',
    ],
    ['an e-mail address', '邮箱wang.xm@example.com，欢迎来信', '邮箱w***@example.com，欢迎来信'],
    ['an e-mail address whose name is a phone number', '邮箱13812345678@qq.com', '邮箱1***@qq.com'],
    [
      'a mobile, a landline and an ID number',
      '联系人13912345678或010-87654321，身份证11010119900307123X',
      '联系人139****5678或010-****4321，身份证110101********123X',
    ],
  ])('when the text holds %s, it is masked: "%s" → "%s"', (_what, text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  test.each<[string, string]>([
    ['an amount', '维修预算50000元，已经公示'],
    ['a date', '会议定于2026-12-01召开'],
    ['a time', '下午15:00在活动室开会'],
    ['a room number', '3-2-501的业主反映漏水'],
    ['a room number and a year', '3号楼2单元1203室，2026年5月楼道灯坏了'],
    ['a percentage', '赞成票占比55%，反对票12.5%'],
    ['a date, a time, a room and an amount together', '2026-12-01 15:00在3-2-501议定，经费50000元'],
    ['a digit run longer than a mobile number', '订单号1381234567890'],
    ['a digit run longer than an ID number', '流水号1101011990030712345'],
  ])('when the text holds %s, it is left untouched', (_what, text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  test('when voices.ts is imported, it still re-exports the masking functions', () => {
    expect(voices.maskPersonalData).toBe(maskPersonalData);
    expect(voices.maskName).toBe(maskName);
  });

  test('for any mobile number in any prefix, separator and digit width inside Chinese text, the middle four digits never remain', () => {
    fc.assert(
      fc.property(chineseText(), writtenMobile, chineseText(), (before, mobile, after) => {
        // Act
        const masked = maskPersonalData(`${before}${mobile.written}${after}`);

        // Assert: only the prefix, the first three and the last four digits are left, in any width.
        const visible = `${digitsOf(mobile.prefix)}${mobile.digits.slice(0, 3)}${mobile.digits.slice(7)}`;
        expect(digitsOf(masked)).toBe(visible);
        const middle = mobile.digits.slice(3, 7);
        if (!visible.includes(middle)) expect(halfWidth(masked)).not.toContain(middle);
        expect(masked).toBe(`${before}${mobile.masked}${after}`);
      }),
    );
  });

  test('for any text with a mobile number, masking twice gives the same as masking once', () => {
    fc.assert(
      fc.property(chineseText(), writtenMobile, chineseText(), (before, mobile, after) => {
        const once = maskPersonalData(`${before}${mobile.written}${after}`);
        expect(maskPersonalData(once)).toBe(once);
      }),
    );
  });

  test('for any Chinese text without digits, masking changes nothing', () => {
    fc.assert(
      fc.property(chineseText(), (text) => {
        expect(maskPersonalData(text)).toBe(text);
      }),
    );
  });
});

describe('maskName', () => {
  test.each([
    ['王小明', '王*明'],
    ['李四', '李*'],
    ['欧阳小明', '欧**明'],
    [' 李四 ', '李*'],
    ['马丽（社区干事）', '马*（社区干事）'],
    ['王小明(楼栋长)', '王*明(楼栋长)'],
    ['马丽 （社区干事）', '马*（社区干事）'],
  ])('when the name is "%s", the public page shows "%s"', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });

  test('when the name is a single character, only the surname shows, followed by a mask', () => {
    expect(maskName('王')).toBe('王*');
  });

  test.each([
    ['empty', ''],
    ['only spaces', '   '],
  ])('when the name is %s, the public page shows 居民', (_what, name) => {
    expect(maskName(name)).toBe('居民');
  });

  test('when only a title in brackets is given, the public page shows 居民 with the title', () => {
    expect(maskName('（社区干事）')).toBe('居民（社区干事）');
  });

  test('for any name of three or more Chinese characters, the first and last stay, the rest become stars', () => {
    const name = fc.string({
      unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
      minLength: 3,
      maxLength: 8,
    });
    fc.assert(
      fc.property(name, (n) => {
        const masked = maskName(n);
        expect(masked).toHaveLength(n.length);
        expect(masked[0]).toBe(n[0]);
        expect(masked.at(-1)).toBe(n.at(-1));
        expect(masked.slice(1, -1)).toBe('*'.repeat(n.length - 2));
      }),
    );
  });

  test('for any name followed by a bracketed title, the title stays and the name is masked as on its own', () => {
    const name = fc.string({
      unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 6,
    });
    fc.assert(
      fc.property(name, name, (n, title) => {
        expect(maskName(`${n}（${title}）`)).toBe(`${maskName(n)}（${title}）`);
      }),
    );
  });
});

describe('maskedSummary', () => {
  test('when the text is short, it is shown whole, masked, with whitespace collapsed', () => {
    expect(maskedSummary('  楼下垃圾没人清，\n\n电话 13812345678  ')).toBe(
      '楼下垃圾没人清， 电话 138****5678',
    );
  });

  test('when the text is longer than the limit, it is cut to the limit and "…" is appended', () => {
    expect(maskedSummary('一二三四五六七八九十', 4)).toBe('一二三四…');
  });

  test('when the text is exactly the limit, nothing is cut and no "…" is appended', () => {
    expect(maskedSummary('一二三四', 4)).toBe('一二三四');
  });

  test('when no limit is given, the summary keeps thirty characters', () => {
    const text = '楼'.repeat(40);

    expect(maskedSummary(text)).toBe(`${'楼'.repeat(30)}…`);
  });

  test('when the text holds characters outside the basic plane, the limit counts characters, not UTF-16 units', () => {
    expect(maskedSummary('👍👍👍点赞保洁阿姨', 4)).toBe('👍👍👍点…');
  });

  test('when a mobile number is broken across lines, it is still masked once the lines are joined', () => {
    expect(maskedSummary('电话138\n1234\n5678')).toBe('电话138 **** 5678');
  });

  test('when the cut falls inside a masked number, the hidden digits still never show', () => {
    expect(maskedSummary('电话13812345678', 6)).toBe('电话138*…');
  });

  test('for any text with mobile numbers and any limit, the summary has at most limit + 1 characters and no unmasked mobile number', () => {
    const gap = fc
      .tuple(chineseText(1), fc.constantFrom('', ' ', '\n', '\t\t', '　'), chineseText())
      .map(([a, space, b]) => `${a}${space}${b}`);
    const text = fc.array(fc.tuple(gap, writtenMobile), { maxLength: 4 }).chain((parts) =>
      gap.map((end) => ({
        text: parts.map(([g, m]) => `${g}${m.written}`).join('') + end,
        numbers: parts.map(([, m]) => m.digits),
      })),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 80 }), (input, maxChars) => {
        // Act
        const summary = maskedSummary(input.text, maxChars);

        // Assert
        expect([...summary].length).toBeLessThanOrEqual(maxChars + 1);
        expect(halfWidth(summary)).not.toMatch(UNMASKED_MOBILE);
        for (const digits of input.numbers) expect(digitsOf(summary)).not.toContain(digits);
      }),
    );
  });
});
