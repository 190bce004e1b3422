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

export type VoteBase = 'votesCast' | 'present' | 'members';

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

/** Quorum: at least `fraction` of the council's members present (default two thirds). */
export function quorumMet(present: number, members: number, fraction = 2 / 3): boolean {
  if (members <= 0) return false;
  // present/members >= fraction, without floating error for thirds
  return present * 3000 >= Math.round(fraction * 3000) * members;
}

export function tallyVotes(votes: { choice: VoteChoice }[]): Tally {
  const t: Tally = { yes: 0, no: 0, abstain: 0 };
  for (const v of votes) t[v.choice]++;
  return t;
}
