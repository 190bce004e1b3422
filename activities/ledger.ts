import { createHash } from 'node:crypto';
import { LedgerEntry, LedgerHead } from '../models/ledger-entry';
import {
  GENESIS_HASH,
  canonicalEntry,
  checkLink,
  type ChainBreak,
  type ChainedEntry,
} from '../domain/ledger';

export interface LedgerEntryInput {
  entryId: string;
  compoundId: string;
  matterId: string;
  matterType:
    | 'meeting'
    | 'disposition'
    | 'rectification'
    | 'resolution'
    | 'motion'
    | 'evaluation'
    | 'voice'
    | 'apiKey'
    | 'membership'
    | 'partyMember';
  event: string;
  at: string;
  actor?: { userId: string; name: string; body?: string };
  summary: string;
  content?: unknown;
  /** The bodies the matter concerns (owner, issuer, conveners…), for browsing by body. */
  bodies?: string[];
}

export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Appends an entry at the end of its compound's hash chain. Idempotent by entryId (a retried activity
 * files nothing twice); safe under concurrency: the unique (compoundId, seq) index lets one of two
 * racing writers win a place, and the other retries on the new end of the chain.
 */
export async function appendLedgerEntry(e: LedgerEntryInput): Promise<{ seq: number; hash: string }> {
  // Content goes through JSON so what is hashed is exactly what the database gives back.
  const content = e.content === undefined ? undefined : (JSON.parse(JSON.stringify(e.content)) as unknown);
  for (let attempt = 0; attempt < 50; attempt++) {
    const existing = await LedgerEntry.findById(e.entryId, { seq: 1, hash: 1 }).lean();
    if (existing) return { seq: existing.seq, hash: existing.hash };
    const head = (await LedgerHead.findById(e.compoundId).lean()) ?? (await rebuildHead(e.compoundId));
    const entry: ChainedEntry = {
      compoundId: e.compoundId,
      seq: head.seq + 1,
      entryId: e.entryId,
      at: new Date(e.at),
      matterId: e.matterId,
      matterType: e.matterType,
      event: e.event,
      actor: e.actor,
      summary: e.summary,
      content,
      bodies: e.bodies?.length ? e.bodies : undefined,
      prevHash: head.hash,
    };
    const hash = sha256(canonicalEntry(entry));
    try {
      await LedgerEntry.create({ _id: e.entryId, ...entry, hash });
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      // Another writer took this place (or filed this very entry): catch the head up and try again.
      await advanceHead(e.compoundId);
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
      continue;
    }
    await LedgerHead.updateOne({ _id: e.compoundId, seq: head.seq }, { $set: { seq: entry.seq, hash } });
    return { seq: entry.seq, hash };
  }
  throw new Error(`could not append ledger entry ${e.entryId}: too much contention`);
}

/** Moves a compound's head past entries filed by writers that stopped before updating it. */
async function advanceHead(compoundId: string): Promise<void> {
  const head = (await LedgerHead.findById(compoundId).lean()) ?? (await rebuildHead(compoundId));
  let { seq, hash } = head;
  for (;;) {
    const next = await LedgerEntry.findOne({ compoundId, seq: seq + 1 }, { seq: 1, hash: 1 }).lean();
    if (!next) break;
    seq = next.seq;
    hash = next.hash;
  }
  if (seq !== head.seq)
    await LedgerHead.updateOne({ _id: compoundId, seq: head.seq }, { $set: { seq, hash } });
}

/** The head from the ledger itself (first use, or a database restored without heads). */
async function rebuildHead(compoundId: string): Promise<{ seq: number; hash: string }> {
  const last = await LedgerEntry.findOne({ compoundId }, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean();
  const head = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH };
  await LedgerHead.updateOne({ _id: compoundId }, { $setOnInsert: head }, { upsert: true }).catch(
    (err: unknown) => {
      if (!isDuplicate(err)) throw err;
    },
  );
  return (await LedgerHead.findById(compoundId).lean()) ?? head;
}

export interface VerifyResult {
  compoundId: string;
  ok: boolean;
  entries: number;
  lastHash: string;
  firstBroken?: ChainBreak;
}

/** Walks a compound's chain in order and reports the first broken link. Streams: constant memory. */
export async function verifyLedger(compoundId: string): Promise<VerifyResult> {
  let prev: { seq: number; hash: string } | undefined;
  let entries = 0;
  const cursor = LedgerEntry.find({ compoundId }).sort({ seq: 1 }).lean().cursor();
  for await (const doc of cursor) {
    entries++;
    const e = {
      compoundId: doc.compoundId,
      seq: doc.seq,
      entryId: doc._id,
      at: doc.at,
      matterId: doc.matterId,
      matterType: doc.matterType,
      event: doc.event,
      actor: doc.actor,
      summary: doc.summary,
      content: doc.content,
      bodies: doc.bodies?.length ? doc.bodies : undefined,
      prevHash: doc.prevHash,
      hash: doc.hash,
    };
    const broken = checkLink(prev, e, sha256);
    if (broken) {
      await cursor.close();
      return { compoundId, ok: false, entries, lastHash: prev?.hash ?? GENESIS_HASH, firstBroken: broken };
    }
    prev = { seq: doc.seq, hash: doc.hash };
  }
  return { compoundId, ok: true, entries, lastHash: prev?.hash ?? GENESIS_HASH };
}
