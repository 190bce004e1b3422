import { Router } from 'express';
import { z } from 'zod';
import { authorize, requireUser, rolesIn } from '../auth';
import { input, param, validate } from '../validate';
import { DomainError } from '../../domain/errors';
import { communityScope, compoundScope, computeRates } from '../rates';

const query = z.strictObject({ period: z.string().min(4).max(7) });

export function rateRoutes(): Router {
  const r = Router();
  r.get('/compounds/:compoundId/rates', authorize('meeting:read'), validate({ query }), async (req, res) => {
    const scope = await compoundScope(param(req, 'compoundId'));
    res.json({
      scope: { compoundId: param(req, 'compoundId') },
      ...(await computeRates(scope, input<{ period: string }>(req, 'query').period)),
    });
  });
  // A community's figures are for community staff (of any of its compounds) and administrators.
  r.get('/communities/:communityId/rates', requireUser, validate({ query }), async (req, res) => {
    const scope = await communityScope(param(req, 'communityId'));
    const allowed = scope.compoundIds.some((c) => {
      const roles = rolesIn(req.user!, c);
      return roles.includes('staff') || roles.includes('admin');
    });
    if (!allowed) throw new DomainError('forbidden', '只有本社区的工作人员可以查看社区汇总');
    res.json({
      scope: { communityId: param(req, 'communityId'), compounds: scope.compoundIds.length },
      ...(await computeRates(scope, input<{ period: string }>(req, 'query').period)),
    });
  });
  return r;
}
