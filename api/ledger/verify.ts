/**
 * Verifying a ledger reads the compound's whole chain. Callers of one compound at the same time share
 * one pass, at most VERIFY_AT_ONCE passes run, so a burst cannot starve other requests, and a pass is
 * kept for VERIFIED_TTL_MS while the chain's head (its last seq and hash) stays the same. An entry edited
 * in place leaves the head as it was: such an edit shows here at the next append or within the minute,
 * and at once in `npm run verify-ledger`, which always reads the whole chain.
 */
import { verifyLedger } from '../../activities/ledger';
import { LedgerEntry } from '../../models/ledger-entry';

type Result = Awaited<ReturnType<typeof verifyLedger>> & { verifiedAt: string };

const VERIFY_AT_ONCE = 2;
export const VERIFIED_TTL_MS = 60_000;
const verified = new Map<string, { at: number; result: Result }>();

/** The last pass while the head is unchanged and it is recent; a new full pass otherwise. */
export async function verifyByHead(compoundId: string, now = Date.now): Promise<Result> {
  const head = await LedgerEntry.findOne({ compoundId }, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean();
  const hit = verified.get(compoundId);
  if (
    hit &&
    now() - hit.at < VERIFIED_TTL_MS &&
    hit.result.entries === (head?.seq ?? 0) &&
    hit.result.lastHash === (head?.hash ?? hit.result.lastHash)
  )
    return hit.result;
  const result = await verifyFully(compoundId);
  if (verified.size > 10_000) verified.clear();
  verified.set(compoundId, { at: now(), result });
  return result;
}
const verifying = new Map<string, Promise<Result>>();
let running = 0;
const waiting: (() => void)[] = [];

/** A full pass over the chain (shared with callers of the same compound already waiting for one). */
export function verifyFully(compoundId: string): Promise<Result> {
  const shared = verifying.get(compoundId);
  if (shared) return shared;
  const run = (async () => {
    // A finishing pass hands its slot straight to the next waiter, so never more than VERIFY_AT_ONCE run.
    if (running >= VERIFY_AT_ONCE) await new Promise<void>((r) => waiting.push(r));
    else running++;
    try {
      return { ...(await verifyLedger(compoundId)), verifiedAt: new Date().toISOString() };
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
      verifying.delete(compoundId);
    }
  })();
  verifying.set(compoundId, run);
  return run;
}
