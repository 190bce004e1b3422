/**
 * 支部与监事会年度评估会: at year end, from the supervisory record, the branch and the supervisory
 * board rate the owners' committee and the self-management committee. The record is compiled and a
 * rating proposed; each of the two bodies signs off its rating with a comment by a deadline; a
 * disagreement goes to the community party organization for the final word; then it is published.
 */
import { condition, patched, setHandler, sleep } from '@temporalio/workflow';
import { DAY_MS, zonedTime } from '../domain/calendar';
import { proposeRating, ratesOf, scoreOf, type EvaluatedBody } from '../domain/evaluation';
import { excerptOf, longTextProblem, type LongText } from '../domain/limits';
import { RATING_LABELS, type EvaluationRating } from '../domain/meetings';
import { meetingLife, acts, iso, isStaff, refuse } from './meeting';
import {
  finalizeEvaluationUpdate,
  signEvaluationUpdate,
  type AnnualState,
  type MeetingInput,
  type MeetingState,
  type SignInput,
} from './meeting-contract';

const EVALUATED: EvaluatedBody[] = ['ownersCommittee', 'selfManagementCommittee'];
const SIGNERS = { partyBranch: '党支部', supervisoryBoard: '监事会' } as const;
type Signer = keyof typeof SIGNERS;
const trimmed = (t: LongText): LongText => (typeof t === 'string' ? t.trim() : t);
const describe = (r: Record<EvaluatedBody, EvaluationRating>) =>
  `业委会「${RATING_LABELS[r.ownersCommittee]}」、自管会「${RATING_LABELS[r.selfManagementCommittee]}」`;

export async function annualEvaluation(input: MeetingInput): Promise<MeetingState> {
  const year = input.year ?? Number(/(\d{4})/.exec(input.period)?.[1]);
  const annual: AnnualState = {
    records: [],
    proposals: {} as AnnualState['proposals'],
    signOffBy: '',
    signatures: {},
  };
  /** The year's record of each evaluated body, its rates and the rating they suggest. */
  const compile = async (stage: 'preliminary' | 'final') => {
    annual.records = await acts.compileAnnualRecord({
      compoundId: input.compoundId,
      year,
      timeZone: input.timeZone,
    });
    for (const r of annual.records) {
      const rates = ratesOf(r);
      const score = scoreOf(rates);
      annual.proposals[r.body] = {
        rates,
        score,
        rating: proposeRating(score, input.settings.evaluation.thresholds),
      };
    }
    annual.compiled = { ...annual.compiled, [stage]: iso(Date.now()) };
  };
  const life = meetingLife(input, {
    decisionsRequired: false,
    onWindowOpen: async () => {
      await compile('preliminary');
      await life.rec.file(
        'recordCompiled',
        `年度记实汇总完成，建议评级：${describe(proposedRatings())}`,
        undefined,
        annual.records,
      );
    },
  });
  const { state } = life;
  state.annual = annual;
  const proposedRatings = () =>
    Object.fromEntries(EVALUATED.map((b) => [b, annual.proposals[b]?.rating ?? 'average'])) as Record<
      EvaluatedBody,
      EvaluationRating
    >;

  const validRatings = (r: SignInput['ratings']) => {
    for (const b of EVALUATED) {
      if (!r || !(r[b] in RATING_LABELS))
        refuse(
          'invalid',
          `请为${b === 'ownersCommittee' ? '业委会' : '自管会'}给出评级：trustworthy / average / untrustworthy`,
        );
    }
  };
  const signerOf = (roles: string[], asked?: Signer): Signer | undefined =>
    (Object.keys(SIGNERS) as Signer[]).find(
      (s) => roles.includes(s) && !annual.signatures[s] && (asked === undefined || asked === s),
    );

  setHandler(
    signEvaluationUpdate,
    async ({ actor, ratings, comment, body: asked }) => {
      const body = signerOf(actor.roles, asked)!;
      annual.signatures[body] = {
        userId: actor.userId,
        name: actor.name,
        at: iso(Date.now()),
        ratings,
        comment: trimmed(comment),
      };
      await life.save();
      await life.rec.file(
        'signed',
        `${SIGNERS[body]}签署评估：${describe(ratings)}。意见：${excerptOf(trimmed(comment))}`,
        actor,
        { body, ratings, comment: trimmed(comment) },
      );
      return state;
    },
    {
      validator: ({ actor, ratings, comment, body: asked }) => {
        if (state.status !== 'signing')
          refuse(
            'conflict',
            state.status === 'closed'
              ? '评估已签署完毕'
              : state.held
                ? '全年记实将于年末汇总，汇总后方可签署'
                : '评估会召开并记录后才能签署',
          );
        if (!actor.roles.includes('partyBranch') && !actor.roles.includes('supervisoryBoard')) {
          refuse('forbidden', '只有党支部和监事会成员可以签署年度评估');
        }
        if (asked !== undefined && !(asked in SIGNERS)) refuse('invalid', `未知的签署方：${String(asked)}`);
        // Two bodies sign, so two people: whoever signed for one may not sign for the other.
        const signed = (Object.keys(SIGNERS) as Signer[]).find(
          (b) => annual.signatures[b]?.userId === actor.userId,
        );
        if (signed) refuse('conflict', `您已代表${SIGNERS[signed]}签署，另一方须由他人签署`);
        if (!signerOf(actor.roles, asked)) refuse('conflict', '您所在的组织已签署');
        validRatings(ratings);
        const problem = longTextProblem(comment, '评估意见');
        if (problem) refuse('invalid', `${problem}（comment）`);
      },
    },
  );

  setHandler(
    finalizeEvaluationUpdate,
    async ({ actor, ratings, comment }) => {
      annual.final = { ratings, by: actor.name, comment: trimmed(comment), at: iso(Date.now()) };
      await life.save();
      await life.rec.file(
        'finalized',
        `社区党组织裁定：${describe(ratings)}。${excerptOf(trimmed(comment))}`,
        actor,
        { ...ratings, comment: trimmed(comment) },
      );
      return state;
    },
    {
      validator: ({ actor, ratings, comment }) => {
        if (!annual.disagreement || annual.final) refuse('conflict', '当前没有需要社区党组织裁定的分歧');
        if (!isStaff(actor)) refuse('forbidden', '只有社区党组织（社区工作人员）可以作出最终裁定');
        validRatings(ratings);
        const problem = longTextProblem(comment, '裁定意见');
        if (problem) refuse('invalid', `${problem}（comment）`);
      },
    },
  );

  await life.run();
  if (patched('annual-final-record')) {
    // The rating covers the whole year: the record is compiled again once the year is over (at once if
    // the meeting is recorded after the year end), and only then is it signed.
    const yearEnd = zonedTime(input.timeZone, year + 1, 1, 1).getTime();
    if (Date.now() < yearEnd) {
      await life.save();
      await life.rec.notify(
        ['partyBranch', 'supervisoryBoard'],
        'awaiting-year-end',
        '年度评估会已召开',
        `全年记实将于 ${life.when(yearEnd)} 汇总，汇总后请签署评估。`,
      );
      await sleep(yearEnd - Date.now());
    }
    await compile('final');
    await life.rec.file(
      'recordCompiled',
      `${year} 年全年记实汇总完成，建议评级：${describe(proposedRatings())}`,
      undefined,
      annual.records,
    );
  }
  // The evaluation meeting was held: now both bodies sign, by the deadline, reminded and escalated.
  state.status = 'signing';
  annual.signOffBy = iso(
    Math.max(Date.now(), Date.parse(state.holdBy)) + input.settings.evaluation.signOffDays * DAY_MS,
  );
  await life.save();
  await life.rec.notify(
    ['partyBranch', 'supervisoryBoard'],
    'sign',
    '请签署年度评估',
    `建议评级：${describe(proposedRatings())}，请于 ${life.when(annual.signOffBy)} 前签署。`,
  );
  const bothSigned = () =>
    annual.signatures.partyBranch !== undefined && annual.signatures.supervisoryBoard !== undefined;
  const remindAt = Date.parse(annual.signOffBy) - 3 * DAY_MS;
  if (Date.now() < remindAt && !(await condition(bothSigned, remindAt - Date.now()))) {
    const missing = (Object.keys(SIGNERS) as Signer[]).filter((s) => !annual.signatures[s]);
    await life.rec.notify(
      missing,
      'sign-reminder',
      '提醒：年度评估还有 3 天截止签署',
      `请于 ${life.when(annual.signOffBy)} 前签署。`,
    );
  }
  let escalations = 0;
  while (
    !(await condition(
      bothSigned,
      Math.max(
        0,
        Date.parse(annual.signOffBy) + escalations * input.settings.escalationStepDays * DAY_MS - Date.now(),
      ),
    ))
  ) {
    escalations++;
    const missing = (Object.keys(SIGNERS) as Signer[]).filter((s) => !annual.signatures[s]);
    await life.rec.file(
      'signOffOverdue',
      `年度评估逾期未签署（${missing.map((s) => SIGNERS[s]).join('、')}），第 ${escalations} 次报社区党组织督办`,
    );
    await life.rec.notify(
      ['staff', ...missing],
      `sign-overdue:${escalations}`,
      '督办：年度评估逾期未签署',
      `${missing.map((s) => SIGNERS[s]).join('、')}尚未签署。`,
    );
    if (escalations >= 2) {
      await condition(bothSigned);
      break;
    }
  }

  const a = annual.signatures.partyBranch!.ratings;
  const b = annual.signatures.supervisoryBoard!.ratings;
  const differ = EVALUATED.filter((x) => a[x] !== b[x]);
  let ratings = a;
  if (differ.length) {
    annual.disagreement = { bodies: differ, at: iso(Date.now()) };
    await life.save();
    await life.rec.file(
      'disagreement',
      `党支部与监事会评级不一致（${differ.map((x) => (x === 'ownersCommittee' ? '业委会' : '自管会')).join('、')}），报社区党组织裁定`,
      undefined,
      { partyBranch: a, supervisoryBoard: b },
    );
    await life.rec.notify(
      ['staff'],
      'disagreement',
      '年度评估存在分歧，请社区党组织裁定',
      `党支部：${describe(a)}；监事会：${describe(b)}。`,
    );
    await condition(() => annual.final !== undefined);
    ratings = annual.final!.ratings;
  }
  annual.published = iso(Date.now());
  await acts.publishEvaluation({
    meetingId: life.meetingId,
    compoundId: input.compoundId,
    year,
    ratings,
    proposals: annual.proposals,
    signatures: annual.signatures,
    disagreement: annual.disagreement,
    final: annual.final,
    at: annual.published,
  });
  await life.rec.file(
    'published',
    `${year} 年度评估结果已向全体业主公示：${describe(ratings)}`,
    undefined,
    ratings,
  );
  await life.rec.notify(
    ['resident', 'ownersCommittee', 'selfManagementCommittee'],
    'published',
    `${year} 年度评估结果公示`,
    describe(ratings),
  );
  return life.close(false);
}
