/** Rectification orders and resolutions (整改/决议执行) as people read them. */
import { DomainError } from '../../domain/errors';
import { Rectification } from '../../models/rectification';
import { readMatterRows } from '../../activities/projections';
import { expandTexts } from '../../services/texts';
import { rectificationWorkflowId, type RectificationState } from '../../workflows/meeting-contract';
import { API, meetingPath } from '../links';

export async function listOrders(compoundId: string, f: { status?: string; page: number; pageSize: number }) {
  const rows = (await readMatterRows(compoundId)).orders
    .filter((o) => !f.status || o.status === f.status)
    .sort((a, b) => a.deadline - b.deadline || (a.id < b.id ? -1 : 1));
  const page = rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const items = (await Promise.all(page.map((r) => Rectification.findById(r.id).lean()))).flatMap((o) =>
    o ? [o] : [],
  );
  return {
    items: await expandTexts(items.map((o) => ({ id: o._id, ...withProcedures(o) }))),
    total: rows.length,
  };
}

export async function findOrder(compoundId: string, orderId: string) {
  const o = await Rectification.findOne({ _id: orderId, compoundId }).lean();
  if (!o) throw new DomainError('not_found', '没有这项整改或决议');
  return rectificationWorkflowId(o._id);
}

/**
 * An order's state with every procedure agreed for it: those its workflow received, and those filed on
 * its record by a coordination meeting (also after it closed), once each, in order.
 */
function withProcedures(o: { state: unknown; procedures?: unknown }) {
  const state = o.state as RectificationState;
  const filed = Object.values(
    (o.procedures ?? {}) as Record<string, RectificationState['procedures'][number]>,
  );
  const byMeeting = new Map<string, RectificationState['procedures'][number]>();
  for (const p of [...(state.procedures ?? []), ...filed]) {
    if (!byMeeting.has(p.meetingId)) byMeeting.set(p.meetingId, { ...p, at: new Date(p.at).toISOString() });
  }
  return { ...state, procedures: [...byMeeting.values()].sort((a, b) => a.at.localeCompare(b.at)) };
}

/** One order or resolution: its state, with the completion evidence and the verification. */
export async function getOrder(compoundId: string, orderId: string) {
  const o = await Rectification.findOne({ _id: orderId, compoundId }).lean();
  if (!o) throw new DomainError('not_found', '没有这项整改或决议');
  const meeting = meetingPath(compoundId, o.source?.meetingId ?? undefined);
  return expandTexts({
    id: o._id,
    ...withProcedures(o),
    source: o.source,
    links: {
      ...(meeting ? { meeting } : {}),
      record: `${API}/compounds/${compoundId}/ledger?matterId=${encodeURIComponent(o._id)}`,
    },
  });
}
