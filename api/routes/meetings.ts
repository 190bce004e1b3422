import { Router, type Request } from 'express';
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import { authorize } from '../auth';
import { input, param, validate } from '../validate';
import {
  MAJOR_MATTERS,
  MEETING_TYPES,
  ORDER_BODIES,
  meetingWorkflowId,
  DISPOSITIONS,
} from '../../domain/meetings';
import { LIMITS } from '../../domain/limits';
import type { Permission } from '../../domain/roles';
import { DomainError } from '../../domain/errors';
import { Vote, voteId } from '../../models/vote';
import type { AppDeps } from '../app';
import type { Actor } from '../../workflows/contract';
import {
  addMotionUpdate,
  castVoteUpdate,
  closeVotingUpdate,
  completeRectificationUpdate,
  confirmConveningUpdate,
  extendRectificationUpdate,
  finalizeEvaluationUpdate,
  postponeMeetingUpdate,
  recordMeetingUpdate,
  reportRectificationUpdate,
  scheduleMeetingUpdate,
  signEvaluationUpdate,
  verifyRectificationUpdate,
} from '../../workflows/meeting-contract';
import {
  currentCycles,
  ensureCycle,
  findOrder,
  getMeeting,
  ledgerOf,
  listMeetings,
  listOrders,
  parseMeetingType,
  getOrder,
  meetingVotes,
  publishedEvaluations,
  triggerMeeting,
  writeLedgerCsv,
  writeLedgerXlsx,
} from '../meetings';
import { loadCompound } from '../voices';
import { timeZoneOf } from '../../models/compound';
import { expandTexts, storeLongTexts } from '../texts';
import { verifyLedger } from '../../activities/ledger';
import { loadReport, renderReportCsv, renderReportHtml, writeReportXlsx } from '../evaluation-report';

const isoDate = z.iso.datetime({ offset: true, message: '应为 ISO 8601 时间，如 2026-12-28T15:00:00+08:00' });
const text = (label: string, max: number = LIMITS.textChars) =>
  z.string().trim().min(1, `请填写${label}`).max(max, `${label}最多 ${max} 字`);
/** A list of people by user id: each once, at most as many as a meeting seats. */
const people = (label: string) =>
  z
    .array(z.string().min(1).max(64))
    .min(1, `请填写${label}`)
    .max(LIMITS.participants, `${label}最多 ${LIMITS.participants} 人`)
    .refine((ids) => new Set(ids).size === ids.length, `${label}名单中有重复的人`);
const page = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
const rating = z.enum(['trustworthy', 'average', 'untrustworthy']);
const ratings = z.strictObject({ ownersCommittee: rating, selfManagementCommittee: rating });

/**
 * A ballot already counted (it is stored before the vote is answered): its retry — a phone that lost
 * the answer, even after voting closed — gets the same receipt; a different choice is refused.
 */
async function countedBallot(
  meetingId: string,
  ballot: { motionId: string; choice: string },
  userId: string,
): Promise<{ motionId: string; choice: string; ballots: number; repeated: true } | undefined> {
  const stored = await Vote.findById(voteId(meetingId, ballot.motionId, userId), { choice: 1 }).lean();
  if (!stored) return undefined;
  if (stored.choice !== ballot.choice)
    throw new DomainError('conflict', '您已对该议案表决，不能重复投票', { field: 'choice' });
  const ballots = await Vote.countDocuments({ meetingId, motionId: ballot.motionId });
  return { motionId: ballot.motionId, choice: stored.choice, ballots, repeated: true };
}

/**
 * Verifying reads a compound's whole chain: callers of one compound at the same time share one pass,
 * and at most VERIFY_AT_ONCE passes run, so a burst of verifications cannot starve other requests.
 */
const verifying = new Map<string, ReturnType<typeof verifyLedger>>();
const VERIFY_AT_ONCE = 2;
let verifyRunning = 0;
const verifyWaiting: (() => void)[] = [];
function verifyShared(compoundId: string): ReturnType<typeof verifyLedger> {
  const shared = verifying.get(compoundId);
  if (shared) return shared;
  const run = (async () => {
    // A finishing pass hands its slot straight to the next waiter, so never more than VERIFY_AT_ONCE run.
    if (verifyRunning >= VERIFY_AT_ONCE) await new Promise<void>((r) => verifyWaiting.push(r));
    else verifyRunning++;
    try {
      return await verifyLedger(compoundId);
    } finally {
      const next = verifyWaiting.shift();
      if (next) next();
      else verifyRunning--;
      verifying.delete(compoundId);
    }
  })();
  verifying.set(compoundId, run);
  return run;
}

const meetingActions: Record<
  string,
  { permission: Permission; body: z.ZodType; update: UpdateDefinition<unknown, [never]> }
> = {
  schedule: {
    permission: 'meeting:schedule',
    body: z.strictObject({
      at: isoDate,
      place: text('地点', LIMITS.placeChars),
      participants: people('参会人员'),
    }),
    update: scheduleMeetingUpdate as never,
  },
  postpone: {
    permission: 'meeting:schedule',
    body: z.strictObject({ reason: text('延期理由', LIMITS.reasonChars), newDate: isoDate }),
    update: postponeMeetingUpdate as never,
  },
  record: {
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
    update: recordMeetingUpdate as never,
  },
  'confirm-convening': {
    permission: 'meeting:confirmConvening',
    body: z.strictObject({ body: z.enum(['partyBranch', 'ownersCommittee']).optional() }),
    update: confirmConveningUpdate as never,
  },
  motions: {
    permission: 'motion:propose',
    body: z.strictObject({
      title: text('议案标题', LIMITS.titleChars),
      detail: z.string().trim().max(LIMITS.textChars).optional(),
      matter: z.enum(MAJOR_MATTERS),
      amount: z.number().positive().max(1e12).optional(),
      delegateTo: z.enum(ORDER_BODIES).optional(),
    }),
    update: addMotionUpdate as never,
  },
  votes: {
    permission: 'vote:cast',
    body: z.strictObject({ motionId: z.string().min(1).max(100), choice: z.enum(['yes', 'no', 'abstain']) }),
    update: castVoteUpdate as never,
  },
  'close-voting': {
    permission: 'voting:close',
    body: z.strictObject({}),
    update: closeVotingUpdate as never,
  },
  sign: {
    permission: 'evaluation:sign',
    body: z.strictObject({
      ratings,
      comment: text('评估意见'),
      body: z.enum(['partyBranch', 'supervisoryBoard']).optional(),
    }),
    update: signEvaluationUpdate as never,
  },
  finalize: {
    permission: 'evaluation:finalize',
    body: z.strictObject({ ratings, comment: text('裁定意见') }),
    update: finalizeEvaluationUpdate as never,
  },
};

const orderActions: Record<
  string,
  { permission: Permission; body: z.ZodType; update: UpdateDefinition<unknown, [never]> }
> = {
  progress: {
    permission: 'rectification:report',
    body: z.strictObject({ note: text('进展说明') }),
    update: reportRectificationUpdate as never,
  },
  complete: {
    permission: 'rectification:report',
    body: z.strictObject({ evidence: text('完成证明') }),
    update: completeRectificationUpdate as never,
  },
  verify: {
    permission: 'rectification:verify',
    body: z.strictObject({
      accepted: z.boolean(),
      comment: text('验收意见'),
      newDeadline: isoDate.optional(),
    }),
    update: verifyRectificationUpdate as never,
  },
  extend: {
    permission: 'rectification:verify',
    body: z.strictObject({ until: isoDate, reason: text('延期理由', LIMITS.reasonChars) }),
    update: extendRectificationUpdate as never,
  },
};

function actorOf(req: Request): Actor {
  return { userId: req.user!.id, name: req.user!.name, roles: req.roles ?? [] };
}

export function meetingRoutes(deps: AppDeps): Router {
  const r = Router();
  const base = '/compounds/:compoundId';

  r.get(`${base}/cycles`, authorize('meeting:read'), async (req, res) => {
    res.json(await currentCycles(param(req, 'compoundId'), deps.clock?.()));
  });
  r.post(`${base}/cycles/start`, authorize('meeting:trigger'), async (req, res) => {
    const started = await ensureCycle(deps.temporal, param(req, 'compoundId'));
    res
      .status(started ? 201 : 200)
      .json({ started, message: started ? '已启动四会周期' : '四会周期已在运行' });
  });

  const listQuery = z.strictObject({
    type: z.enum(MEETING_TYPES).optional(),
    status: z.enum(['planned', 'scheduled', 'held', 'voting', 'signing', 'closed']).optional(),
    ...page,
  });
  r.get(`${base}/meetings`, authorize('meeting:read'), validate({ query: listQuery }), async (req, res) => {
    res.json(await listMeetings(param(req, 'compoundId'), input(req, 'query')));
  });

  const triggerBody = z.strictObject({
    type: z.enum(MEETING_TYPES),
    reason: text('召开事由'),
    plannedAt: isoDate,
    holdBy: isoDate.optional(),
    /** An extraordinary annual evaluation: the year it rates (default: this year in December, else last). */
    year: z.number().int().min(2000).max(2100).optional(),
  });
  r.post(
    `${base}/meetings`,
    authorize('meeting:trigger'),
    validate({ body: triggerBody }),
    async (req, res) => {
      res
        .status(201)
        .json(
          await triggerMeeting(
            deps.temporal,
            param(req, 'compoundId'),
            req.user!.name,
            input(req, 'body'),
            deps.clock?.(),
          ),
        );
    },
  );

  r.get(`${base}/meetings/:type/:period`, authorize('meeting:read'), async (req, res) => {
    res.json(
      await getMeeting(
        param(req, 'compoundId'),
        parseMeetingType(param(req, 'type')),
        param(req, 'period'),
        deps.temporal,
      ),
    );
  });

  r.get(
    `${base}/meetings/:type/:period/votes`,
    authorize('meeting:read'),
    validate({ query: z.strictObject({ motionId: z.string().min(1).max(100).optional() }) }),
    async (req, res) => {
      res.json(
        await meetingVotes(
          param(req, 'compoundId'),
          parseMeetingType(param(req, 'type')),
          param(req, 'period'),
          input<{ motionId?: string }>(req, 'query').motionId,
        ),
      );
    },
  );

  for (const [action, spec] of Object.entries(meetingActions)) {
    r.post(
      `${base}/meetings/:type/:period/${action}`,
      authorize(spec.permission),
      validate({ body: spec.body }),
      async (req, res) => {
        const compoundId = param(req, 'compoundId');
        const type = parseMeetingType(param(req, 'type'));
        await getMeeting(compoundId, type, param(req, 'period')); // 404 for another compound's meeting
        const handle = (await deps.temporal.client()).workflow.getHandle(
          meetingWorkflowId(type, compoundId, param(req, 'period')),
        );
        // Long texts go to the database; the workflow gets references (bounded history).
        if (action === 'votes') {
          const counted = await countedBallot(handle.workflowId, input(req, 'body'), req.user!.id);
          if (counted) return void res.json(counted);
        }
        const body = await storeLongTexts(compoundId, input<object>(req, 'body') ?? {});
        const arg = { ...body, actor: actorOf(req) } as never;
        res.json(await expandTexts(await handle.executeUpdate(spec.update, { args: [arg] })));
      },
    );
  }

  const orderQuery = z.strictObject({
    status: z.enum(['open', 'completed', 'verified']).optional(),
    ...page,
  });
  r.get(
    `${base}/rectifications`,
    authorize('rectification:read'),
    validate({ query: orderQuery }),
    async (req, res) => {
      res.json(await listOrders(param(req, 'compoundId'), input(req, 'query')));
    },
  );
  r.get(`${base}/rectifications/:orderId`, authorize('rectification:read'), async (req, res) => {
    res.json(await getOrder(param(req, 'compoundId'), param(req, 'orderId')));
  });
  for (const [action, spec] of Object.entries(orderActions)) {
    r.post(
      `${base}/rectifications/:orderId/${action}`,
      authorize(spec.permission),
      validate({ body: spec.body }),
      async (req, res) => {
        const workflowId = await findOrder(param(req, 'compoundId'), param(req, 'orderId'));
        const handle = (await deps.temporal.client()).workflow.getHandle(workflowId);
        const body = await storeLongTexts(param(req, 'compoundId'), input<object>(req, 'body') ?? {});
        const arg = { ...body, actor: actorOf(req) } as never;
        res.json(await expandTexts(await handle.executeUpdate(spec.update, { args: [arg] })));
      },
    );
  }

  const ledgerFilters = {
    matterId: z.string().min(1).optional(),
    motionId: z.string().min(1).max(100).optional(),
    matterType: z
      .enum(['meeting', 'disposition', 'rectification', 'resolution', 'motion', 'evaluation', 'voice'])
      .optional(),
    event: z.string().min(1).max(50).optional(),
    body: z
      .enum(['partyBranch', 'ownersCommittee', 'supervisoryBoard', 'selfManagementCommittee', 'staff'])
      .optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  };
  const ledgerQuery = z.strictObject({
    ...ledgerFilters,
    ...page,
    pageSize: z.coerce.number().int().min(1).max(500).default(100),
  });
  r.get(`${base}/ledger`, authorize('ledger:read'), validate({ query: ledgerQuery }), async (req, res) => {
    res.json(await ledgerOf(param(req, 'compoundId'), input(req, 'query')));
  });
  r.get(
    `${base}/ledger.csv`,
    authorize('ledger:read'),
    validate({ query: z.strictObject(ledgerFilters) }),
    async (req, res) => {
      const compound = await loadCompound(param(req, 'compoundId'));
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(`${compound.name}-监事会记实.csv`)}`,
      );
      await writeLedgerCsv(compound._id, input(req, 'query'), timeZoneOf(compound), res);
      res.end();
    },
  );
  r.get(
    `${base}/ledger.xlsx`,
    authorize('ledger:read'),
    validate({ query: z.strictObject(ledgerFilters) }),
    async (req, res) => {
      const compound = await loadCompound(param(req, 'compoundId'));
      res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader(
        'Content-Disposition',
        `attachment; filename*=UTF-8''${encodeURIComponent(`${compound.name}-监事会记实.xlsx`)}`,
      );
      await writeLedgerXlsx(compound._id, input(req, 'query'), timeZoneOf(compound), res);
    },
  );
  r.get(`${base}/ledger/verify`, authorize('ledger:read'), async (req, res) => {
    await loadCompound(param(req, 'compoundId'));
    const result = await verifyShared(param(req, 'compoundId'));
    res.json({
      ...result,
      message: result.ok ? `记实完整：共 ${result.entries} 条，链条未被改动` : result.firstBroken!.message,
    });
  });
  const yearParams = z.object({
    compoundId: z.string().min(1),
    year: z.coerce.number().int().min(2000).max(2100),
  });
  r.get(
    `${base}/evaluations/:year/report.:format`,
    authorize('meeting:read'),
    validate({ params: yearParams.extend({ format: z.enum(['html', 'csv', 'xlsx']) }) }),
    async (req, res) => {
      const { year, format } = input<{ year: number; format: 'html' | 'csv' | 'xlsx' }>(req, 'params');
      const report = await loadReport(param(req, 'compoundId'), year);
      const name = encodeURIComponent(`${report.compound}-${year}年度评估.${format}`);
      if (format === 'html') {
        res.type('html').send(renderReportHtml(report));
      } else if (format === 'csv') {
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${name}`);
        res.type('text/csv; charset=utf-8').send(renderReportCsv(report));
      } else {
        res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${name}`);
        await writeReportXlsx(report, res);
      }
    },
  );
  r.get(`${base}/evaluations`, authorize('meeting:read'), async (req, res) => {
    res.json({ items: await publishedEvaluations(param(req, 'compoundId')) });
  });
  return r;
}
