/**
 * What the quarterly council's workflow holds beside the life every meeting shares: who confirmed the
 * convening, the roster, the motions and the ballots, and the steps after the meeting is held — the
 * quorum, the referral of what was not decided, the vote and the resolutions. The handlers are in
 * council-handlers.ts.
 */
import { condition, patched } from '@temporalio/workflow';
import { ORDER_BODY_LABELS, resolutionDays, votingClosesAt } from '../domain/meetings';
import {
  decideMotion,
  formatFraction,
  quorumCount,
  tallyVotes,
  VOTE_LABELS,
  type VoteChoice,
} from '../domain/votes';
import { refuse } from './contract';
import { acts, iso } from './matter-record';
import { meetingLife } from './meeting';
import type {
  AgendaItem,
  MeetingInput,
  MeetingState,
  QuarterlyState,
  RecordMeetingInput,
} from './meeting-contract';
import type { Meeting } from './meeting-state';
import { issueOrder, orderDeadline } from './orders';

export class Council {
  readonly q: QuarterlyState = { convening: {}, roster: [], ballots: {}, results: {}, referred: {} };
  /** Who voted what stays here, outside the state the workflow saves and answers with (see QuarterlyState). */
  readonly votes: Record<string, Record<string, VoteChoice>> = {};
  readonly life: Meeting;
  votingClosed = false;

  constructor(readonly input: MeetingInput) {
    this.life = meetingLife(input, {
      decisionsRequired: false,
      validateRecord: (r) => this.validateRecord(r),
      onWindowOpen: async () => {
        this.q.roster = await acts.loadCouncilRoster(input.compoundId);
      },
    });
    this.life.state.quarterly = this.q;
  }

  get state(): MeetingState {
    return this.life.state;
  }

  motions(): AgendaItem[] {
    return this.state.agenda.filter((i) => i.motion);
  }

  everyoneVoted(): boolean {
    const attendance = this.state.held!.attendance;
    return this.motions().every((m) => attendance.every((u) => this.votes[m.id]?.[u] !== undefined));
  }

  /** Held only once both bodies confirmed, and attended by members of the roster. */
  private validateRecord(r: RecordMeetingInput): void {
    const { q } = this;
    if (!q.convening.partyBranch || !q.convening.ownersCommittee) {
      refuse('conflict', '季度议事会须由党支部和业委会共同确认召集后才能召开');
    }
    const members = new Set(q.roster.map((m) => m.userId));
    const outsiders = r.attendance.filter((id) => !members.has(id));
    if (outsiders.length) refuse('invalid', `出席人员不在议事会成员名单中：${outsiders.join('、')}`);
    if (r.attendance.length > q.roster.length) refuse('invalid', '出席人数不能超过议事会成员人数');
  }

  /** Whether the members present make the quorum, filed either way. */
  async countQuorum(): Promise<NonNullable<QuarterlyState['quorum']>> {
    const { q, input } = this;
    const present = this.state.held!.attendance.length;
    const members = q.roster.length;
    const fraction = input.settings.quorumFraction;
    const needed = quorumCount(members, fraction);
    const quorum = { present, members, met: members > 0 && present >= needed, fraction, needed };
    q.quorum = quorum;
    await this.life.rec.file(
      'quorum',
      `应到 ${members} 人，实到 ${present} 人，法定人数 ${needed} 人（${formatFraction(fraction)}），${quorum.met ? '达到' : '未达到'}法定人数`,
      undefined,
      quorum,
    );
    return quorum;
  }

  /** Without a quorum nothing is decided: the motions go to the next quarter. */
  async referAll(): Promise<void> {
    const { present, needed } = this.q.quorum!;
    const file = patched('referral-reasons-filed');
    for (const m of this.motions())
      await this.refer(m, `出席 ${present} 人，未达到法定人数 ${needed} 人`, file);
  }

  /**
   * Voting within its window, then each motion by the 5030 rule: passed, it becomes a resolution for
   * its executor; too few ballots, it goes to the next council. Then the meeting closes. Ballots arrive
   * throughout, so its awaits stay in this one function, as they always were (see Meeting.run).
   */
  async voteAndClose(): Promise<MeetingState> {
    const { q, life, input, state, votes } = this;
    const { present, members, needed = 0 } = q.quorum!;
    state.status = 'voting';
    q.votingOpenUntil = iso(votingClosesAt(new Date(Date.now()), input.settings).getTime());
    await life.save();
    await life.rec.file('votingOpened', `表决开始，截止 ${life.when(q.votingOpenUntil)}`);
    await condition(
      () => this.votingClosed || this.everyoneVoted(),
      Date.parse(q.votingOpenUntil) - Date.now(),
    );
    this.votingClosed = true;

    for (const m of this.motions()) {
      const cast = Object.values(votes[m.id] ?? {}).map((choice) => ({ choice }));
      // A motion on which fewer ballots were cast than the quorum decides nothing (DOMAIN.md).
      if (cast.length < needed && patched('motion-needs-quorum-of-ballots')) {
        await this.refer(m, `仅 ${cast.length} 人表决，少于法定人数 ${needed} 人`, true);
        continue;
      }
      const result = decideMotion(tallyVotes(cast), { baseKind: input.settings.voteBase, present, members });
      q.results[m.id] = result;
      await life.rec.file(
        'motionDecided',
        `议案「${m.title}」：赞成 ${result.tally.yes}、反对 ${result.tally.no}、弃权 ${result.tally.abstain}，${result.passed ? '通过' : '未通过'}（5030制）`,
        undefined,
        { motionId: m.id, ...result, labels: VOTE_LABELS },
      );
      if (result.passed) {
        const owner = m.motion!.delegateTo;
        const orderId = await this.issueResolution(m);
        q.results[m.id] = { ...result, resolutionId: orderId };
        await life.rec.file('resolution', `决议「${m.title}」交${ORDER_BODY_LABELS[owner]}执行`, undefined, {
          motionId: m.id,
          orderId,
        });
      }
    }
    return life.close({ voices: false });
  }

  /** A passed motion's resolution, delegated for execution to the body the motion names. */
  private issueResolution(m: AgendaItem): Promise<string> {
    const { input } = this;
    return issueOrder(input.compoundId, input.settings, {
      kind: 'resolution',
      title: m.title,
      detail: m.detail,
      owner: m.motion!.delegateTo,
      issuer: 'ownersCommittee',
      deadline: orderDeadline(String(resolutionDays(input.settings)), input.settings, input.timeZone),
      timeZone: input.timeZone,
      source: { meetingId: this.life.meetingId, motionId: m.id },
    });
  }

  /** A motion that decided nothing goes to the next council, with the reason filed. */
  private async refer(m: AgendaItem, reason: string, fileReason: boolean): Promise<void> {
    const { q, life, input } = this;
    const referralId = `${m.id}-deferred-${input.period}`;
    await acts.createReferral({
      referralId,
      compoundId: input.compoundId,
      target: 'quarterlyDeliberation',
      title: m.title,
      detail: m.detail,
      source: { meetingId: life.meetingId, motionId: m.id },
      matter: m.motion!.matter,
      amount: m.motion!.amount,
      delegateTo: m.motion!.delegateTo,
    });
    q.referred = { ...q.referred, [m.id]: { reason, referralId } };
    if (fileReason) {
      await life.rec.file(
        'motionReferred',
        `议案「${m.title}」未作决定，转下次议事会：${reason}`,
        undefined,
        {
          motionId: m.id,
          reason,
          referralId,
        },
      );
    }
  }
}
