/** 年度评估: the published evaluations and their printable report. */
import { z } from 'zod';
import { loadCompound } from '../../services/compounds';
import { WRITTEN, route, type RouteDef } from '../route-table';
import { at, compoundId, compoundParams } from '../schemas';
import { publishedEvaluations } from './reads';
import { loadReport, renderReportCsv, renderReportHtml, writeReportXlsx } from './report';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const evaluation = z
  .looseObject({
    id: z.string(),
    compoundId: z.string(),
    year: z.number(),
    ratings: z.unknown(),
    publishedAt: at,
  })
  .meta({ id: 'Evaluation', description: '公示的年度评估：各方的评级、依据和签署' });
/** The report's own page: its styles inline, nothing else loaded, never framed. */
const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function evaluationRoutes(): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/compounds/:compoundId/evaluations',
      tag: '年度评估',
      summary: '已公示的年度评估（含签署）',
      access: 'meeting:read',
      params: compoundParams,
      response: z.strictObject({ items: z.array(evaluation) }),
      handler: async ({ params }) => ({
        items: await publishedEvaluations(params.compoundId, { signatures: true }),
      }),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/evaluations/:year/report.:format',
      tag: '年度评估',
      summary: '年度评估报告：可打印的网页（附图）、CSV 或 Excel',
      access: 'meeting:read',
      params: z.strictObject({
        compoundId,
        year: z.coerce.number().int().min(2000).max(2100),
        format: z.enum(['html', 'csv', 'xlsx']),
      }),
      response: { file: ['text/html', 'text/csv', XLSX], description: '报告' },
      handler: async ({ params: { compoundId: id, year, format }, res }) => {
        const report = await loadReport(id, year);
        const name = encodeURIComponent(`${report.compound}-${year}年度评估.${format}`);
        if (format === 'html') {
          res.setHeader('Content-Security-Policy', REPORT_CSP);
          res.type('html').send(renderReportHtml(report));
        } else if (format === 'csv') {
          res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${name}`);
          res.type('text/csv; charset=utf-8').send(renderReportCsv(report));
        } else {
          res.setHeader('Content-Type', XLSX);
          res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${name}`);
          await writeReportXlsx(report, res);
        }
        return WRITTEN;
      },
    }),
    route({
      method: 'get',
      path: '/public/compounds/:compoundId/evaluations',
      tag: '公示',
      summary: '公示的年度评估（不含签署人）',
      description: '小区公开时任何人可看；否则本小区成员登录后可看。',
      access: { permission: 'ledger:read', unlessPublished: true },
      params: compoundParams,
      response: z.looseObject({
        compound: z.looseObject({ id: z.string(), name: z.string() }),
        items: z.array(evaluation),
      }),
      handler: async ({ params }) => {
        const compound = await loadCompound(params.compoundId);
        return {
          compound: { id: compound._id, name: compound.name },
          items: await publishedEvaluations(compound._id, { signatures: false }),
        };
      },
    }),
  ];
}
