/** 民情: residents raise voices; staff and the bodies handle them; everyone follows their own. */
import { z } from 'zod';
import { LIMITS } from '../../domain/limits';
import type { Permission } from '../../domain/roles';
import {
  CATEGORIES,
  CHANNELS,
  DEADLINE_PHASES,
  RESPONSIBLE_BODIES,
  VOICE_KINDS,
  VOICE_STATUSES,
} from '../../domain/voices';
import { submitVoice } from '../../services/intake';
import { actOnVoice, liveVoiceState, type VoiceAction } from '../../services/voice-actions';
import type { AppDeps } from '../deps';
import { rateLimit } from '../rate-limit';
import { Reply, route, type RouteDef } from '../route-table';
import {
  at,
  bool,
  classificationCode,
  filled,
  compoundParams,
  compoundId,
  idempotencyKey,
  objectId,
  opt,
  page,
  workOrderNo,
} from '../schemas';
import { getVoice, listVoices } from './reads';

const phone = z.string().regex(/^[0-9+\-\s]{5,20}$/, '不是有效的电话号码');
const voiceParams = z.strictObject({ compoundId, voiceId: objectId('反映编号') });
const hotline = z
  .strictObject({ workOrderNo, classificationCode: classificationCode.optional() })
  .meta({ description: '12345 工单：工单号在本小区唯一（仅热线渠道）' });

const submitBody = z.strictObject({
  kind: z.enum(VOICE_KINDS),
  channel: z.enum(CHANNELS).default('online'),
  category: z.enum(CATEGORIES).optional(),
  buildingId: z.string().min(1).max(64).optional(),
  text: filled(2, '内容至少 2 个字').max(2000, '内容最多 2000 字'),
  contact: z
    .strictObject({ name: filled(1, '请填写姓名').max(50).optional(), phone: phone.optional() })
    .optional(),
  anonymous: z.boolean().default(false),
  idempotencyKey: idempotencyKey.optional(),
  hotline: hotline.optional(),
  onBehalfOf: z
    .strictObject({
      name: filled(1, '请填写姓名').max(50).optional(),
      phone: phone.optional(),
      userId: z.string().min(1).max(64).optional(),
    })
    .optional(),
});
/** The header a phone sends on every retry of one submission. */
const submitHeaders = z.looseObject({ 'idempotency-key': idempotencyKey.optional() });

const listQuery = z.strictObject({
  status: z.enum(VOICE_STATUSES).optional(),
  overdue: bool.optional(),
  assignee: z.enum(RESPONSIBLE_BODIES).optional(),
  responsible: z.enum(RESPONSIBLE_BODIES).optional(),
  kind: z.enum(VOICE_KINDS).optional(),
  category: z.enum(CATEGORIES).optional(),
  /** Staff matching a 12345 work order with the voice it became. */
  workOrderNo: workOrderNo.optional(),
  ...page(),
});

const note = z.string().trim().max(2000);
const reason = (what: string) => filled(2, what).max(LIMITS.reasonChars);

const voiceView = z
  .looseObject({
    id: z.string(),
    compoundId: z.string(),
    kind: z.enum(VOICE_KINDS),
    kindLabel: z.string(),
    category: z.enum(CATEGORIES),
    status: z.enum(VOICE_STATUSES),
    statusLabel: z.string(),
    text: z.string(),
    textMasked: z.boolean(),
    anonymous: z.boolean(),
    residentName: opt(z.string()),
    assignee: z.enum(RESPONSIBLE_BODIES),
    hotline: opt(z.looseObject({ workOrderNo: z.string(), classificationCode: opt(z.string()) })),
    acknowledgeBy: opt(at),
    resolveBy: opt(at),
    createdAt: at,
    timeline: z.array(
      z.looseObject({
        type: z.string(),
        at,
        message: z.string(),
        actor: opt(z.looseObject({ name: z.string() })),
      }),
    ),
  })
  .meta({ id: 'Voice', description: '一条反映，按查看者的身份遮蔽' });
const voiceState = z
  .looseObject({
    voiceId: z.string(),
    status: z.enum(VOICE_STATUSES),
    assignee: z.enum(RESPONSIBLE_BODIES),
    responsible: z.enum(RESPONSIBLE_BODIES),
    escalationLevel: z.number(),
    overdue: z.boolean(),
  })
  .meta({ id: 'VoiceState', description: '反映的处理流程此刻的状态' });

/** What may be done to a voice: path, who, the body, and the action the workflow receives. */
/** One action on a voice: the body that carries it and the action it makes (typed per action, no cast). */
const voiceAction =
  <B>(a: {
    path: string;
    summary: string;
    permission: Permission;
    body: z.ZodType<B>;
    action: (b: B) => VoiceAction;
  }) =>
  (deps: AppDeps): RouteDef =>
    route({
      method: 'post',
      path: `/compounds/:compoundId/voices/:voiceId/${a.path}`,
      tag: '民情',
      summary: a.summary,
      access: a.permission,
      params: voiceParams,
      body: a.body,
      refusals: [409, 503],
      response: voiceState,
      handler: ({ params, body, actor }) =>
        actOnVoice(deps.temporal, params.compoundId, params.voiceId, actor(), a.action(body)),
    });

const actions = [
  voiceAction({
    path: 'accept',
    summary: '接单',
    permission: 'voice:handle',
    body: z.strictObject({ note: note.optional() }),
    action: (b: { note?: string }) => ({ type: 'accept', ...b }),
  }),
  voiceAction({
    path: 'progress',
    summary: '报告进展',
    permission: 'voice:handle',
    body: z.strictObject({ note: note.min(1, '请填写进展说明') }),
    action: (b: { note: string }) => ({ type: 'progress', ...b }),
  }),
  voiceAction({
    path: 'resolve',
    summary: '办结并答复',
    permission: 'voice:handle',
    body: z.strictObject({ result: note.min(1, '请填写处理结果') }),
    action: (b: { result: string }) => ({ type: 'resolve', ...b }),
  }),
  voiceAction({
    path: 'feedback',
    summary: '居民评价（满意/不满意，不满意可重新办理一次）',
    permission: 'voice:feedback',
    body: z.strictObject({ satisfied: z.boolean(), comment: note.optional() }),
    action: (b: { satisfied: boolean; comment?: string }) => ({ type: 'feedback', ...b }),
  }),
  voiceAction({
    path: 'extend-deadline',
    summary: '延长期限（须说明理由）',
    permission: 'voice:extendDeadline',
    body: z.strictObject({
      deadline: z.enum(DEADLINE_PHASES),
      until: z.iso.datetime({ offset: true, message: '应为 ISO 8601 时间，如 2026-12-01T18:00:00+08:00' }),
      reason: reason('请说明延期理由'),
    }),
    action: (b: { deadline: 'acknowledge' | 'resolve'; until: string; reason: string }) => ({
      type: 'extendDeadline',
      ...b,
    }),
  }),
  voiceAction({
    path: 'reassign',
    summary: '改派或重新分类（须说明理由）',
    permission: 'voice:reassign',
    body: z
      .strictObject({
        category: z.enum(CATEGORIES).optional(),
        assignee: z.enum(RESPONSIBLE_BODIES).optional(),
        reason: reason('请说明改派或重新分类的理由'),
      })
      .refine((b) => b.category !== undefined || b.assignee !== undefined, {
        message: '请给出新的类别（category）或责任方（assignee）',
        path: ['category'],
      }),
    action: (b: Omit<Extract<VoiceAction, { type: 'reassign' }>, 'type'>) => ({ type: 'reassign', ...b }),
  }),
];

export function voiceRoutes(deps: AppDeps): RouteDef[] {
  const intakeLimit = rateLimit('提交反映', { burst: 20, perMinute: 30 });
  return [
    route({
      method: 'post',
      path: '/compounds/:compoundId/voices',
      tag: '民情',
      summary: '我要反映：吐槽/投诉、诉求、意见建议、点赞',
      description:
        '受理后答 202，处理流程随即启动。同一幂等键（Idempotency-Key 请求头或 body.idempotencyKey）重复提交答 200，不会重复登记。' +
        '热线渠道（12345热线、公开电话、诉求快线）可带 hotline（12345 工单号与分类编码）：工单号在本小区唯一，同一提交人重复提交同一内容答 200 并给出原反映；其他任何带同一工单号的提交答 409，details.voiceId 指出已登记的反映。',
      // The voice itself is the record of its intake (who, when, which channel, its timeline).
      audit: false,
      access: 'voice:submit',
      params: compoundParams,
      body: submitBody,
      headers: submitHeaders,
      rateLimit: intakeLimit,
      status: 202,
      otherSuccess: { 200: '重复提交：已受理过，未重复登记' },
      refusals: [409, 413, 415],
      response: z.looseObject({
        voice: z.looseObject({
          id: z.string(),
          status: z.enum(VOICE_STATUSES),
          category: z.enum(CATEGORIES),
          assignee: z.enum(RESPONSIBLE_BODIES),
        }),
        message: z.string(),
        calendarNote: z.string().optional(),
      }),
      handler: async ({ params, body, req, roles }) => {
        const header = req.header('idempotency-key');
        const { voice, created, calendarNote } = await submitVoice(
          { temporal: deps.temporal, log: deps.log, clock: deps.clock },
          params.compoundId,
          { id: req.user!.id, name: req.user!.name, roles },
          { ...body, idempotencyKey: header ?? body.idempotencyKey },
        );
        return new Reply(created ? 202 : 200, {
          voice: { id: voice._id, status: voice.status, category: voice.category, assignee: voice.assignee },
          message: created ? '已受理，正在分派处理' : '已受理（重复提交，未重复登记）',
          ...(calendarNote ? { calendarNote } : {}),
        });
      },
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/voices',
      tag: '民情',
      summary: '反映列表（居民看自己的，工作人员和各方看全部），新的在前；workOrderNo 按 12345 工单号查找',
      access: 'voice:readOwn',
      params: compoundParams,
      query: listQuery,
      response: z.looseObject({
        items: z.array(voiceView),
        page: z.number(),
        pageSize: z.number(),
        total: z.number(),
      }),
      handler: ({ params, query, req, roles }) =>
        listVoices(params.compoundId, { id: req.user!.id, roles }, query, deps.clock?.()),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/voices/:voiceId',
      tag: '民情',
      summary: '一条反映：状态、期限和全部经过',
      access: 'voice:readOwn',
      params: voiceParams,
      response: voiceView,
      handler: ({ params, req, roles }) =>
        getVoice(params.compoundId, params.voiceId, { id: req.user!.id, roles }),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/voices/:voiceId/live',
      tag: '民情',
      summary: '处理流程此刻的状态（直接问流程）',
      access: 'voice:readAll',
      params: voiceParams,
      refusals: [503],
      response: voiceState,
      handler: ({ params }) => liveVoiceState(deps.temporal, params.compoundId, params.voiceId),
    }),
    ...actions.map((bind) => bind(deps)),
  ];
}
