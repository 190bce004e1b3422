/**
 * Privacy (DOMAIN.md "Privacy"): phones, ID numbers and e-mail addresses are masked in every published
 * text, and people other than the author and the handlers see only a masked summary.
 * Pure and deterministic: also used inside workflow code.
 */

// Residents type numbers with half- or full-width digits, often mixed, so every digit class takes both.
const D = '[0-9\\uFF10-\\uFF19]';
const NOT_DIGIT_BEFORE = '(?<![0-9\\uFF10-\\uFF19])';
const NOT_DIGIT_AFTER = '(?![0-9\\uFF10-\\uFF19])';
// Between digit groups: up to two spaces (incl. the ideographic space and a line break), an optional
// dash, up to two spaces.
const GAP = '[ \\t\\r\\n\\u00A0\\u3000]{0,2}';
const SEP = `${GAP}(?:[-\\u2010-\\u2014\\uFF0D]${GAP})?`;

/** 13812345678, 138-1234-5678, +86 138 1234 5678, 86-138…, 0086…: keeps the prefix, first three, last four. */
const MOBILE = new RegExp(
  `${NOT_DIGIT_BEFORE}((?:[+\\uFF0B]|00|\\uFF10\\uFF10)?[8\\uFF18][6\\uFF16]${SEP})?` +
    `([1\\uFF11][3-9\\uFF13-\\uFF19]${D})(${SEP})${D}{4}(${SEP})(${D}{4})${NOT_DIGIT_AFTER}`,
  'gu',
);

/** 0953-1234567, (0953)1234567, 010-12345678: keeps the area code and the last three or four digits. */
const LANDLINE = new RegExp(
  `${NOT_DIGIT_BEFORE}([(\\uFF08]?[0\\uFF10]${D}{2,3}[)\\uFF09]?${SEP})${D}{4}(${D}{3,4})${NOT_DIGIT_AFTER}`,
  'gu',
);

/** 18-character ID numbers, also in 6-8-4 groups: keeps the region code and the last four, hides the birth date. */
const CHECK = '[0-9\\uFF10-\\uFF19Xx\\uFF38\\uFF58]';
const ID_CARD = new RegExp(
  `(?<!${CHECK})(${D}{6})(${SEP})${D}{8}(${SEP})(${D}{3}${CHECK})(?!${CHECK})`,
  'gu',
);

/**
 * An ID number grouped any other way (110101 1990 0307 123X, 1101 0119 9003 0712 3X): 17 digits and a
 * check character, a separator allowed after any digit. Only the region code and the last four stay.
 */
const ID_LOOSE = new RegExp(`(?<!${CHECK})((?:${D}${SEP}){17}${CHECK})(?!${CHECK})`, 'gu');

/** w***@example.com: the first character and the domain stay; the length of the name is hidden too. */
const EMAIL =
  /(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*([@\uFF20][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/g;

function maskLooseId(id: string): string {
  const chars = [...id].filter((c) => /[0-9\uFF10-\uFF19Xx\uFF38\uFF58]/u.test(c));
  return `${chars.slice(0, 6).join('')}********${chars.slice(14).join('')}`;
}

/**
 * Masks phones, ID numbers and e-mail addresses in free text before anyone but its author and handlers
 * sees it. Enough stays to recognise the thing (138****5678, 110101********123X); the hidden digits never do.
 * Ordinary numbers (amounts, dates, times, room numbers, years, percentages) are left alone.
 */
export function maskPersonalData(text: string): string {
  // E-mail first (a QQ mailbox's name is often a phone number), then IDs before phones (an ID is longer).
  return text
    .replace(EMAIL, '$1***$2')
    .replace(ID_CARD, '$1$2********$3$4')
    .replace(ID_LOOSE, maskLooseId)
    .replace(
      MOBILE,
      (_all, prefix: string | undefined, head: string, sep1: string, sep2: string, tail: string) => {
        return `${prefix ?? ''}${head}${sep1}****${sep2}${tail}`;
      },
    )
    .replace(LANDLINE, '$1****$2');
}

/**
 * 王小明 → 王*明, 李四 → 李*, 马丽（社区干事） → 马*（社区干事）; public pages never show a full name.
 * A title in brackets after the name is a role, not personal data, so it stays.
 */
export function maskName(name: string): string {
  const titled = /^(.*?)\s*([（(][^（()）]*[）)])\s*$/u.exec(name.trim());
  if (titled) return `${maskBareName(titled[1] ?? '')}${titled[2] ?? ''}`;
  return maskBareName(name);
}

function maskBareName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '居民';
  if (chars.length <= 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/**
 * The line shown to people other than the author and the handlers (agendas, meeting and order titles,
 * ledger summaries, notifications): personal data masked, whitespace collapsed, then cut to `maxChars`
 * code points with "…" appended when cut.
 */
export function maskedSummary(text: string, maxChars = 30): string {
  // Masked again after collapsing: a number broken across lines must not come back whole on one line.
  const line = maskPersonalData(maskPersonalData(text).replace(/\s+/gu, ' ').trim());
  const chars = [...line];
  const limit = Math.max(0, Math.floor(maxChars));
  return chars.length > limit ? `${chars.slice(0, limit).join('')}…` : line;
}
