/** 回音壁: what residents raised and what came of it, for the compound (or the public) to read. */
import { z } from 'zod';
import { CATEGORIES, ECHO_WALL_STATUSES, VOICE_KINDS, VOICE_STATUSES } from '../../domain/voices';
import type { AppDeps } from '../deps';
import { ttlCache } from '../ttl-cache';
import { rateLimit } from '../rate-limit';
import { route, type RouteDef } from '../route-table';
import { at, compoundParams, month, opt, page } from '../schemas';
import { echoWall, echoWallSummary } from './reads';

const echoQuery = z.strictObject({
  kind: z.enum(VOICE_KINDS).optional(),
  category: z.enum(CATEGORIES).optional(),
  month: month.optional(),
  status: z.enum(ECHO_WALL_STATUSES).optional(),
  ...page(),
});
const summaryQuery = z.strictObject({ months: z.coerce.number().int().min(1).max(36).default(12) });
const compound = z.looseObject({ id: z.string(), name: z.string() });

export function echoWallRoutes(deps: AppDeps): RouteDef[] {
  // Public pages can be read by anyone: a bound per address keeps one client from taking the server.
  const reads = rateLimit('查询', { burst: 60, perMinute: 240 });
  const summaries = ttlCache<Awaited<ReturnType<typeof echoWallSummary>>>({
    ttlMs: 60_000,
    maxEntries: 1000,
  });
  return [
    route({
      method: 'get',
      path: '/compounds/:compoundId/echo-wall',
      tag: '回音壁',
      summary: '回音壁：已办结的反映和处理结果（遮蔽个人信息）',
      description: '小区公开回音壁时任何人可看；否则本小区成员登录后可看。',
      access: { permission: 'echoWall:read', unlessPublished: true },
      params: compoundParams,
      query: echoQuery,
      rateLimit: reads,
      response: z.looseObject({
        compound,
        page: z.number(),
        pageSize: z.number(),
        total: z.number(),
        items: z.array(
          z.looseObject({
            id: z.string(),
            kind: z.enum(VOICE_KINDS),
            kindLabel: z.string(),
            raised: z.string(),
            raisedBy: z.string(),
            raisedAt: at,
            result: opt(z.string()),
            status: z.enum(VOICE_STATUSES),
            statusLabel: z.string(),
          }),
        ),
      }),
      handler: ({ params, query }) => echoWall(params.compoundId, query),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/echo-wall/summary',
      tag: '回音壁',
      summary: '回音壁月度汇总：反映、办结、满意、不满意、点赞',
      access: { permission: 'echoWall:read', unlessPublished: true },
      params: compoundParams,
      query: summaryQuery,
      rateLimit: reads,
      response: z.looseObject({
        compound,
        months: z.array(
          z.strictObject({
            month: z.string(),
            raised: z.number(),
            handled: z.number(),
            satisfied: z.number(),
            unsatisfied: z.number(),
            praise: z.number(),
          }),
        ),
      }),
      // Read by the whole compound, changing by the month: a summary may lag up to a minute.
      handler: ({ params, query }) =>
        summaries.get(`${params.compoundId}|${query.months}`, () =>
          echoWallSummary(params.compoundId, query.months, deps.clock?.()),
        ),
    }),
  ];
}
