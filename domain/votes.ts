/**
 * The quarterly council's decision rules: the 5030 rule (5030制) and the quorum.
 * A motion passes only if yes votes are MORE than 50% and no votes LESS than 30% — both strict —
 * of the base (default: everyone who took part in that vote, yes + no + abstain).
 */
export type VoteChoice = 'yes' | 'no' | 'abstain';
export const VOTE_CHOICES: readonly VoteChoice[] = ['yes', 'no', 'abstain'];
export const VOTE_LABELS: Record<VoteChoice, string> = { yes: '赞成', no: '反对', abstain: '弃权' };

export interface Tally {
  yes: number;
  no: number;
  abstain: number;
}

export const VOTE_BASES = ['votesCast', 'present', 'members'] as const;
export type VoteBase = (typeof VOTE_BASES)[number];

export interface MotionResult {
  passed: boolean;
  tally: Tally;
  base: number;
  baseKind: VoteBase;
  /** The rule's arithmetic in words, stored with the result so anyone can check it. */
  arithmetic: string;
}

/**
 * Applies the 5030 rule. Integer arithmetic (yes*2 > base, no*10 < base*3) so no rounding can tip a
 * motion over a boundary.
 */
export function decideMotion(
  tally: Tally,
  opts: { baseKind?: VoteBase; present?: number; members?: number } = {},
): MotionResult {
  const baseKind = opts.baseKind ?? 'votesCast';
  const cast = tally.yes + tally.no + tally.abstain;
  const base =
    baseKind === 'votesCast'
      ? cast
      : baseKind === 'present'
        ? (opts.present ?? cast)
        : (opts.members ?? cast);
  const yesOk = base > 0 && tally.yes * 2 > base;
  const noOk = base > 0 && tally.no * 10 < base * 3;
  const pct = (n: number) => (base > 0 ? `${((n / base) * 100).toFixed(1)}%` : '—');
  const arithmetic =
    `基数 ${base}（${baseKind === 'votesCast' ? '参与表决人数' : baseKind === 'present' ? '出席人数' : '全体成员'}）：` +
    `赞成 ${tally.yes}/${base} = ${pct(tally.yes)} ${yesOk ? '>' : '≤'} 50%，` +
    `反对 ${tally.no}/${base} = ${pct(tally.no)} ${noOk ? '<' : '≥'} 30%，弃权 ${tally.abstain}；` +
    (yesOk && noOk ? '通过' : '未通过');
  return { passed: yesOk && noOk, tally, base, baseKind, arithmetic };
}

/** A quorum or other share as an exact ratio of integers: 2/3 is never 0.6666… here. */
export interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/** A configured share — "2/3", 0.75 or "0.75" — exactly as written (a decimal by its digits), reduced. */
export function parseFraction(value: number | string): Fraction {
  const text = String(value).trim();
  let f: Fraction | undefined;
  const ratio = /^(\d{1,15})\s*\/\s*(\d{1,15})$/.exec(text);
  const decimal = /^(0|1)(?:\.(\d{1,30}))?$/.exec(text);
  if (ratio) f = { numerator: BigInt(ratio[1]!), denominator: BigInt(ratio[2]!) };
  else if (decimal) {
    const digits = decimal[2] ?? '';
    f = { numerator: BigInt(`${decimal[1]}${digits}`), denominator: 10n ** BigInt(digits.length) };
  }
  if (!f || f.denominator === 0n || f.numerator <= 0n || f.numerator > f.denominator) {
    throw new Error(`不是 (0, 1] 之间的比例：${text}（可写作 2/3 或 0.75）`);
  }
  const g = gcd(f.numerator, f.denominator);
  return { numerator: f.numerator / g, denominator: f.denominator / g };
}

/** Whether a value is a share parseFraction accepts (for validating settings). */
export function isFraction(value: unknown): boolean {
  if (typeof value !== 'number' && typeof value !== 'string') return false;
  try {
    parseFraction(value);
    return true;
  } catch {
    return false;
  }
}

/** "2/3", "3/4", "1/2": how people read a quorum; a share with a large denominator as a percentage. */
export function formatFraction(value: number | string): string {
  const f = parseFraction(value);
  if (f.denominator <= 100n) return `${f.numerator}/${f.denominator}`;
  return `${((Number(f.numerator) / Number(f.denominator)) * 100).toFixed(2)}%`;
}

/** The fewest members that make `fraction` of `members`: the smallest n with n / members ≥ fraction. */
export function quorumCount(members: number, fraction: number | string = '2/3'): number {
  if (members <= 0) return 0;
  const f = parseFraction(fraction);
  // n ≥ members·p/q ⇔ n = ⌈members·p / q⌉, in integers (BigInt: no rounding at any size).
  const need = BigInt(members) * f.numerator;
  return Number((need + f.denominator - 1n) / f.denominator);
}

/** Quorum: at least `fraction` of the council's members present (default two thirds), compared exactly. */
export function quorumMet(present: number, members: number, fraction: number | string = '2/3'): boolean {
  if (members <= 0) return false;
  return present >= quorumCount(members, fraction);
}

export function tallyVotes(votes: { choice: VoteChoice }[]): Tally {
  const t: Tally = { yes: 0, no: 0, abstain: 0 };
  for (const v of votes) t[v.choice]++;
  return t;
}
