/**
 * 社区党组织主导季度议事会: convened jointly — the branch and the owners' committee both confirm — and
 * led by the party organization. Motions on major matters come from referrals and members; with a
 * quorum present, each member present votes once per motion within the voting window; the 5030 rule
 * decides; passed motions become resolutions delegated for execution.
 */
import { condition, setHandler, uuid4 } from '@temporalio/workflow';
import { DAY_MS } from '../domain/calendar';
import { decideMotion, quorumMet, tallyVotes, VOTE_CHOICES, VOTE_LABELS } from '../domain/votes';
import { meetingLife, acts, iso, isStaff, refuse } from './meeting';
import { issueOrder, orderDeadline } from './orders';
import {
  addMotionUpdate,
  castVoteUpdate,
  closeVotingUpdate,
  confirmConveningUpdate,
  type MeetingInput,
  type MeetingState,
  type QuarterlyState,
} from './meeting-contract';

const MATTER_LABELS = {
  vitalInterests: '居民切身利益',
  fundUse: '大额资金使用',
  selfManagementCommittee: '自管会聘任或解聘',
  other: '其他重大事项',
};

export async function quarterlyDeliberation(input: MeetingInput): Promise<MeetingState> {
  const q: QuarterlyState = { convening: {}, roster: [], votes: {}, results: {} };
  const life = meetingLife(input, {
    decisionsRequired: false,
    validateRecord: (r) => {
      if (!q.convening.partyBranch || !q.convening.ownersCommittee) {
        refuse('conflict', '季度议事会须由党支部和业委会共同确认召集后才能召开');
      }
      const members = new Set(q.roster.map((m) => m.userId));
      const outsiders = r.attendance.filter((id) => !members.has(id));
      if (outsiders.length) refuse('invalid', `出席人员不在议事会成员名单中：${outsiders.join('、')}`);
    },
    onWindowOpen: async () => {
      q.roster = await acts.loadCouncilRoster(input.compoundId);
    },
  });
  const { state } = life;
  state.quarterly = q;
  let votingClosed = false;
  const motions = () => state.agenda.filter((i) => i.motion);

  setHandler(
    confirmConveningUpdate,
    async ({ actor }) => {
      const body =
        !q.convening.partyBranch && actor.roles.includes('partyBranch') ? 'partyBranch' : 'ownersCommittee';
      q.convening[body] = { userId: actor.userId, name: actor.name, at: iso(Date.now()) };
      await life.save();
      await life.rec.file(
        'conveningConfirmed',
        `${body === 'partyBranch' ? '党支部' : '业委会'}确认召集季度议事会`,
        actor,
      );
      return state;
    },
    {
      validator: ({ actor }) => {
        if (state.held) refuse('conflict', '会议已召开');
        const canBranch = actor.roles.includes('partyBranch') && !q.convening.partyBranch;
        const canOwners = actor.roles.includes('ownersCommittee') && !q.convening.ownersCommittee;
        if (!actor.roles.includes('partyBranch') && !actor.roles.includes('ownersCommittee')) {
          refuse('forbidden', '只有党支部或业委会成员可以确认召集');
        }
        if (!canBranch && !canOwners) refuse('conflict', '您所在的组织已确认召集');
      },
    },
  );

  setHandler(
    addMotionUpdate,
    async ({ actor, title, detail, matter, amount, delegateTo }) => {
      state.agenda.push({
        id: `motion-${uuid4().slice(0, 8)}`,
        title: title.trim(),
        detail: detail?.trim(),
        source: 'motion',
        motion: {
          matter,
          amount,
          proposedBy: { userId: actor.userId, name: actor.name },
          delegateTo: delegateTo ?? 'selfManagementCommittee',
        },
      });
      await life.save();
      await life.rec.file(
        'motionAdded',
        `${actor.name}提出议案（${MATTER_LABELS[matter]}）：${title.trim()}`,
        actor,
        { matter, amount },
      );
      return state;
    },
    {
      validator: ({ actor, title, matter, amount }) => {
        if (state.held) refuse('conflict', '会议已召开，不能再提出议案');
        if (!state.agendaAssembledAt) refuse('conflict', '议程尚未生成，请稍后再提出议案');
        if (!isStaff(actor) && !q.roster.some((m) => m.userId === actor.userId))
          refuse('forbidden', '只有议事会成员可以提出议案');
        if (!title?.trim()) refuse('invalid', '请填写议案标题（title）');
        if (!(matter in MATTER_LABELS)) refuse('invalid', `未知的议案类别：${matter}`);
        if (
          matter === 'fundUse' &&
          !(typeof amount === 'number' && amount > input.settings.majorFundAmount)
        ) {
          refuse(
            'invalid',
            `资金使用超过 ${input.settings.majorFundAmount} 元才是议事会决定的重大事项（amount）`,
          );
        }
      },
    },
  );

  setHandler(
    castVoteUpdate,
    async ({ actor, motionId, choice }) => {
      (q.votes[motionId] ??= {})[actor.userId] = choice;
      await acts.recordVote({
        meetingId: life.meetingId,
        motionId,
        userId: actor.userId,
        choice,
        at: iso(Date.now()),
      });
      await life.save();
      return state;
    },
    {
      validator: ({ actor, motionId, choice }) => {
        if (!q.votingOpenUntil || votingClosed) refuse('conflict', '当前不在表决时间内');
        if (!motions().some((m) => m.id === motionId)) refuse('invalid', `没有这个议案：${motionId}`);
        if (!(VOTE_CHOICES as readonly string[]).includes(choice))
          refuse('invalid', '表决意见只能是 yes、no 或 abstain');
        if (!q.roster.some((m) => m.userId === actor.userId))
          refuse('forbidden', '您不是议事会成员，不能表决');
        if (!state.held?.attendance.includes(actor.userId))
          refuse('forbidden', '您未出席本次议事会，不能表决');
        if (q.votes[motionId]?.[actor.userId]) refuse('conflict', '您已对该议案表决，不能重复投票');
      },
    },
  );

  setHandler(
    closeVotingUpdate,
    async () => {
      votingClosed = true;
      return state;
    },
    {
      validator: ({ actor }) => {
        if (!q.votingOpenUntil || votingClosed) refuse('conflict', '当前不在表决时间内');
        if (!isStaff(actor) && !actor.roles.includes('partyBranch'))
          refuse('forbidden', '只有主持会议的党组织或社区工作人员可以结束表决');
      },
    },
  );

  await life.run();
  const present = state.held!.attendance.length;
  const members = q.roster.length;
  q.quorum = {
    present,
    members,
    met: quorumMet(present, members, input.settings.quorumFraction),
    fraction: input.settings.quorumFraction,
  };
  await life.rec.file(
    'quorum',
    `应到 ${members} 人，实到 ${present} 人，${q.quorum.met ? '达到' : '未达到'}法定人数（${Math.round(input.settings.quorumFraction * 100)}%）`,
    undefined,
    q.quorum,
  );

  if (!q.quorum.met) {
    // Without a quorum nothing is decided: the motions go to the next quarter.
    for (const m of motions()) {
      await acts.createReferral({
        referralId: `${m.id}-deferred-${input.period}`,
        compoundId: input.compoundId,
        target: 'quarterlyDeliberation',
        title: m.title,
        detail: m.detail,
        source: { meetingId: life.meetingId, motionId: m.id },
        matter: m.motion!.matter,
        amount: m.motion!.amount,
      });
    }
  } else if (motions().length) {
    state.status = 'voting';
    q.votingOpenUntil = iso(Date.now() + input.settings.votingWindowHours * 3_600_000);
    await life.save();
    await life.rec.file('votingOpened', `表决开始，截止 ${life.when(q.votingOpenUntil)}`);
    const everyoneVoted = () =>
      motions().every((m) => state.held!.attendance.every((u) => q.votes[m.id]?.[u] !== undefined));
    await condition(() => votingClosed || everyoneVoted(), Date.parse(q.votingOpenUntil) - Date.now());
    votingClosed = true;

    for (const m of motions()) {
      const votes = Object.values(q.votes[m.id] ?? {}).map((choice) => ({ choice }));
      const result = decideMotion(tallyVotes(votes), { baseKind: input.settings.voteBase, present, members });
      q.results[m.id] = result;
      await life.rec.file(
        'motionDecided',
        `议案「${m.title}」：赞成 ${result.tally.yes}、反对 ${result.tally.no}、弃权 ${result.tally.abstain}，${result.passed ? '通过' : '未通过'}（5030制）`,
        undefined,
        { motionId: m.id, ...result, labels: VOTE_LABELS },
      );
      if (result.passed) {
        const orderId = await issueOrder(input.compoundId, input.settings, {
          kind: 'resolution',
          title: m.title,
          detail: m.detail,
          owner: m.motion!.delegateTo,
          issuer: 'ownersCommittee',
          deadline: orderDeadline(
            String(Math.round((input.settings.rectification.defaultDays * 2 * DAY_MS) / DAY_MS)),
            input.settings,
          ),
          source: { meetingId: life.meetingId, motionId: m.id },
        });
        q.results[m.id] = { ...result, resolutionId: orderId };
        await life.rec.file(
          'resolution',
          `决议「${m.title}」交${m.motion!.delegateTo === 'selfManagementCommittee' ? '自管会' : m.motion!.delegateTo}执行`,
          undefined,
          {
            motionId: m.id,
            orderId,
          },
        );
      }
    }
  }
  return life.close({ voices: false });
}
