/**
 * Verifying a ledger reads the compound's whole chain. Callers of one compound at the same time share
 * one pass, and at most VERIFY_AT_ONCE passes run, so a burst cannot starve other requests. Not cached
 * by the chain's head: an entry edited in place leaves the head as it was, and only a full pass finds it.
 */
import { verifyLedger } from '../../activities/ledger';

type Result = Awaited<ReturnType<typeof verifyLedger>> & { verifiedAt: string };

const VERIFY_AT_ONCE = 2;
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
