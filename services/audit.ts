/**
 * The audit log: every write a person makes through the API — who, when, from which address, what was
 * asked, what it became, and the fields it changed (before and after) — appended, never changed, read by
 * the compound's office. Services report what they changed with recordChange(); the route table keeps it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { maskIdNumber, maskPhone, MOBILE_PATTERN } from '../domain/people';
import { maskPersonalData } from '../domain/privacy';
import { AuditEntry } from '../models/audit-entry';

/** At most this much of a request or an answer is kept (a long minute's text is in its own record). */
export const AUDIT_TEXT_CHARS = 4000;
/** Bounds of the changes one entry keeps: records, fields per record, characters per value. */
export const AUDIT_MAX_CHANGES = 20;
export const AUDIT_MAX_FIELDS = 30;
export const AUDIT_VALUE_CHARS = 300;

const SECRET_KEY = /password|secret|token|api_?key|^url$|^hash$/i;
const PHONE_KEY = /phone/i;
const ID_NUMBER_KEY = /^idNumber$/i;

/**
 * What the log may keep of one value under its key: secrets never (a password, its hash, a one-time code,
 * a robot's URL); phones and ID numbers masked for every reader — the log is a copy kept for ever that
 * no one can correct, and the full number is in the person's own record for those who need it; any
 * other text with its phones, ID numbers and e-mail addresses masked.
 */
function redact(key: string, v: unknown): unknown {
  if (v === undefined || v === null || !key) return v;
  if (SECRET_KEY.test(key)) return '***';
  if (key === 'code' && typeof v === 'string' && /^\d{4,8}$/.test(v)) return '***'; // a one-time code
  if (typeof v !== 'string') return v;
  if (PHONE_KEY.test(key)) return maskPhone(v);
  if (ID_NUMBER_KEY.test(key)) return maskIdNumber(v);
  if (key === 'username' && MOBILE_PATTERN.test(v)) return maskPhone(v);
  return maskPersonalData(v);
}

/** JSON with every secret-looking field masked, personal numbers masked, cut to the bound. */
export function auditText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value, (key, v: unknown) => redact(key, v));
  if (text === undefined) return undefined;
  return text.length > AUDIT_TEXT_CHARS ? `${text.slice(0, AUDIT_TEXT_CHARS)}…` : text;
}

/** One record's change as a service reports it: the record's fields before and after (null: none). */
export interface Change {
  /** What kind of record: `rooms`, `buildings`, `users`, `compounds`, `registrations`… */
  collection: string;
  id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}
export interface AuditChange {
  collection: string;
  id: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** A value as the log keeps it: redacted, and cut to AUDIT_VALUE_CHARS when long. */
function boundedValue(key: string, v: unknown): unknown {
  const json = JSON.stringify(v, (k, x: unknown) => redact(k || key, x));
  if (json === undefined) return null;
  if (json.length <= AUDIT_VALUE_CHARS) return JSON.parse(json) as unknown;
  return `${json.slice(0, AUDIT_VALUE_CHARS)}…`;
}

/** Only the fields that differ, each redacted and bounded. */
export function changedFields(c: Change): AuditChange {
  const before = c.before ?? {};
  const after = c.after ?? {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => FIELD.test(k))
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .slice(0, AUDIT_MAX_FIELDS);
  const pick = (rec: Record<string, unknown>) =>
    Object.fromEntries(keys.filter((k) => rec[k] !== undefined).map((k) => [k, boundedValue(k, rec[k])]));
  return {
    collection: c.collection.slice(0, 64),
    id: c.id.slice(0, 300),
    ...(c.before ? { before: pick(before) } : {}),
    ...(c.after ? { after: pick(after) } : {}),
  };
}

/** The changes of the request being handled (the route table opens one per write). */
interface Context {
  changes: AuditChange[];
  /** Where the entry belongs when the route names no compound (a person's own data: their compounds). */
  compounds?: string[];
}
const current = new AsyncLocalStorage<Context>();

/** Runs a write with a place for the changes it reports; answers its result, those changes and compounds. */
export async function withChanges<T>(fn: () => Promise<T>): Promise<{ result: T } & Context> {
  const context: Context = { changes: [] };
  const result = await current.run(context, fn);
  return { result, ...context };
}

/**
 * A service's report of what it changed, for the audit entry of the request that asked. Outside a request
 * (the worker, a script) it does nothing; a change of no field is not kept.
 */
export function recordChange(change: Change): void {
  const context = current.getStore();
  if (!context || context.changes.length >= AUDIT_MAX_CHANGES) return;
  const kept = changedFields(change);
  const touched = Object.keys(kept.before ?? {}).length + Object.keys(kept.after ?? {}).length;
  if (touched > 0 || !change.before !== !change.after) context.changes.push(kept);
}

/** At most this many compounds get a copy of one entry. */
const MAX_AUDIT_COMPOUNDS = 10;
/**
 * For a write on a route of no compound (a person correcting their own data): the compounds whose office
 * should see it in their log.
 */
export function auditInCompounds(compoundIds: readonly string[]): void {
  const context = current.getStore();
  if (context) context.compounds = [...new Set(compoundIds)].slice(0, MAX_AUDIT_COMPOUNDS);
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
  changes?: AuditChange[];
}

export async function recordAudit(entry: AuditInput, at = new Date()): Promise<void> {
  await AuditEntry.create({
    _id: `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
    ...entry,
    actor: { ...entry.actor, roles: [...entry.actor.roles] },
    at,
    request: auditText(entry.request),
    result: auditText(entry.result),
    changes: entry.changes?.length ? entry.changes.slice(0, AUDIT_MAX_CHANGES) : undefined,
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
      changes: ((e.changes ?? []) as AuditChange[]).map((c) => ({
        collection: c.collection,
        id: c.id,
        ...(c.before ? { before: c.before } : {}),
        ...(c.after ? { after: c.after } : {}),
      })),
    })),
    total,
    page: f.page,
    pageSize: f.pageSize,
  };
}
