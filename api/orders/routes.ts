/** 整改/决议执行: orders and resolutions, reported on by their owner and verified by their issuer. */
import { z } from 'zod';
import type { UpdateDefinition } from '@temporalio/common';
import { ORDER_BODIES } from '../../domain/meetings';
import { LIMITS } from '../../domain/limits';
import type { Permission } from '../../domain/roles';
import { updateWithTexts } from '../../services/texts';
import {
  completeRectificationUpdate,
  extendRectificationUpdate,
  reportRectificationUpdate,
  verifyRectificationUpdate,
} from '../../workflows/meeting-contract';
import type { Actor } from '../../workflows/contract';
import type { AppDeps } from '../deps';
import { route, type RouteDef } from '../route-table';
import { compoundId, compoundParams, isoDate, page, text } from '../schemas';
import { findOrder, getOrder, listOrders } from './reads';

const ORDER_STATUSES = ['open', 'completed', 'verified'] as const;
const orderParams = z.strictObject({ compoundId, orderId: z.string().min(1).max(200) });
const order = z
  .looseObject({
    id: z.string(),
    orderId: z.string(),
    kind: z.string(),
    title: z.string(),
    owner: z.enum(ORDER_BODIES).or(z.string()),
    status: z.enum(ORDER_STATUSES),
    deadline: z.string(),
    escalationLevel: z.number(),
    overdue: z.boolean(),
    procedures: z.array(z.looseObject({ at: z.string(), meetingId: z.string() })),
  })
  .meta({ id: 'Order', description: '一项整改或决议执行：期限、进展、完成证明与验收' });

/** One action on an order: a workflow update, its body, and `input` making the update's input (checked, no cast). */
interface OrderAction<B, A, R> {
  path: string;
  summary: string;
  permission: Permission;
  body: z.ZodType<B>;
  update: UpdateDefinition<R, [A]>;
  input: (body: B, actor: Actor) => A;
}

const action =
  <B, A, R>(a: OrderAction<B, A, R>) =>
  (deps: AppDeps, base: string): RouteDef =>
    route({
      method: 'post',
      path: `${base}/:orderId/${a.path}`,
      tag: '整改',
      summary: a.summary,
      access: a.permission,
      params: orderParams,
      body: a.body,
      refusals: [409, 503],
      response: order.omit({ id: true }),
      handler: async ({ params, body, actor }) => {
        const workflowId = await findOrder(params.compoundId, params.orderId);
        const handle = (await deps.temporal.client()).workflow.getHandle(workflowId);
        return updateWithTexts(handle, params.compoundId, a.update, body, (b) => a.input(b, actor()));
      },
    });

const orderActions = [
  action({
    path: 'progress',
    summary: '报告进展',
    permission: 'rectification:report',
    body: z.strictObject({ note: text('进展说明') }),
    update: reportRectificationUpdate,
    input: (body, actor) => ({ ...body, actor }),
  }),
  action({
    path: 'complete',
    summary: '报告完成（附完成证明）',
    permission: 'rectification:report',
    body: z.strictObject({ evidence: text('完成证明') }),
    update: completeRectificationUpdate,
    input: (body, actor) => ({ ...body, actor }),
  }),
  action({
    path: 'verify',
    summary: '验收：通过，或退回并给新期限',
    permission: 'rectification:verify',
    body: z.strictObject({
      accepted: z.boolean(),
      comment: text('验收意见'),
      newDeadline: isoDate.optional(),
    }),
    update: verifyRectificationUpdate,
    input: (body, actor) => ({ ...body, actor }),
  }),
  action({
    path: 'extend',
    summary: '延长期限（须说明理由）',
    permission: 'rectification:verify',
    body: z.strictObject({ until: isoDate, reason: text('延期理由', LIMITS.reasonChars) }),
    update: extendRectificationUpdate,
    input: (body, actor) => ({ ...body, actor }),
  }),
];

export function orderRoutes(deps: AppDeps): RouteDef[] {
  const base = '/compounds/:compoundId/rectifications';
  return [
    route({
      method: 'get',
      path: base,
      tag: '整改',
      summary: '整改与决议执行列表，期限近的在前',
      access: 'rectification:read',
      params: compoundParams,
      query: z.strictObject({ status: z.enum(ORDER_STATUSES).optional(), ...page() }),
      response: z.looseObject({ items: z.array(order), total: z.number() }),
      handler: ({ params, query }) => listOrders(params.compoundId, query),
    }),
    route({
      method: 'get',
      path: `${base}/:orderId`,
      tag: '整改',
      summary: '一项整改或决议：状态、完成证明、验收和出处',
      access: 'rectification:read',
      params: orderParams,
      response: order.and(z.looseObject({ links: z.record(z.string(), z.string()) })),
      handler: ({ params }) => getOrder(params.compoundId, params.orderId),
    }),
    ...orderActions.map((bind) => bind(deps, base)),
  ];
}
