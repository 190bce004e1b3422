/**
 * The audit log: every write a person makes through the API — who, when, from which address, what was
 * asked and what it became — appended, never changed, read by the compound's office.
 */
import { randomBytes } from 'node:crypto';
import { AuditEntry } from '../models/audit-entry';

/** At most this much of a request or an answer is kept (a long minute's text is in its own record). */
export const AUDIT_TEXT_CHARS = 4000;
const SECRET_KEY = /password|secret|token|api_?key|^url$/i;

/** JSON with every secret-looking field masked, cut to the bound. */
export function auditText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, (key, v: unknown) =>
    key && SECRET_KEY.test(key) && v !== undefined && v !== null ? '***' : v,
  );
  if (text === undefined) return undefined;
  return text.length > AUDIT_TEXT_CHARS ? `${text.slice(0, AUDIT_TEXT_CHARS)}…` : text;
}

export interface AuditInput {
  compoundId: string;
  actor: { userId: string; name: string; roles: readonly string[] };
  address?: string;
  method: string;
  route: string;
  path: string;
  status: number;
  request?: unknown;
  result?: unknown;
}

export async function recordAudit(entry: AuditInput, at = new Date()): Promise<void> {
  await AuditEntry.create({
    _id: `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
    ...entry,
    actor: { ...entry.actor, roles: [...entry.actor.roles] },
    at,
    request: auditText(entry.request),
    result: auditText(entry.result),
  });
}

export async function auditLog(
  compoundId: string,
  f: { userId?: string; from?: string; to?: string; page: number; pageSize: number },
) {
  const at = {
    ...(f.from ? { $gte: new Date(f.from) } : {}),
    ...(f.to ? { $lt: new Date(f.to) } : {}),
  };
  const query = {
    compoundId,
    ...(f.userId ? { 'actor.userId': f.userId } : {}),
    ...(f.from || f.to ? { at } : {}),
  };
  const [rows, total] = await Promise.all([
    AuditEntry.find(query)
      .sort({ at: -1, _id: -1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean(),
    AuditEntry.countDocuments(query),
  ]);
  return {
    items: rows.map((e) => ({
      id: e._id,
      at: e.at.toISOString(),
      actor: { userId: e.actor?.userId ?? '', name: e.actor?.name ?? '', roles: e.actor?.roles ?? [] },
      address: e.address ?? undefined,
      method: e.method ?? '',
      route: e.route ?? '',
      path: e.path ?? '',
      status: e.status ?? 0,
      request: e.request ?? undefined,
      result: e.result ?? undefined,
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}
