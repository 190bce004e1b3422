/**
 * The annual evaluation as offices use it: a printable HTML report with its charts, and the same
 * figures as CSV and XLSX with Chinese headers.
 */
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { DomainError } from '../../domain/errors';
import { RATING_LABELS, type EvaluationRating } from '../../domain/meetings';
import { BODY_NAMES } from '../../domain/bodies';
import {
  EVALUATED_BODIES,
  SIGNER_LABELS,
  type EvaluatedBody,
  type Rates,
  type SigningBody,
} from '../../domain/evaluation';
import { Evaluation } from '../../models/evaluation';
import { loadCompound } from '../../services/compounds';

const RATE_NAMES: [keyof Rates, string][] = [
  ['responseRate', '响应率'],
  ['resolutionRate', '解决率'],
  ['satisfactionRate', '满意率'],
  ['onTimeRectificationRate', '整改按期完成率'],
  ['meetingsOnTimeRate', '会议按期召开率'],
];

interface Report {
  compound: string;
  year: number;
  rows: {
    body: EvaluatedBody;
    rates: Rates;
    score?: number;
    proposed: EvaluationRating;
    final: EvaluationRating;
  }[];
  signatures: { by: string; name: string; comment: string }[];
  disagreement: boolean;
  final?: { by: string; comment?: string };
  publishedAt: Date;
}

export async function loadReport(compoundId: string, year: number): Promise<Report> {
  const compound = await loadCompound(compoundId);
  const e = await Evaluation.findOne({ compoundId, year }).sort({ publishedAt: -1 }).lean();
  if (!e) throw new DomainError('not_found', `${year} 年度评估尚未公示`);
  const proposals = e.proposals as Record<
    EvaluatedBody,
    { rates: Rates; score?: number; rating: EvaluationRating }
  >;
  const ratings = e.ratings as Record<EvaluatedBody, EvaluationRating>;
  const signatures = (e.signatures ?? {}) as Record<string, { name: string; comment: string }>;
  return {
    compound: compound.name,
    year,
    rows: EVALUATED_BODIES.map((body) => ({
      body,
      rates: proposals[body]?.rates ?? {},
      score: proposals[body]?.score,
      proposed: proposals[body]?.rating ?? 'average',
      final: ratings[body],
    })),
    signatures: Object.entries(signatures).map(([by, s]) => ({
      by: SIGNER_LABELS[by as SigningBody],
      name: s.name,
      comment: s.comment,
    })),
    disagreement: Boolean(e.disagreement),
    final: e.final ? (e.final as { by: string; comment?: string }) : undefined,
    publishedAt: e.publishedAt,
  };
}

const pct = (v?: number) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A horizontal bar chart of the five rates of one body, as inline SVG (prints without scripts). */
function chart(rates: Rates): string {
  const rowH = 28;
  const bars = RATE_NAMES.map(([key, name], i) => {
    const v = rates[key];
    const w = v === undefined ? 0 : Math.round(v * 300);
    const y = i * rowH;
    return `<text x="0" y="${y + 18}" font-size="13">${name}</text>
<rect x="120" y="${y + 6}" width="300" height="16" fill="#eee"/>
<rect x="120" y="${y + 6}" width="${w}" height="16" fill="${v !== undefined && v < 0.6 ? '#c0392b' : '#b22222'}" opacity="0.85"/>
<text x="428" y="${y + 18}" font-size="13">${pct(v)}</text>`;
  }).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="${RATE_NAMES.length * rowH}" role="img">${bars}</svg>`;
}

export function renderReportHtml(r: Report): string {
  const sections = r.rows
    .map(
      (row) => `<section>
  <h2>${BODY_NAMES[row.body]}：<span class="rating">${RATING_LABELS[row.final]}</span></h2>
  ${chart(row.rates)}
  <p>综合得分 ${pct(row.score)}，系统建议评级「${RATING_LABELS[row.proposed]}」，最终评级「${RATING_LABELS[row.final]}」。</p>
</section>`,
    )
    .join('\n');
  const signs = r.signatures
    .map((s) => `<li>${esc(s.by)}（${esc(s.name)}）：${esc(s.comment)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(r.compound)} ${r.year} 年度评估报告</title>
<style>
  body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 780px; margin: 2em auto; color: #222; }
  h1 { text-align: center; color: #b22222; border-bottom: 2px solid #b22222; padding-bottom: .4em; }
  h2 { font-size: 1.15em; } .rating { color: #b22222; }
  section { page-break-inside: avoid; margin-bottom: 1.5em; }
  footer { margin-top: 2em; font-size: .85em; color: #666; }
  @media print { body { margin: 0; } }
</style></head>
<body>
<h1>${esc(r.compound)} ${r.year} 年度评估报告</h1>
<p>支部与监事会年度评估会依据监事会记实，对业主委员会和自管会的履职情况作出评价。</p>
${sections}
<h2>签署意见</h2>
<ul>${signs}</ul>
${r.disagreement ? `<p>党支部与监事会评级不一致，已报社区党组织裁定${r.final ? `（${esc(r.final.by)}：${esc(r.final.comment ?? '')}）` : ''}。</p>` : ''}
<footer>公示时间：${r.publishedAt.toISOString().slice(0, 10)} · 本报告由共治系统根据监事会记实生成。</footer>
</body></html>`;
}

const HEADERS = ['组织', ...RATE_NAMES.map(([, n]) => n), '综合得分', '建议评级', '最终评级'];
function tableRows(r: Report): string[][] {
  return r.rows.map((row) => [
    BODY_NAMES[row.body],
    ...RATE_NAMES.map(([k]) => pct(row.rates[k])),
    pct(row.score),
    RATING_LABELS[row.proposed],
    RATING_LABELS[row.final],
  ]);
}

export function renderReportCsv(r: Report): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return '\uFEFF' + [HEADERS, ...tableRows(r)].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

export async function writeReportXlsx(r: Report, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out });
  const sheet = workbook.addWorksheet(`${r.year}年度评估`);
  sheet.addRow(HEADERS).commit();
  for (const row of tableRows(r)) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
}
