/**
 * What the evaluation's signers do in its workflow: the party branch and the supervisory board each
 * sign off their ratings with a comment (two people, one body each); on a disagreement the community
 * party organization, entered by staff, gives the final word.
 */
import { setHandler } from '@temporalio/workflow';
import { BODY_SHORT_NAMES, isStaff } from '../domain/bodies';
import { EVALUATED_BODIES, SIGNER_LABELS, SIGNING_BODIES, type SigningBody } from '../domain/evaluation';
import { excerptOf, longTextProblem } from '../domain/limits';
import { RATING_LABELS } from '../domain/meetings';
import { refuse } from './contract';
import { iso, trimmed } from './matter-record';
import {
  finalizeEvaluationUpdate,
  signEvaluationUpdate,
  type MeetingState,
  type SignInput,
} from './meeting-contract';
import { describe, type Evaluation } from './evaluation-state';

export function registerEvaluationHandlers(e: Evaluation): void {
  setHandler(signEvaluationUpdate, (u) => sign(e, u), { validator: (u) => validateSignature(e, u) });
  setHandler(finalizeEvaluationUpdate, (u) => finalize(e, u), {
    validator: ({ actor, ratings, comment }) => {
      if (!e.annual.disagreement || e.annual.final) refuse('conflict', '当前没有需要社区党组织裁定的分歧');
      if (!isStaff(actor.roles)) refuse('forbidden', '只有社区党组织（社区工作人员）可以作出最终裁定');
      validRatings(ratings);
      const problem = longTextProblem(comment, '裁定意见');
      if (problem) refuse('invalid', `${problem}（comment）`);
    },
  });
}

const validRatings = (r: SignInput['ratings']) => {
  for (const b of EVALUATED_BODIES) {
    if (!r || !(r[b] in RATING_LABELS))
      refuse('invalid', `请为${BODY_SHORT_NAMES[b]}给出评级：trustworthy / average / untrustworthy`);
  }
};
/** The body an actor signs for: the one asked, else the first of theirs not yet signed. */
const signerOf = (e: Evaluation, roles: string[], asked?: SigningBody): SigningBody | undefined =>
  SIGNING_BODIES.find(
    (s) => roles.includes(s) && !e.annual.signatures[s] && (asked === undefined || asked === s),
  );

async function sign(
  e: Evaluation,
  { actor, ratings, comment, body: asked }: SignInput,
): Promise<MeetingState> {
  const body = signerOf(e, actor.roles, asked)!;
  e.annual.signatures[body] = {
    userId: actor.userId,
    name: actor.name,
    at: iso(Date.now()),
    ratings,
    comment: trimmed(comment),
  };
  await e.life.save();
  await e.life.rec.file(
    'signed',
    `${SIGNER_LABELS[body]}签署评估：${describe(ratings)}。意见：${excerptOf(trimmed(comment))}`,
    actor,
    { body, ratings, comment: trimmed(comment) },
  );
  return e.state;
}

function validateSignature(e: Evaluation, { actor, ratings, comment, body: asked }: SignInput): void {
  const { state, annual } = e;
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
  if (asked !== undefined && !(asked in SIGNER_LABELS)) refuse('invalid', `未知的签署方：${String(asked)}`);
  // Two bodies sign, so two people: whoever signed for one may not sign for the other.
  const signed = SIGNING_BODIES.find((b) => annual.signatures[b]?.userId === actor.userId);
  if (signed) refuse('conflict', `您已代表${SIGNER_LABELS[signed]}签署，另一方须由他人签署`);
  if (!signerOf(e, actor.roles, asked)) refuse('conflict', '您所在的组织已签署');
  validRatings(ratings);
  const problem = longTextProblem(comment, '评估意见');
  if (problem) refuse('invalid', `${problem}（comment）`);
}

async function finalize(e: Evaluation, { actor, ratings, comment }: SignInput): Promise<MeetingState> {
  e.annual.final = { ratings, by: actor.name, comment: trimmed(comment), at: iso(Date.now()) };
  await e.life.save();
  await e.life.rec.file(
    'finalized',
    `社区党组织裁定：${describe(ratings)}。${excerptOf(trimmed(comment))}`,
    actor,
    { ...ratings, comment: trimmed(comment) },
  );
  return e.state;
}
