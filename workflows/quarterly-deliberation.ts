/**
 * 社区党组织主导季度议事会: convened jointly — the branch and the owners' committee both confirm — and
 * led by the party organization. Motions on major matters come from referrals and members; with a
 * quorum present, each member present votes once per motion within the voting window; the 5030 rule
 * decides; passed motions become resolutions delegated for execution.
 */
import { condition, patched, setHandler, uuid4 } from '@temporalio/workflow';
import { LIMITS, longTextProblem } from '../domain/limits';
import {
  MAJOR_MATTERS,
  MATTER_LABELS,
  ORDER_BODY_LABELS,
  motionExecutor,
  type MajorMatter,
} from '../domain/meetings';
import {
  decideMotion,
  formatFraction,
  quorumCount,
  tallyVotes,
  VOTE_CHOICES,
  VOTE_LABELS,
  type VoteChoice,
} from '../domain/votes';
import type { Actor } from './contract';
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
  type VoteReceipt,
} from './meeting-contract';

type Convener = 'partyBranch' | 'ownersCommittee';
const CONVENER_LABELS: Record<Convener, string> = { partyBranch: '党支部', ownersCommittee: '业委会' };

export async function quarterlyDeliberation(input: MeetingInput): Promise<MeetingState> {
  const q: QuarterlyState = { convening: {}, roster: [], ballots: {}, results: {}, referred: {} };
  // Who voted what stays here, outside the state the workflow saves and answers with (see QuarterlyState).
  const votes: Record<string, Record<string, VoteChoice>> = {};
  const life = meetingLife(input, {
    decisionsRequired: false,
    validateRecord: (r) => {
      if (!q.convening.partyBranch || !q.convening.ownersCommittee) {
        refuse('conflict', '季度议事会须由党支部和业委会共同确认召集后才能召开');
      }
      const members = new Set(q.roster.map((m) => m.userId));
      const outsiders = r.attendance.filter((id) => !members.has(id));
      if (outsiders.length) refuse('invalid', `出席人员不在议事会成员名单中：${outsiders.join('、')}`);
      if (r.attendance.length > q.roster.length) refuse('invalid', '出席人数不能超过议事会成员人数');
    },
    onWindowOpen: async () => {
      q.roster = await acts.loadCouncilRoster(input.compoundId);
    },
  });
  const { state } = life;
  state.quarterly = q;
  let votingClosed = false;
  const motions = () => state.agenda.filter((i) => i.motion);

  /** Which convening body this actor confirms for: the one asked, else the first of theirs still open. */
  const conveningBodyOf = (actor: Actor, asked?: Convener): Convener | undefined => {
    const mine = (Object.keys(CONVENER_LABELS) as Convener[]).filter((b) => actor.roles.includes(b));
    return asked ? (mine.includes(asked) ? asked : undefined) : mine.find((b) => !q.convening[b]);
  };

  setHandler(
    confirmConveningUpdate,
    async ({ actor, body: asked }) => {
      const body = conveningBodyOf(actor, asked)!;
      q.convening[body] = { userId: actor.userId, name: actor.name, at: iso(Date.now()) };
      await life.save();
      await life.rec.file('conveningConfirmed', `${CONVENER_LABELS[body]}确认召集季度议事会`, actor);
      return state;
    },
    {
      validator: ({ actor, body: asked }) => {
        if (state.held) refuse('conflict', '会议已召开');
        if (!actor.roles.includes('partyBranch') && !actor.roles.includes('ownersCommittee')) {
          refuse('forbidden', '只有党支部或业委会成员可以确认召集');
        }
        if (asked !== undefined && !(asked in CONVENER_LABELS))
          refuse('invalid', `未知的召集方：${String(asked)}`);
        // Joint convening means two bodies, so two people: one person confirms for one body only.
        const already = (Object.keys(CONVENER_LABELS) as Convener[]).find(
          (b) => q.convening[b]?.userId === actor.userId,
        );
        if (already)
          refuse('conflict', `您已代表${CONVENER_LABELS[already]}确认召集，另一召集方须由他人确认`);
        const body = conveningBodyOf(actor, asked);
        if (!body) refuse('forbidden', `您不是${CONVENER_LABELS[asked as Convener]}成员，不能代表其确认召集`);
        if (q.convening[body!]) refuse('conflict', `${CONVENER_LABELS[body!]}已确认召集`);
      },
    },
  );

  const motionsBy = (userId: string) =>
    motions().filter((m) => m.motion?.proposedBy !== 'referral' && m.motion?.proposedBy.userId === userId)
      .length;

  setHandler(
    addMotionUpdate,
    async ({ actor, title, detail, matter, amount, delegateTo }) => {
      const executor = motionExecutor(matter, delegateTo);
      state.agenda.push({
        id: `motion-${uuid4().slice(0, 8)}`,
        title: title.trim(),
        detail: typeof detail === 'string' ? detail.trim() || undefined : detail,
        source: 'motion',
        motion: {
          matter,
          amount,
          proposedBy: { userId: actor.userId, name: actor.name },
          delegateTo: 'executor' in executor ? executor.executor : 'selfManagementCommittee',
        },
      });
      await life.save();
      await life.rec.file(
        'motionAdded',
        `${actor.name}提出议案（${MATTER_LABELS[matter]}）：${title.trim()}`,
        actor,
        { matter, amount, ...(detail ? { detail } : {}) },
      );
      return state;
    },
    {
      validator: ({ actor, title, detail, matter, amount, delegateTo }) => {
        if (state.held) refuse('conflict', '会议已召开，不能再提出议案');
        if (!state.agendaAssembledAt) refuse('conflict', '议程尚未生成，请稍后再提出议案');
        if (!isStaff(actor) && !q.roster.some((m) => m.userId === actor.userId))
          refuse('forbidden', '只有议事会成员可以提出议案');
        if (!title?.trim()) refuse('invalid', '请填写议案标题（title）');
        if ([...title.trim()].length > LIMITS.titleChars)
          refuse('invalid', `议案标题最多 ${LIMITS.titleChars} 字（title）`);
        const long = longTextProblem(detail, '议案说明', false);
        if (long) refuse('invalid', `${long}（detail）`);
        if (!(MAJOR_MATTERS as readonly string[]).includes(matter))
          refuse('invalid', `未知的议案类别：${matter}`);
        if (motions().length >= LIMITS.motionsPerCouncil)
          refuse('conflict', `每次议事会最多 ${LIMITS.motionsPerCouncil} 项议案`);
        if (motionsBy(actor.userId) >= LIMITS.motionsPerMember)
          refuse('conflict', `每人每次最多提出 ${LIMITS.motionsPerMember} 项议案`);
        if (
          matter === 'fundUse' &&
          !(typeof amount === 'number' && amount > input.settings.majorFundAmount)
        ) {
          refuse(
            'invalid',
            `资金使用超过 ${input.settings.majorFundAmount} 元才是议事会决定的重大事项（amount）`,
          );
        }
        const executor = motionExecutor(matter as MajorMatter, delegateTo);
        if ('error' in executor) refuse('invalid', executor.error);
      },
    },
  );

  const everyoneVoted = () =>
    motions().every((m) => state.held!.attendance.every((u) => votes[m.id]?.[u] !== undefined));

  setHandler(
    castVoteUpdate,
    async ({ actor, motionId, choice }): Promise<VoteReceipt | typeof state> => {
      (votes[motionId] ??= {})[actor.userId] = choice;
      q.ballots = { ...q.ballots, [motionId]: Object.keys(votes[motionId]).length };
      await acts.recordVote({
        meetingId: life.meetingId,
        motionId,
        userId: actor.userId,
        choice,
        at: iso(Date.now()),
      });
      // A ballot is answered with a receipt, and the meeting is not saved again for each one: thousands
      // of votes would otherwise each carry the whole state into the history (the ballots are stored).
      if (patched('ballot-receipts')) return { motionId, choice, ballots: q.ballots[motionId] ?? 0 };
      await life.save();
      return state;
    },
    {
      validator: ({ actor, motionId, choice }) => {
        // A counted ballot's retry (a phone that lost the answer) hears "already voted", even after closing.
        if (votes[motionId]?.[actor.userId]) refuse('conflict', '您已对该议案表决，不能重复投票');
        if (!q.votingOpenUntil || votingClosed) refuse('conflict', '当前不在表决时间内');
        if (!motions().some((m) => m.id === motionId)) refuse('invalid', `没有这个议案：${motionId}`);
        if (!(VOTE_CHOICES as readonly string[]).includes(choice))
          refuse('invalid', '表决意见只能是 yes、no 或 abstain');
        if (!q.roster.some((m) => m.userId === actor.userId))
          refuse('forbidden', '您不是议事会成员，不能表决');
        if (!state.held?.attendance.includes(actor.userId))
          refuse('forbidden', '您未出席本次议事会，不能表决');
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
        // By hand only once everyone present has voted on everything; otherwise the window decides.
        if (!everyoneVoted()) {
          const missing = motions().reduce(
            (n, m) => n + state.held!.attendance.filter((u) => votes[m.id]?.[u] === undefined).length,
            0,
          );
          refuse('conflict', `还有 ${missing} 张表决票未投，表决将于 ${life.when(q.votingOpenUntil!)} 截止`);
        }
      },
    },
  );

  await life.run();
  const present = state.held!.attendance.length;
  const members = q.roster.length;
  const fraction = input.settings.quorumFraction;
  const needed = quorumCount(members, fraction);
  q.quorum = { present, members, met: members > 0 && present >= needed, fraction, needed };
  await life.rec.file(
    'quorum',
    `应到 ${members} 人，实到 ${present} 人，法定人数 ${needed} 人（${formatFraction(fraction)}），${q.quorum.met ? '达到' : '未达到'}法定人数`,
    undefined,
    q.quorum,
  );

  /** A motion that decided nothing goes to the next council, with the reason filed. */
  const refer = async (m: (typeof state.agenda)[number], reason: string, fileReason: boolean) => {
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
  };

  if (!q.quorum.met) {
    // Without a quorum nothing is decided: the motions go to the next quarter.
    const file = patched('referral-reasons-filed');
    for (const m of motions()) await refer(m, `出席 ${present} 人，未达到法定人数 ${needed} 人`, file);
  } else if (motions().length) {
    state.status = 'voting';
    q.votingOpenUntil = iso(Date.now() + input.settings.votingWindowHours * 3_600_000);
    await life.save();
    await life.rec.file('votingOpened', `表决开始，截止 ${life.when(q.votingOpenUntil)}`);
    await condition(() => votingClosed || everyoneVoted(), Date.parse(q.votingOpenUntil) - Date.now());
    votingClosed = true;

    for (const m of motions()) {
      const cast = Object.values(votes[m.id] ?? {}).map((choice) => ({ choice }));
      // A motion on which fewer ballots were cast than the quorum decides nothing (DOMAIN.md).
      if (cast.length < needed && patched('motion-needs-quorum-of-ballots')) {
        await refer(m, `仅 ${cast.length} 人表决，少于法定人数 ${needed} 人`, true);
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
        const orderId = await issueOrder(input.compoundId, input.settings, {
          kind: 'resolution',
          title: m.title,
          detail: m.detail,
          owner,
          issuer: 'ownersCommittee',
          deadline: orderDeadline(
            String(input.settings.rectification.defaultDays * 2),
            input.settings,
            input.timeZone,
          ),
          timeZone: input.timeZone,
          source: { meetingId: life.meetingId, motionId: m.id },
        });
        q.results[m.id] = { ...result, resolutionId: orderId };
        await life.rec.file('resolution', `决议「${m.title}」交${ORDER_BODY_LABELS[owner]}执行`, undefined, {
          motionId: m.id,
          orderId,
        });
      }
    }
  }
  return life.close({ voices: false });
}
