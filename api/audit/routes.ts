/** 操作日志: the compound's writes by people, for its office to look through. */
import { z } from 'zod';
import { auditLog } from '../../services/audit';
import { route, type RouteDef } from '../route-table';
import { compoundParams, isoDate, page } from '../schemas';

const entry = z.strictObject({
  id: z.string(),
  at: z.string(),
  actor: z.strictObject({ userId: z.string(), name: z.string(), roles: z.array(z.string()) }),
  address: z.string().optional(),
  method: z.string(),
  route: z.string(),
  path: z.string(),
  status: z.number(),
  request: z.string().optional(),
  result: z.string().optional(),
  /** The records the write changed: only the changed fields, before and after (none: created / removed). */
  changes: z.array(
    z.strictObject({
      collection: z.string(),
      id: z.string(),
      before: z.record(z.string(), z.unknown()).optional(),
      after: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});

export function auditRoutes(): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/compounds/:compoundId/audit',
      tag: '操作日志',
      summary:
        '操作日志：谁、何时、从哪里、做了什么、改了哪些字段（前后值；密码等已遮盖，电话和身份证号脱敏），新的在前',
      access: 'audit:read',
      params: compoundParams,
      query: z.strictObject({
        userId: z.string().min(1).max(64).optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
        ...page(200, 50),
      }),
      response: z.strictObject({
        items: z.array(entry),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query }) => auditLog(params.compoundId, query),
    }),
  ];
}
