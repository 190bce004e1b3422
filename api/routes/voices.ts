import { Router, type Request } from 'express';
import { z } from 'zod';
import { authorize, checkPermission } from '../auth';
import { input, param, validate } from '../validate';
import { CATEGORIES, CHANNELS, VOICE_KINDS, VOICE_STATUSES } from '../../domain/voices';
import { LIMITS } from '../../domain/limits';
import {
  actOnVoice,
  echoWall,
  echoWallSummary,
  loadCompound,
  getVoice,
  listVoices,
  liveVoiceState,
  type VoiceAction,
  type VoiceFilters,
} from '../voices';
import { submitVoice, type SubmitVoiceInput } from '../intake';
import type { AppDeps } from '../app';
import { DomainError } from '../../domain/errors';
import type { Actor } from '../../workflows/contract';

const BODIES = ['selfManagementCommittee', 'ownersCommittee', 'partyBranch', 'staff'] as const;
const phone = z.string().regex(/^[0-9+\-\s]{5,20}$/, '不是有效的电话号码');
const idParams = z.object({
  compoundId: z.string().min(1),
  voiceId: z.string().regex(/^[0-9a-f]{24}$/, '不是有效的反映编号'),
});
const compoundParams = z.object({ compoundId: z.string().min(1) });

/** A phone's retry key: the same rule whether it comes as the header or in the body. */
const idempotencyKey = z
  .string()
  .min(8, '幂等键至少 8 个字符')
  .max(100, '幂等键最多 100 个字符')
  .regex(/^[\x21-\x7e]+$/, '幂等键只能由可见的 ASCII 字符组成');

const submitBody = z.strictObject({
  kind: z.enum(VOICE_KINDS),
  channel: z.enum(CHANNELS).default('online'),
  category: z.enum(CATEGORIES).optional(),
  buildingId: z.string().min(1).optional(),
  text: z.string().trim().min(2, '内容至少 2 个字').max(2000, '内容最多 2000 字'),
  contact: z
    .strictObject({ name: z.string().trim().min(1).max(50).optional(), phone: phone.optional() })
    .optional(),
  anonymous: z.boolean().default(false),
  idempotencyKey: idempotencyKey.optional(),
  onBehalfOf: z
    .strictObject({
      name: z.string().trim().min(1).max(50).optional(),
      phone: phone.optional(),
      userId: z.string().min(1).optional(),
    })
    .optional(),
});

const page = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
};
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const listQuery = z.strictObject({
  status: z.enum(VOICE_STATUSES).optional(),
  overdue: bool.optional(),
  assignee: z.enum(BODIES).optional(),
  responsible: z.enum(BODIES).optional(),
  kind: z.enum(VOICE_KINDS).optional(),
  category: z.enum(CATEGORIES).optional(),
  ...page,
});
const echoQuery = z.strictObject({
  kind: z.enum(VOICE_KINDS).optional(),
  category: z.enum(CATEGORIES).optional(),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, '应为 yyyy-mm')
    .optional(),
  status: z.enum(['resolved', 'closed', 'published']).optional(),
  ...page,
});

const note = z.string().trim().max(2000);
const actionBodies = {
  accept: z.strictObject({ note: note.optional() }),
  progress: z.strictObject({ note: note.min(1, '请填写进展说明') }),
  resolve: z.strictObject({ result: note.min(1, '请填写处理结果') }),
  feedback: z.strictObject({ satisfied: z.boolean(), comment: note.optional() }),
  'extend-deadline': z.strictObject({
    deadline: z.enum(['acknowledge', 'resolve']),
    until: z.iso.datetime({ offset: true, message: '应为 ISO 8601 时间，如 2026-12-01T18:00:00+08:00' }),
    reason: z.string().trim().min(2, '请说明延期理由').max(LIMITS.reasonChars),
  }),
  reassign: z
    .strictObject({
      category: z.enum(CATEGORIES).optional(),
      assignee: z.enum(BODIES).optional(),
      reason: z.string().trim().min(2, '请说明改派或重新分类的理由').max(LIMITS.reasonChars),
    })
    .refine((b) => b.category !== undefined || b.assignee !== undefined, {
      message: '请给出新的类别（category）或责任方（assignee）',
      path: ['category'],
    }),
};

function actorOf(req: Request): Actor {
  return { userId: req.user!.id, name: req.user!.name, roles: req.roles ?? [] };
}

/** The Idempotency-Key header, checked like the body's field (an empty or overlong header is refused). */
function idempotencyKeyOf(req: Request): string | undefined {
  const raw = req.header('idempotency-key');
  if (raw === undefined) return undefined;
  const parsed = idempotencyKey.safeParse(raw);
  if (!parsed.success)
    throw new DomainError(
      'invalid',
      `${parsed.error.issues[0]?.message ?? '幂等键无效'}（Idempotency-Key）`,
      {
        field: 'Idempotency-Key',
      },
    );
  return parsed.data;
}

export function voiceRoutes(deps: AppDeps): Router {
  const r = Router({ mergeParams: true });

  r.post(
    '/compounds/:compoundId/voices',
    authorize('voice:submit'),
    validate({ params: compoundParams, body: submitBody }),
    async (req, res) => {
      const body = input<SubmitVoiceInput>(req, 'body');
      const key = idempotencyKeyOf(req) ?? body.idempotencyKey;
      const { voice, created, calendarNote } = await submitVoice(
        { temporal: deps.temporal, log: deps.log, clock: deps.clock },
        param(req, 'compoundId'),
        { id: req.user!.id, name: req.user!.name, roles: req.roles! },
        { ...body, idempotencyKey: key },
      );
      // 202: stored and its handling starting (its workflow starts right after this answer).
      res.status(created ? 202 : 200).json({
        voice: { id: voice._id, status: voice.status, category: voice.category, assignee: voice.assignee },
        message: created ? '已受理，正在分派处理' : '已受理（重复提交，未重复登记）',
        ...(calendarNote ? { calendarNote } : {}),
      });
    },
  );

  r.get(
    '/compounds/:compoundId/voices',
    authorize('voice:readOwn'),
    validate({ params: compoundParams, query: listQuery }),
    async (req, res) => {
      await loadCompound(param(req, 'compoundId'));
      res.json(
        await listVoices(
          param(req, 'compoundId'),
          { id: req.user!.id, roles: req.roles! },
          input<VoiceFilters>(req, 'query'),
          deps.clock?.(),
        ),
      );
    },
  );

  r.get(
    '/compounds/:compoundId/voices/:voiceId',
    authorize('voice:readOwn'),
    validate({ params: idParams }),
    async (req, res) => {
      res.json(
        await getVoice(param(req, 'compoundId'), param(req, 'voiceId'), {
          id: req.user!.id,
          roles: req.roles!,
        }),
      );
    },
  );

  r.get(
    '/compounds/:compoundId/voices/:voiceId/live',
    authorize('voice:readAll'),
    validate({ params: idParams }),
    async (req, res) => {
      res.json(await liveVoiceState(deps.temporal, param(req, 'compoundId'), param(req, 'voiceId')));
    },
  );

  const actions: [keyof typeof actionBodies, Parameters<typeof authorize>[0], VoiceAction['type']][] = [
    ['accept', 'voice:handle', 'accept'],
    ['progress', 'voice:handle', 'progress'],
    ['resolve', 'voice:handle', 'resolve'],
    ['feedback', 'voice:feedback', 'feedback'],
    ['extend-deadline', 'voice:extendDeadline', 'extendDeadline'],
    ['reassign', 'voice:reassign', 'reassign'],
  ];
  for (const [path, permission, type] of actions) {
    r.post(
      `/compounds/:compoundId/voices/:voiceId/${path}`,
      authorize(permission),
      validate({ params: idParams, body: actionBodies[path] }),
      async (req, res) => {
        const body = input<Record<string, unknown>>(req, 'body');
        const state = await actOnVoice(
          deps.temporal,
          param(req, 'compoundId'),
          param(req, 'voiceId'),
          actorOf(req),
          {
            type,
            ...body,
          } as VoiceAction,
        );
        res.json(state);
      },
    );
  }

  const summaryQuery = z.strictObject({ months: z.coerce.number().int().min(1).max(36).default(12) });
  r.get(
    '/compounds/:compoundId/echo-wall/summary',
    validate({ params: compoundParams, query: summaryQuery }),
    async (req, res) => {
      const compound = await loadCompound(param(req, 'compoundId'));
      if (!compound.echoWallPublic) checkPermission(req, 'echoWall:read');
      res.json(
        await echoWallSummary(compound._id, input<{ months: number }>(req, 'query').months, deps.clock?.()),
      );
    },
  );

  // The echo wall is public when the compound allows it; otherwise for its members.
  r.get(
    '/compounds/:compoundId/echo-wall',
    validate({ params: compoundParams, query: echoQuery }),
    async (req, res) => {
      const compound = await loadCompound(param(req, 'compoundId'));
      if (!compound.echoWallPublic) checkPermission(req, 'echoWall:read');
      res.json(await echoWall(compound._id, input(req, 'query')));
    },
  );

  return r;
}
