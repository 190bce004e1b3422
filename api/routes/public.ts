import { Router, type Request } from 'express';
import { z } from 'zod';
import { checkPermission } from '../auth';
import { input, param, validate } from '../validate';
import { maskName, maskPersonalData } from '../../domain/voices';
import { LedgerEntry } from '../../models/ledger-entry';
import { Evaluation } from '../../models/evaluation';
import { loadCompound } from '../voices';

/**
 * What the compound's owners may read (公示): the ledger with personal data masked, and the published
 * evaluations. Residents with an account read it signed in; anyone, if the compound opts in.
 */
export function publicRoutes(): Router {
  const r = Router();
  const base = '/public/compounds/:compoundId';

  const access = async (req: Request) => {
    const compound = await loadCompound(param(req, 'compoundId'));
    if (!compound.echoWallPublic) checkPermission(req, 'ledger:read');
    return compound;
  };

  const query = z.strictObject({
    matterType: z
      .enum(['meeting', 'disposition', 'rectification', 'resolution', 'motion', 'evaluation', 'voice'])
      .optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  });
  r.get(`${base}/ledger`, validate({ query }), async (req, res) => {
    const compound = await access(req);
    const f = input<z.infer<typeof query>>(req, 'query');
    const q: Record<string, unknown> = { compoundId: compound._id };
    if (f.matterType) q.matterType = f.matterType;
    if (f.from || f.to)
      q.at = { ...(f.from ? { $gte: new Date(f.from) } : {}), ...(f.to ? { $lt: new Date(f.to) } : {}) };
    const items = await LedgerEntry.find(q, { content: 0 })
      .sort({ seq: 1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean();
    res.json({
      compound: { id: compound._id, name: compound.name },
      total: await LedgerEntry.countDocuments(q),
      items: items.map((e) => ({
        seq: e.seq,
        at: e.at,
        matterType: e.matterType,
        matterId: e.matterId,
        event: e.event,
        actor: e.actor?.name ? maskName(e.actor.name) : undefined,
        summary: maskPersonalData(e.summary),
        hash: e.hash,
      })),
    });
  });

  r.get(`${base}/evaluations`, async (req, res) => {
    const compound = await access(req);
    const items = await Evaluation.find({ compoundId: compound._id }, { signatures: 0 })
      .sort({ year: -1 })
      .lean();
    res.json({ compound: { id: compound._id, name: compound.name }, items });
  });
  return r;
}
