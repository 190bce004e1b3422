/**
 * What the annual evaluation's workflow holds beside the life every meeting shares: the year's record
 * and the ratings it proposes, the two bodies' sign-offs, a disagreement and the party organization's
 * final word; and the steps after the meeting: the year's final record, the sign-off with its reminder
 * and escalations, the disagreement, the publication. The handlers are in evaluation-handlers.ts.
 */
import { condition, sleep } from '@temporalio/workflow';
import { BODY_SHORT_NAMES } from '../domain/bodies';
import {
  EVALUATED_BODIES,
  SIGN_OFF_ESCALATIONS,
  SIGN_OFF_REMINDER_DAYS,
  SIGNER_LABELS,
  SIGNING_BODIES,
  evaluationYearEnd,
  proposeRating,
  ratesOf,
  scoreOf,
  signOffDeadline,
  signOffEscalationAt,
  signOffReminderAt,
  type EvaluatedBody,
  type SigningBody,
} from '../domain/evaluation';
import { RATING_LABELS, type EvaluationRating } from '../domain/meetings';
import { acts, iso } from './matter-record';
import { meetingLife } from './meeting';
import type { AnnualState, MeetingInput, MeetingState } from './meeting-contract';
import type { Meeting } from './meeting-state';

/** Ratings as the ledger and the notices say them: 业委会「…」、自管会「…」. */
export const describe = (r: Record<EvaluatedBody, EvaluationRating>) =>
  EVALUATED_BODIES.map((b) => `${BODY_SHORT_NAMES[b]}「${RATING_LABELS[r[b]]}」`).join('、');

export class Evaluation {
  readonly annual: AnnualState = {
    records: [],
    proposals: {} as AnnualState['proposals'],
    signOffBy: '',
    signatures: {},
  };
  readonly year: number;
  readonly life: Meeting;

  constructor(readonly input: MeetingInput) {
    this.year = input.year ?? Number(/(\d{4})/.exec(input.period)?.[1]);
    this.life = meetingLife(input, {
      decisionsRequired: false,
      onWindowOpen: async () => {
        await this.compile('preliminary');
        await this.life.rec.file(
          'recordCompiled',
          `年度记实汇总完成，建议评级：${describe(this.proposedRatings())}`,
          undefined,
          this.annual.records,
        );
      },
    });
    this.life.state.annual = this.annual;
  }

  get state(): MeetingState {
    return this.life.state;
  }

  proposedRatings(): Record<EvaluatedBody, EvaluationRating> {
    return Object.fromEntries(
      EVALUATED_BODIES.map((b) => [b, this.annual.proposals[b]?.rating ?? 'average']),
    ) as Record<EvaluatedBody, EvaluationRating>;
  }

  /** The signing bodies that have not signed yet. */
  unsigned(): SigningBody[] {
    return SIGNING_BODIES.filter((s) => !this.annual.signatures[s]);
  }

  /** The year's record of each evaluated body, its rates and the rating they suggest. */
  private async compile(stage: 'preliminary' | 'final'): Promise<void> {
    const { annual, input } = this;
    annual.records = await acts.compileAnnualRecord({
      compoundId: input.compoundId,
      year: this.year,
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
  }

  /**
   * The rating covers the whole year: the record is compiled again once the year is over (at once if
   * the meeting is recorded after the year end), and only then is it signed.
   */
  async compileFinalRecord(): Promise<void> {
    const { life, input, year } = this;
    const yearEnd = evaluationYearEnd(year, input.timeZone).getTime();
    if (Date.now() < yearEnd) {
      await life.save();
      await life.rec.notify(
        [...SIGNING_BODIES],
        'awaiting-year-end',
        '年度评估会已召开',
        `全年记实将于 ${life.when(yearEnd)} 汇总，汇总后请签署评估。`,
      );
      await sleep(yearEnd - Date.now());
    }
    await this.compile('final');
    await life.rec.file(
      'recordCompiled',
      `${year} 年全年记实汇总完成，建议评级：${describe(this.proposedRatings())}`,
      undefined,
      this.annual.records,
    );
  }

  /**
   * Both bodies sign by the deadline, reminded and escalated; a disagreement waits for the party
   * organization's final word; then the result is published and the meeting closes. Signatures arrive
   * throughout, so its awaits stay in this one function, as they always were (see Meeting.run).
   */
  async signOffAndPublish(): Promise<MeetingState> {
    const { life, annual, input, state, year } = this;
    state.status = 'signing';
    annual.signOffBy = iso(
      signOffDeadline(new Date(Date.now()), new Date(state.holdBy), input.settings).getTime(),
    );
    await life.save();
    await life.rec.notify(
      [...SIGNING_BODIES],
      'sign',
      '请签署年度评估',
      `建议评级：${describe(this.proposedRatings())}，请于 ${life.when(annual.signOffBy)} 前签署。`,
    );
    const bothSigned = () =>
      annual.signatures.partyBranch !== undefined && annual.signatures.supervisoryBoard !== undefined;
    const signOffBy = new Date(annual.signOffBy);
    const remindAt = signOffReminderAt(signOffBy).getTime();
    if (Date.now() < remindAt && !(await condition(bothSigned, remindAt - Date.now()))) {
      await life.rec.notify(
        this.unsigned(),
        'sign-reminder',
        `提醒：年度评估还有 ${SIGN_OFF_REMINDER_DAYS} 天截止签署`,
        `请于 ${life.when(annual.signOffBy)} 前签署。`,
      );
    }
    let escalations = 0;
    const untilEscalation = () =>
      Math.max(0, signOffEscalationAt(signOffBy, escalations, input.settings).getTime() - Date.now());
    while (!(await condition(bothSigned, untilEscalation()))) {
      escalations++;
      // Who was missing when it fell due, for both the entry and the notices.
      const missing = this.unsigned();
      const names = missing.map((s) => SIGNER_LABELS[s]).join('、');
      await life.rec.file(
        'signOffOverdue',
        `年度评估逾期未签署（${names}），第 ${escalations} 次报社区党组织督办`,
      );
      await life.rec.notify(
        ['staff', ...missing],
        `sign-overdue:${escalations}`,
        '督办：年度评估逾期未签署',
        `${names}尚未签署。`,
      );
      if (escalations >= SIGN_OFF_ESCALATIONS) {
        await condition(bothSigned);
        break;
      }
    }

    const a = annual.signatures.partyBranch!.ratings;
    const b = annual.signatures.supervisoryBoard!.ratings;
    const differ = EVALUATED_BODIES.filter((x) => a[x] !== b[x]);
    const ratings = differ.length ? await this.awaitFinalWord(a, b) : a;
    annual.published = iso(Date.now());
    await this.publish(ratings);
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

  /**
   * The two bodies disagree: the community party organization gives the final word. (Split off safely:
   * it ends waiting on the state alone, which resumes after every handler's step of that activation.)
   */
  private async awaitFinalWord(
    a: Record<EvaluatedBody, EvaluationRating>,
    b: Record<EvaluatedBody, EvaluationRating>,
  ): Promise<Record<EvaluatedBody, EvaluationRating>> {
    const { life, annual } = this;
    const differ = EVALUATED_BODIES.filter((x) => a[x] !== b[x]);
    annual.disagreement = { bodies: differ, at: iso(Date.now()) };
    await life.save();
    await life.rec.file(
      'disagreement',
      `党支部与监事会评级不一致（${differ.map((x) => BODY_SHORT_NAMES[x]).join('、')}），报社区党组织裁定`,
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
    return annual.final!.ratings;
  }

  private publish(ratings: Record<EvaluatedBody, EvaluationRating>): Promise<void> {
    const { annual, input } = this;
    return acts.publishEvaluation({
      meetingId: this.life.meetingId,
      compoundId: input.compoundId,
      year: this.year,
      ratings,
      proposals: annual.proposals,
      signatures: annual.signatures,
      disagreement: annual.disagreement,
      final: annual.final,
      at: annual.published!,
    });
  }
}
