/** 回音壁: what the compound's voices came to, for the whole compound (or the public) to read. */
import { monthBounds, monthKey } from '../../domain/calendar';
import { maskedSummary } from '../../domain/privacy';
import { periodBounds } from '../../domain/rates';
import {
  BODY_LABELS,
  CATEGORY_LABELS,
  ECHO_WALL_STATUSES,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
  maskName,
  maskPersonalData,
  type Category,
  type ResponsibleBody,
  type VoiceKind,
  type VoiceStatus,
} from '../../domain/voices';
import { timeZoneOf } from '../../models/compound';
import { readVoiceRows } from '../../activities/projections';
import { loadCompound } from '../../services/compounds';
import { recordsOf } from '../voices/reads';

const SATISFACTION_LABELS = { satisfied: '满意', unsatisfied: '不满意' } as const;

/** 回音壁: handled voices, public to the compound — no contact data, no names of anonymous residents. */
export async function echoWall(
  compoundId: string,
  f: {
    kind?: VoiceKind;
    category?: Category;
    month?: string;
    status?: (typeof ECHO_WALL_STATUSES)[number];
    page: number;
    pageSize: number;
  },
) {
  const compound = await loadCompound(compoundId);
  const tz = timeZoneOf(compound);
  const shown: readonly string[] = f.status ? [f.status] : ECHO_WALL_STATUSES;
  const month = f.month ? periodBounds(f.month, tz) : undefined;
  const rows = (await readVoiceRows(compoundId, f.month ? [f.month] : undefined))
    .filter(
      (r) =>
        shown.includes(r.status) &&
        (!f.kind || r.kind === f.kind) &&
        (!f.category || r.category === f.category) &&
        // The compound's local month, not UTC's (its bounds, not a calendar lookup per row).
        (!month || (r.createdAt >= month.start.getTime() && r.createdAt < month.end.getTime())),
    )
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1));
  const total = rows.length;
  const items = await recordsOf(rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize));
  const buildingName = new Map(compound.buildings.map((b) => [b._id, b.name]));
  return {
    compound: { id: compound._id, name: compound.name },
    page: f.page,
    pageSize: f.pageSize,
    total,
    items: items.map((v) => ({
      id: v._id,
      kind: v.kind,
      kindLabel: VOICE_KIND_LABELS[v.kind as VoiceKind],
      category: v.category,
      categoryLabel: CATEGORY_LABELS[v.category as Category],
      building: v.buildingId ? buildingName.get(v.buildingId) : undefined,
      // The echo wall is read by the whole compound (or the public): a masked summary of what was raised.
      raised: maskedSummary(v.text, 80),
      raisedBy: v.anonymous || !v.residentName ? '匿名居民' : maskName(v.residentName),
      raisedAt: v.createdAt,
      handledBy:
        v.kind === 'praise'
          ? undefined
          : BODY_LABELS[(v.handledBy ?? v.responsible ?? v.assignee) as ResponsibleBody],
      praised: v.kind === 'praise' ? BODY_LABELS[v.assignee as ResponsibleBody] : undefined,
      result: v.result ? maskPersonalData(v.result) : undefined,
      resolvedAt: v.resolvedAt,
      status: v.status,
      statusLabel: VOICE_STATUS_LABELS[v.status as VoiceStatus],
      satisfaction: v.satisfaction,
      satisfactionLabel: v.satisfaction
        ? SATISFACTION_LABELS[v.satisfaction]
        : v.status === 'resolved'
          ? '待评价'
          : undefined,
    })),
  };
}

/**
 * The echo wall's per-month summary: raised, handled, satisfied and unsatisfied, for the last `months`
 * local months, counted in one pass over those months' rows.
 */
export async function echoWallSummary(compoundId: string, months: number, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const tz = timeZoneOf(compound);
  const out: {
    month: string;
    raised: number;
    handled: number;
    satisfied: number;
    unsatisfied: number;
    praise: number;
  }[] = [];
  // The months asked for, newest first, by their local bounds: one comparison a row, and only their pages.
  const bounds: { month: string; start: number; end: number }[] = [];
  let start = monthBounds(now, tz).start;
  for (let i = 0; i < months; i++) {
    const b = monthBounds(start, tz);
    bounds.push({ month: monthKey(start, tz), start: b.start.getTime(), end: b.end.getTime() });
    start = monthBounds(new Date(start.getTime() - 1), tz).start;
  }
  for (const b of bounds)
    out.push({ month: b.month, raised: 0, handled: 0, satisfied: 0, unsatisfied: 0, praise: 0 });
  const rows = await readVoiceRows(
    compoundId,
    bounds.map((b) => b.month),
  );
  for (const r of rows) {
    const m = bounds.findIndex((b) => r.createdAt >= b.start && r.createdAt < b.end);
    if (m < 0) continue;
    const o = out[m]!;
    if (r.kind === 'praise') o.praise++;
    else {
      o.raised++;
      if (r.status === 'resolved' || r.status === 'closed') o.handled++;
    }
    if (r.satisfaction === 'satisfied') o.satisfied++;
    else if (r.satisfaction === 'unsatisfied') o.unsatisfied++;
  }
  return { compound: { id: compound._id, name: compound.name }, months: out };
}
