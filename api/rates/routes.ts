/** 考核指标: the response, resolution and satisfaction rates, for a compound and for its community. */
import { z } from 'zod';
import { isStaff } from '../../domain/bodies';
import { DomainError } from '../../domain/errors';
import { communityScope, compoundScope, computeRates } from '../../services/rates';
import { rolesIn } from '../auth';
import { rateLimit } from '../rate-limit';
import { route, type RouteDef } from '../route-table';
import { compoundParams, slugId } from '../schemas';

const query = z.strictObject({
  period: z
    .string()
    .regex(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/, '应为 yyyy、yyyy-mm 或 yyyy-Qn')
    .meta({ description: '年（2026）、月（2026-11）或季度（2026-Q4）' }),
});
const rates = z.looseObject({ period: z.string() });

export function rateRoutes(): RouteDef[] {
  // A community's figures merge every compound's: bounded per user.
  const communityReads = rateLimit('查询社区汇总', { burst: 20, perMinute: 60 });
  return [
    route({
      method: 'get',
      path: '/compounds/:compoundId/rates',
      tag: '考核指标',
      summary: '小区的响应率、解决率、满意率等（按年、月或季度）',
      access: 'meeting:read',
      params: compoundParams,
      query,
      response: rates.extend({ scope: z.strictObject({ compoundId: z.string() }) }),
      handler: async ({ params, query: q }) => ({
        scope: { compoundId: params.compoundId },
        ...(await computeRates(await compoundScope(params.compoundId), q.period)),
      }),
    }),
    route({
      method: 'get',
      path: '/communities/:communityId/rates',
      tag: '考核指标',
      summary: '社区汇总（本社区工作人员和管理员）',
      access: 'signedIn',
      params: z.strictObject({ communityId: slugId('社区编号') }),
      query,
      rateLimit: communityReads,
      response: rates.extend({ scope: z.strictObject({ communityId: z.string(), compounds: z.number() }) }),
      handler: async ({ params, query: q, req }) => {
        const scope = await communityScope(params.communityId);
        // A community's figures are for community staff (of any of its compounds) and administrators.
        if (!scope.compoundIds.some((c) => isStaff(rolesIn(req.user!, c))))
          throw new DomainError('forbidden', '只有本社区的工作人员可以查看社区汇总');
        return {
          scope: { communityId: params.communityId, compounds: scope.compoundIds.length },
          ...(await computeRates(scope, q.period)),
        };
      },
    }),
  ];
}
