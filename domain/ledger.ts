/**
 * The supervisory record's tamper evidence: each compound's ledger is a hash chain. An entry's hash
 * covers its canonical content and the previous entry's hash, so changing, removing or reordering
 * any entry breaks every link after it. Hashing itself (SHA-256) is done by the adapter that owns
 * the crypto; this file says what is hashed and how a chain is checked.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEntry {
  compoundId: string;
  seq: number;
  entryId: string;
  at: Date;
  matterId: string;
  matterType: string;
  event: string;
  actor?: { userId?: string | null; name?: string | null; body?: string | null } | null;
  summary: string;
  content?: unknown;
  bodies?: string[];
  prevHash: string;
}

/** JSON with keys sorted at every depth, dates as ISO strings: the same entry always reads the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What an entry's hash covers: time, matter, event, actor, content — and its place in the chain. */
export function canonicalEntry(e: ChainedEntry): string {
  const actor = e.actor
    ? { userId: e.actor.userId ?? null, name: e.actor.name ?? null, body: e.actor.body ?? null }
    : null;
  return canonicalJson({
    compoundId: e.compoundId,
    seq: e.seq,
    entryId: e.entryId,
    at: e.at,
    matterId: e.matterId,
    matterType: e.matterType,
    event: e.event,
    actor,
    summary: e.summary,
    content: e.content ?? null,
    // Only when present, so entries filed before bodies were recorded keep their hashes.
    ...(e.bodies?.length ? { bodies: e.bodies } : {}),
    prevHash: e.prevHash,
  });
}

export type ChainBreak =
  | { seq: number; entryId: string; reason: 'sequence'; message: string }
  | { seq: number; entryId: string; reason: 'link'; message: string }
  | { seq: number; entryId: string; reason: 'content'; message: string };

/**
 * Checks one entry against the one before it. `hash` computes SHA-256 hex of a string.
 * Returns the break, or undefined when the link holds.
 */
export function checkLink(
  prev: { seq: number; hash: string } | undefined,
  e: ChainedEntry & { hash: string },
  hash: (s: string) => string,
): ChainBreak | undefined {
  const expectedSeq = (prev?.seq ?? 0) + 1;
  if (e.seq !== expectedSeq) {
    return {
      seq: e.seq,
      entryId: e.entryId,
      reason: 'sequence',
      message: `第 ${expectedSeq} 条记录缺失或顺序被改动`,
    };
  }
  if (e.prevHash !== (prev?.hash ?? GENESIS_HASH)) {
    return {
      seq: e.seq,
      entryId: e.entryId,
      reason: 'link',
      message: `第 ${e.seq} 条记录与前一条的链接不符`,
    };
  }
  if (hash(canonicalEntry(e)) !== e.hash) {
    return { seq: e.seq, entryId: e.entryId, reason: 'content', message: `第 ${e.seq} 条记录的内容被改动` };
  }
  return undefined;
}
