/** 四会: the cycle of the four meetings, each meeting's life, motions and the live vote. */
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import {
  COUNCIL_CONVENERS,
  DISPOSITIONS,
  EVALUATION_RATINGS,
  MAJOR_MATTERS,
  MEETING_TYPES,
  ORDER_BODIES,
  meetingWorkflowId,
} from '../../domain/meetings';
import { SIGNING_BODIES } from '../../domain/evaluation';
import { LIMITS } from '../../domain/limits';
import type { Permission } from '../../domain/roles';
import { VOTE_CHOICES } from '../../domain/votes';
import { DomainError } from '../../domain/errors';
import { Vote, voteId } from '../../models/vote';
import { ensureCycle, triggerMeeting } from '../../services/cycles';
import { updateWithTexts, withActor } from '../../services/texts';
import {
  addMotionUpdate,
  castVoteUpdate,
  closeVotingUpdate,
  confirmConveningUpdate,
  finalizeEvaluationUpdate,
  postponeMeetingUpdate,
  recordMeetingUpdate,
  scheduleMeetingUpdate,
  signEvaluationUpdate,
} from '../../workflows/meeting-contract';
import type { Actor } from '../../workflows/contract';
import type { AppDeps } from '../deps';
import { Reply, route, type RouteDef } from '../route-table';
import { at, compoundId, compoundParams, isoDate, opt, page, text } from '../schemas';
import { currentCycles, getMeeting, listMeetings, meetingVotes, parseMeetingType } from './reads';

/** A list of people by user id: each once, at most as many as a meeting seats. */
const people = (label: string) =>
  z
    .array(z.string().min(1).max(64))
    .min(1, `请填写${label}`)
    .max(LIMITS.participants, `${label}最多 ${LIMITS.participants} 人`)
    .refine((ids) => new Set(ids).size === ids.length, `${label}名单中有重复的人`);
const rating = z.enum(EVALUATION_RATINGS);
const ratings = z.strictObject({ ownersCommittee: rating, selfManagementCommittee: rating });
const meetingParams = z.strictObject({
  compoundId,
  type: z.string().min(1).max(40).meta({ description: '会议类型，如 quarterly-deliberation' }),
  period: z.string().min(1).max(60).meta({ description: '周期，如 2026-11、2026-Q4、2026 或 extra-…' }),
});
const MEETING_STATUSES = ['planned', 'scheduled', 'held', 'voting', 'signing', 'closed'] as const;

const meetingState = z
  .looseObject({
    meetingId: z.string(),
    compoundId: z.string(),
    type: z.enum(MEETING_TYPES),
    period: z.string(),
    status: z.enum(MEETING_STATUSES),
    plannedAt: z.string(),
    holdBy: z.string(),
    agenda: z.array(z.looseObject({ id: z.string() })),
    escalationLevel: z.number(),
    overdue: z.boolean(),
  })
  .meta({ id: 'Meeting', description: '一次会议此刻的状态：议程、安排、记录、议案与表决' });
const voteReceipt = z.looseObject({
  motionId: z.string(),
  choice: z.enum(VOTE_CHOICES),
  ballots: z.number(),
  repeated: z.boolean().optional(),
});

/**
 * A ballot already counted (it is stored before the vote is answered): its retry — a phone that lost
 * the answer, even after voting closed — gets the same receipt; a different choice is refused.
 */
async function countedBallot(
  meetingId: string,
  ballot: { motionId: string; choice: string },
  userId: string,
) {
  const stored = await Vote.findById(voteId(meetingId, ballot.motionId, userId), { choice: 1 }).lean();
  if (!stored) return undefined;
  if (stored.choice !== ballot.choice)
    throw new DomainError('conflict', '您已对该议案表决，不能重复投票', { field: 'choice' });
  const ballots = await Vote.countDocuments({ meetingId, motionId: ballot.motionId });
  return { motionId: ballot.motionId, choice: stored.choice, ballots, repeated: true as const };
}

/**
 * One action on a meeting: a workflow update with the body that carries it. `input` makes the update's own input
 * from the body and the actor, so the compiler checks each body schema against its update: no cast.
 */
interface MeetingAction<B, A, R> {
  path: string;
  summary: string;
  permission: Permission;
  body: z.ZodType<B>;
  update: UpdateDefinition<R, [A]>;
  /** The update's input from the body and the actor, type-checked at each action (no cast). */
  input: (body: B, actor: Actor) => A;
  response?: z.ZodType;
  /** false when the action's own record is its audit (a ballot). */
  audit?: false;
  /** Answers before the workflow is asked, when it can (a ballot already counted). */
  answerFirst?: (input: { workflowId: string; body: B; userId: string }) => Promise<unknown>;
}

/** Binds an action to the route table, keeping its types: the array below holds routes, not actions. */
const action =
  <B, A, R>(a: MeetingAction<B, A, R>) =>
  (deps: AppDeps, base: string): RouteDef =>
    route({
      method: 'post',
      path: `${base}/meetings/:type/:period/${a.path}`,
      tag: '四会',
      summary: a.summary,
      access: a.permission,
      params: meetingParams,
      body: a.body,
      refusals: [409, 503],
      audit: a.audit,
      response: a.response ?? meetingState,
      handler: async ({ params, body, req, actor }) => {
        const type = parseMeetingType(params.type);
        await getMeeting(params.compoundId, type, params.period); // 404 for another compound's meeting
        const handle = (await deps.temporal.client()).workflow.getHandle(
          meetingWorkflowId(type, params.compoundId, params.period),
        );
        const early = await a.answerFirst?.({ workflowId: handle.workflowId, body, userId: req.user!.id });
        if (early) return early;
        return updateWithTexts(handle, params.compoundId, a.update, body, (b) => a.input(b, actor()));
      },
    });

const meetingActions = [
  action({
    path: 'schedule',
    summary: '确定会议时间、地点和参会人员',
    permission: 'meeting:schedule',
    body: z.strictObject({
      at: isoDate,
      place: text('地点', LIMITS.placeChars),
      participants: people('参会人员'),
    }),
    update: scheduleMeetingUpdate,
    input: withActor,
  }),
  action({
    path: 'postpone',
    summary: '延期（须说明理由）',
    permission: 'meeting:schedule',
    body: z.strictObject({ reason: text('延期理由', LIMITS.reasonChars), newDate: isoDate }),
    update: postponeMeetingUpdate,
    input: withActor,
  }),
  action({
    path: 'record',
    summary: '记录会议：出席、纪要和逐项决定',
    permission: 'meeting:record',
    body: z.strictObject({
      heldAt: isoDate,
      attendance: people('出席人员'),
      minutes: text('会议纪要'),
      decisions: z
        .array(
          z.strictObject({
            itemId: z.string().min(1).max(200),
            decision: text('决定'),
            disposition: z.enum(DISPOSITIONS).optional(),
            handlingOpinion: z.string().trim().max(LIMITS.textChars).optional(),
            deadline: z.string().max(40).optional(),
            procedure: z.string().trim().max(LIMITS.textChars).optional(),
            rectify: z.boolean().optional(),
          }),
        )
        .max(LIMITS.decisionsPerMeeting, `每次会议最多 ${LIMITS.decisionsPerMeeting} 项决定`)
        .default([]),
    }),
    update: recordMeetingUpdate,
    input: withActor,
  }),
  action({
    path: 'confirm-convening',
    summary: '党支部或业委会确认召集议事会',
    permission: 'meeting:confirmConvening',
    body: z.strictObject({ body: z.enum(COUNCIL_CONVENERS).optional() }),
    update: confirmConveningUpdate,
    input: withActor,
  }),
  action({
    path: 'motions',
    summary: '提出议案',
    permission: 'motion:propose',
    body: z.strictObject({
      title: text('议案标题', LIMITS.titleChars),
      detail: z.string().trim().max(LIMITS.textChars).optional(),
      matter: z.enum(MAJOR_MATTERS),
      amount: z.number().positive().max(1e12).optional(),
      delegateTo: z.enum(ORDER_BODIES).optional(),
    }),
    update: addMotionUpdate,
    input: withActor,
  }),
  action({
    path: 'votes',
    summary: '表决（赞成/反对/弃权），每人每案一票',
    permission: 'vote:cast',
    body: z.strictObject({ motionId: z.string().min(1).max(100), choice: z.enum(VOTE_CHOICES) }),
    update: castVoteUpdate,
    input: withActor,
    response: voteReceipt.or(meetingState),
    answerFirst: ({ workflowId, body, userId }) => countedBallot(workflowId, body, userId),
    // A ballot is secret beyond its count: its own record (votes) is all that is kept of it.
    audit: false,
  }),
  action({
    path: 'close-voting',
    summary: '结束表决（须出席者都已表决）',
    permission: 'voting:close',
    body: z.strictObject({}),
    update: closeVotingUpdate,
    input: (_body, actor) => ({ actor }),
  }),
  action({
    path: 'sign',
    summary: '党支部或监事会签署年度评估',
    permission: 'evaluation:sign',
    body: z.strictObject({
      ratings,
      comment: text('评估意见'),
      body: z.enum(SIGNING_BODIES).optional(),
    }),
    update: signEvaluationUpdate,
    input: withActor,
  }),
  action({
    path: 'finalize',
    summary: '社区党组织裁定年度评估（意见不一致时）',
    permission: 'evaluation:finalize',
    body: z.strictObject({ ratings, comment: text('裁定意见') }),
    update: finalizeEvaluationUpdate,
    input: withActor,
  }),
];

export function meetingRoutes(deps: AppDeps): RouteDef[] {
  const base = '/compounds/:compoundId';
  return [
    route({
      method: 'get',
      path: `${base}/cycles`,
      tag: '四会',
      summary: '当前周期：各会议本期、未结束的会议和未完成的整改',
      access: 'meeting:read',
      params: compoundParams,
      response: z.looseObject({
        compound: z.looseObject({ id: z.string(), name: z.string(), timeZone: z.string() }),
        now: at,
        current: z.array(z.looseObject({ type: z.enum(MEETING_TYPES), period: z.string(), id: z.string() })),
        open: z.array(
          z.looseObject({ id: z.string(), status: z.string(), holdBy: at, overdue: z.boolean() }),
        ),
        orders: z.array(z.looseObject({ id: z.string(), status: z.string(), deadline: at })),
      }),
      handler: ({ params }) => currentCycles(params.compoundId, deps.clock?.()),
    }),
    route({
      method: 'post',
      path: `${base}/cycles/start`,
      tag: '四会',
      summary: '启动本小区的四会周期（已在运行则不变）',
      access: 'meeting:trigger',
      params: compoundParams,
      status: 201,
      otherSuccess: { 200: '周期已在运行' },
      refusals: [503],
      response: z.strictObject({ started: z.boolean(), message: z.string() }),
      handler: async ({ params }) => {
        const started = await ensureCycle(deps.temporal, params.compoundId);
        return new Reply(started ? 201 : 200, {
          started,
          message: started ? '已启动四会周期' : '四会周期已在运行',
        });
      },
    }),
    route({
      method: 'get',
      path: `${base}/meetings`,
      tag: '四会',
      summary: '会议列表',
      access: 'meeting:read',
      params: compoundParams,
      query: z.strictObject({
        type: z.enum(MEETING_TYPES).optional(),
        status: z.enum(MEETING_STATUSES).optional(),
        ...page(),
      }),
      response: z.looseObject({
        items: z.array(z.looseObject({ id: z.string(), type: z.enum(MEETING_TYPES), label: z.string() })),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query }) => listMeetings(params.compoundId, query),
    }),
    route({
      method: 'post',
      path: `${base}/meetings`,
      tag: '四会',
      summary: '召开临时会议',
      access: 'meeting:trigger',
      params: compoundParams,
      body: z.strictObject({
        type: z.enum(MEETING_TYPES),
        reason: text('召开事由'),
        plannedAt: isoDate,
        holdBy: isoDate.optional(),
        /** An extraordinary annual evaluation: the year it rates (default: this year in December, else last). */
        year: z.number().int().min(2000).max(2100).optional(),
      }),
      status: 201,
      refusals: [503],
      response: z.strictObject({ id: z.string(), type: z.enum(MEETING_TYPES), period: z.string() }),
      handler: ({ params, body, req }) =>
        triggerMeeting(deps.temporal, params.compoundId, req.user!.name, body, deps.clock?.()),
    }),
    route({
      method: 'get',
      path: `${base}/meetings/:type/:period`,
      tag: '四会',
      summary: '一次会议：议程、安排、记录、议案与表决',
      access: 'meeting:read',
      params: meetingParams,
      response: meetingState.and(z.looseObject({ label: z.string() })),
      handler: ({ params }) =>
        getMeeting(params.compoundId, parseMeetingType(params.type), params.period, deps.temporal),
    }),
    route({
      method: 'get',
      path: `${base}/meetings/:type/:period/votes`,
      tag: '四会',
      summary: '记名表决：每一票（可按议案筛选）',
      access: 'meeting:read',
      params: meetingParams,
      query: z.strictObject({ motionId: z.string().min(1).max(100).optional() }),
      response: z.looseObject({
        meetingId: z.string(),
        items: z.array(
          z.looseObject({
            motionId: z.string(),
            userId: z.string(),
            name: opt(z.string()),
            choice: z.enum(VOTE_CHOICES),
            at,
          }),
        ),
      }),
      handler: ({ params, query }) =>
        meetingVotes(params.compoundId, parseMeetingType(params.type), params.period, query.motionId),
    }),
    ...meetingActions.map((bind) => bind(deps, base)),
  ];
}
