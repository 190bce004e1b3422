/**
 * What the council's members do in its workflow: the two convening bodies confirm it (two people, one
 * body each), members propose motions before it is held, members present vote once per motion while
 * voting is open, and the presiding party organization may close voting once everyone has voted.
 */
import { patched, setHandler, uuid4 } from '@temporalio/workflow';
import { isStaff } from '../domain/bodies';
import { LIMITS, longTextProblem } from '../domain/limits';
import {
  COUNCIL_CONVENERS,
  CONVENER_LABELS,
  MAJOR_MATTERS,
  MATTER_LABELS,
  motionExecutor,
  type CouncilConvener as Convener,
  type MajorMatter,
} from '../domain/meetings';
import { VOTE_CHOICES } from '../domain/votes';
import { refuse, type Actor } from './contract';
import { acts, iso } from './matter-record';
import {
  addMotionUpdate,
  castVoteUpdate,
  closeVotingUpdate,
  confirmConveningUpdate,
  type MeetingState,
  type MotionInput,
  type VoteInput,
  type VoteReceipt,
} from './meeting-contract';
import type { Council } from './council-state';

export function registerCouncilHandlers(c: Council): void {
  setHandler(confirmConveningUpdate, (u) => confirmConvening(c, u), {
    validator: (u) => validateConvening(c, u),
  });
  setHandler(addMotionUpdate, (u) => addMotion(c, u), { validator: (u) => validateMotion(c, u) });
  setHandler(castVoteUpdate, (u) => castVote(c, u), { validator: (u) => validateVote(c, u) });
  setHandler(
    closeVotingUpdate,
    async () => {
      c.votingClosed = true;
      return c.state;
    },
    { validator: ({ actor }) => validateClosing(c, actor) },
  );
}

/** Which convening body this actor confirms for: the one asked, else the first of theirs still open. */
const conveningBodyOf = (c: Council, actor: Actor, asked?: Convener): Convener | undefined => {
  const mine = COUNCIL_CONVENERS.filter((b) => actor.roles.includes(b));
  return asked ? (mine.includes(asked) ? asked : undefined) : mine.find((b) => !c.q.convening[b]);
};

async function confirmConvening(
  c: Council,
  { actor, body: asked }: { actor: Actor; body?: Convener },
): Promise<MeetingState> {
  const body = conveningBodyOf(c, actor, asked)!;
  c.q.convening[body] = { userId: actor.userId, name: actor.name, at: iso(Date.now()) };
  await c.life.save();
  await c.life.rec.file('conveningConfirmed', `${CONVENER_LABELS[body]}确认召集季度议事会`, actor);
  return c.state;
}

function validateConvening(c: Council, { actor, body: asked }: { actor: Actor; body?: Convener }): void {
  const { q } = c;
  if (c.state.held) refuse('conflict', '会议已召开');
  if (!actor.roles.includes('partyBranch') && !actor.roles.includes('ownersCommittee')) {
    refuse('forbidden', '只有党支部或业委会成员可以确认召集');
  }
  if (asked !== undefined && !(asked in CONVENER_LABELS)) refuse('invalid', `未知的召集方：${String(asked)}`);
  // Joint convening means two bodies, so two people: one person confirms for one body only.
  const already = COUNCIL_CONVENERS.find((b) => q.convening[b]?.userId === actor.userId);
  if (already) refuse('conflict', `您已代表${CONVENER_LABELS[already]}确认召集，另一召集方须由他人确认`);
  const body = conveningBodyOf(c, actor, asked);
  if (!body) refuse('forbidden', `您不是${CONVENER_LABELS[asked as Convener]}成员，不能代表其确认召集`);
  if (q.convening[body!]) refuse('conflict', `${CONVENER_LABELS[body!]}已确认召集`);
}

const motionsBy = (c: Council, userId: string) =>
  c.motions().filter((m) => m.motion?.proposedBy !== 'referral' && m.motion?.proposedBy.userId === userId)
    .length;

async function addMotion(
  c: Council,
  { actor, title, detail, matter, amount, delegateTo }: MotionInput,
): Promise<MeetingState> {
  const executor = motionExecutor(matter, delegateTo);
  c.state.agenda.push({
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
  await c.life.save();
  await c.life.rec.file(
    'motionAdded',
    `${actor.name}提出议案（${MATTER_LABELS[matter]}）：${title.trim()}`,
    actor,
    {
      matter,
      amount,
      ...(detail ? { detail } : {}),
    },
  );
  return c.state;
}

function validateMotion(c: Council, { actor, title, detail, matter, amount, delegateTo }: MotionInput): void {
  const { state, q, input } = c;
  if (state.held) refuse('conflict', '会议已召开，不能再提出议案');
  if (!state.agendaAssembledAt) refuse('conflict', '议程尚未生成，请稍后再提出议案');
  if (!isStaff(actor.roles) && !q.roster.some((m) => m.userId === actor.userId))
    refuse('forbidden', '只有议事会成员可以提出议案');
  if (!title?.trim()) refuse('invalid', '请填写议案标题（title）');
  if ([...title.trim()].length > LIMITS.titleChars)
    refuse('invalid', `议案标题最多 ${LIMITS.titleChars} 字（title）`);
  const long = longTextProblem(detail, '议案说明', false);
  if (long) refuse('invalid', `${long}（detail）`);
  if (!(MAJOR_MATTERS as readonly string[]).includes(matter)) refuse('invalid', `未知的议案类别：${matter}`);
  if (c.motions().length >= LIMITS.motionsPerCouncil)
    refuse('conflict', `每次议事会最多 ${LIMITS.motionsPerCouncil} 项议案`);
  if (motionsBy(c, actor.userId) >= LIMITS.motionsPerMember)
    refuse('conflict', `每人每次最多提出 ${LIMITS.motionsPerMember} 项议案`);
  if (matter === 'fundUse' && !(typeof amount === 'number' && amount > input.settings.majorFundAmount)) {
    refuse('invalid', `资金使用超过 ${input.settings.majorFundAmount} 元才是议事会决定的重大事项（amount）`);
  }
  const executor = motionExecutor(matter as MajorMatter, delegateTo);
  if ('error' in executor) refuse('invalid', executor.error);
}

async function castVote(
  c: Council,
  { actor, motionId, choice }: VoteInput,
): Promise<VoteReceipt | MeetingState> {
  const { q, votes } = c;
  (votes[motionId] ??= {})[actor.userId] = choice;
  q.ballots = { ...q.ballots, [motionId]: Object.keys(votes[motionId]).length };
  await acts.recordVote({
    meetingId: c.life.meetingId,
    motionId,
    userId: actor.userId,
    choice,
    at: iso(Date.now()),
  });
  // A ballot is answered with a receipt, and the meeting is not saved again for each one: thousands
  // of votes would otherwise each carry the whole state into the history (the ballots are stored).
  if (patched('ballot-receipts')) return { motionId, choice, ballots: q.ballots[motionId] ?? 0 };
  await c.life.save();
  return c.state;
}

function validateVote(c: Council, { actor, motionId, choice }: VoteInput): void {
  const { q, votes, state } = c;
  // A counted ballot's retry (a phone that lost the answer) hears "already voted", even after closing.
  if (votes[motionId]?.[actor.userId]) refuse('conflict', '您已对该议案表决，不能重复投票');
  if (!q.votingOpenUntil || c.votingClosed) refuse('conflict', '当前不在表决时间内');
  if (!c.motions().some((m) => m.id === motionId)) refuse('invalid', `没有这个议案：${motionId}`);
  if (!(VOTE_CHOICES as readonly string[]).includes(choice))
    refuse('invalid', '表决意见只能是 yes、no 或 abstain');
  if (!q.roster.some((m) => m.userId === actor.userId)) refuse('forbidden', '您不是议事会成员，不能表决');
  if (!state.held?.attendance.includes(actor.userId)) refuse('forbidden', '您未出席本次议事会，不能表决');
}

function validateClosing(c: Council, actor: Actor): void {
  const { q, state, votes } = c;
  if (!q.votingOpenUntil || c.votingClosed) refuse('conflict', '当前不在表决时间内');
  if (!isStaff(actor.roles) && !actor.roles.includes('partyBranch'))
    refuse('forbidden', '只有主持会议的党组织或社区工作人员可以结束表决');
  // By hand only once everyone present has voted on everything; otherwise the window decides.
  if (!c.everyoneVoted()) {
    const missing = c
      .motions()
      .reduce((n, m) => n + state.held!.attendance.filter((u) => votes[m.id]?.[u] === undefined).length, 0);
    refuse('conflict', `还有 ${missing} 张表决票未投，表决将于 ${c.life.when(q.votingOpenUntil!)} 截止`);
  }
}
