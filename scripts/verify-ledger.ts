/**
 * Verifies the hash chain of a compound's supervisory ledger (or of every compound):
 *   npx tsx scripts/verify-ledger.ts [compoundId]
 * Exits 0 when every chain is intact, 1 at the first broken link (printed), 2 on a usage error.
 */
import { runWithDatabase } from './cli';
import { verifyLedger } from '../activities/ledger';
import { Compound } from '../models/compound';

async function main(): Promise<number> {
  const only = process.argv[2];
  const ids = only ? [only] : (await Compound.find({}, { _id: 1 }).lean()).map((c) => c._id);
  if (only && !(await Compound.exists({ _id: only }))) {
    console.error(`没有这个小区：${only}`);
    return 2;
  }
  let ok = true;
  for (const id of ids) {
    const r = await verifyLedger(id);
    if (r.ok) console.log(`✔ ${id}: ${r.entries} 条记录，链条完整（末条哈希 ${r.lastHash.slice(0, 16)}…）`);
    else {
      ok = false;
      console.log(
        `✘ ${id}: 第 ${r.firstBroken!.seq} 条（${r.firstBroken!.entryId}）断链：${r.firstBroken!.message}`,
      );
    }
  }
  return ok ? 0 : 1;
}

runWithDatabase(main);
