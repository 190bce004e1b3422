/** 监事会记实: the supervisory ledger — read, exported, verified, and published masked to residents. */
import { z } from 'zod';
import { BODIES } from '../../domain/bodies';
import { DomainError } from '../../domain/errors';
import { maskName, maskPersonalData } from '../../domain/voices';
import { LedgerEntry } from '../../models/ledger-entry';
import { timeZoneOf } from '../../models/compound';
import { loadCompound } from '../../services/compounds';
import { rateLimit } from '../rate-limit';
import { WRITTEN, route, type RouteDef } from '../route-table';
import { at, compoundParams, isoDate, opt, page } from '../schemas';
import { ledgerOf, writeLedgerCsv, writeLedgerXlsx } from './reads';
import { verifyByHead } from './verify';

const MATTER_TYPES = [
  'meeting',
  'disposition',
  'rectification',
  'resolution',
  'motion',
  'evaluation',
  'voice',
  'apiKey',
  'partyMember',
] as const;
const filters = {
  matterId: z.string().min(1).max(200).optional(),
  motionId: z.string().min(1).max(100).optional(),
  matterType: z.enum(MATTER_TYPES).optional(),
  event: z.string().min(1).max(50).optional(),
  body: z.enum(BODIES).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
};
const verification = z.looseObject({
  compoundId: z.string(),
  ok: z.boolean(),
  entries: z.number(),
  lastHash: z.string(),
  verifiedAt: at,
  firstBroken: z.looseObject({ seq: z.number(), reason: z.string(), message: z.string() }).optional(),
});

/** At most EXPORTS_AT_ONCE exports stream at a time (each reads the whole ledger); more wait their turn. */
const EXPORTS_AT_ONCE = 3;
let exporting = 0;
async function oneExport(write: () => Promise<void>): Promise<void> {
  if (exporting >= EXPORTS_AT_ONCE) {
    throw new DomainError('rate_limited', '正在导出的记实较多，请稍后再试', { retryAfterSeconds: 5 });
  }
  exporting++;
  try {
    await write();
  } finally {
    exporting--;
  }
}
const attachment = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

export function ledgerRoutes(): RouteDef[] {
  const base = '/compounds/:compoundId';
  const exports = rateLimit('导出', { burst: 5, perMinute: 10 });
  const publicReads = rateLimit('查询', { burst: 60, perMinute: 240 });
  return [
    route({
      method: 'get',
      path: `${base}/ledger`,
      tag: '监事会记实',
      summary: '记实：一事一记、一时一记，按链条顺序',
      access: 'ledger:read',
      params: compoundParams,
      query: z.strictObject({ ...filters, ...page(500, 100) }),
      response: z.looseObject({
        items: z.array(
          z.looseObject({
            seq: z.number(),
            id: z.string(),
            matterId: z.string(),
            matterType: z.string(),
            event: z.string(),
            at,
            actor: opt(z.string()),
            summary: z.string(),
            hash: z.string(),
            links: z.record(z.string(), z.string()),
          }),
        ),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query }) => ledgerOf(params.compoundId, query),
    }),
    ...(['csv', 'xlsx'] as const).map((format) =>
      route({
        method: 'get',
        path: `${base}/ledger.${format}`,
        tag: '监事会记实',
        summary: format === 'csv' ? '导出记实（CSV，Excel 可直接打开）' : '导出记实（Excel 工作簿）',
        access: 'ledger:export',
        params: compoundParams,
        query: z.strictObject(filters),
        rateLimit: exports,
        response: {
          file: [
            format === 'csv'
              ? 'text/csv'
              : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          ],
          description: '记实文件',
        },
        handler: async ({ params, query, res }) => {
          const compound = await loadCompound(params.compoundId);
          await oneExport(async () => {
            res.setHeader('Content-Disposition', attachment(`${compound.name}-监事会记实.${format}`));
            if (format === 'csv') {
              res.setHeader('Content-Type', 'text/csv; charset=utf-8');
              await writeLedgerCsv(compound._id, query, timeZoneOf(compound), res);
              res.end();
            } else {
              res.setHeader(
                'Content-Type',
                'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
              );
              await writeLedgerXlsx(compound._id, query, timeZoneOf(compound), res);
            }
          });
          return WRITTEN;
        },
      }),
    ),
    route({
      method: 'get',
      path: `${base}/ledger/verify`,
      tag: '监事会记实',
      summary: '校验记实链条是否被改动（逐条重算哈希）',
      access: 'ledger:export',
      params: compoundParams,
      rateLimit: exports,
      response: verification.extend({ message: z.string() }),
      handler: async ({ params }) => {
        await loadCompound(params.compoundId);
        const result = await verifyByHead(params.compoundId);
        return {
          ...result,
          message: result.ok
            ? `记实完整：共 ${result.entries} 条，链条未被改动`
            : result.firstBroken!.message,
        };
      },
    }),
    route({
      method: 'get',
      path: `/public${base}/ledger`,
      tag: '公示',
      summary: '公示的记实：个人信息已遮蔽',
      description: '小区公开时任何人可看；否则本小区成员登录后可看。',
      access: { permission: 'ledger:read', unlessPublished: true },
      params: compoundParams,
      query: z.strictObject({
        matterType: filters.matterType,
        from: filters.from,
        to: filters.to,
        ...page(200, 50),
      }),
      rateLimit: publicReads,
      response: z.looseObject({
        compound: z.looseObject({ id: z.string(), name: z.string() }),
        total: z.number(),
        items: z.array(
          z.looseObject({
            seq: z.number(),
            at,
            matterType: z.string(),
            event: z.string(),
            actor: opt(z.string()),
            summary: z.string(),
            hash: z.string(),
          }),
        ),
      }),
      handler: async ({ params, query: f }) => {
        const compound = await loadCompound(params.compoundId);
        const q: Record<string, unknown> = { compoundId: compound._id };
        if (f.matterType) q.matterType = f.matterType;
        if (f.from || f.to)
          q.at = { ...(f.from ? { $gte: new Date(f.from) } : {}), ...(f.to ? { $lt: new Date(f.to) } : {}) };
        const [items, total] = await Promise.all([
          LedgerEntry.find(q, { content: 0 })
            .sort({ seq: 1 })
            .skip((f.page - 1) * f.pageSize)
            .limit(f.pageSize)
            .lean(),
          LedgerEntry.countDocuments(q),
        ]);
        return {
          compound: { id: compound._id, name: compound.name },
          total,
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
        };
      },
    }),
  ];
}
