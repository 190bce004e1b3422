/**
 * The rate counters from the command line:
 *   npm run rates -- --check [period] [compoundId…]    counters against a recount of the records (exit 1 if they differ)
 *   npm run rates -- --rebuild [compoundId…]           recompute the counters from the records (safe while the system runs)
 * The period defaults to this year in the compound's time zone; with no compound, every compound.
 */
import { runWithDatabase } from './cli';
import { rebuildProjections } from '../activities/projections';
import { compoundScope, computeRates, recountRates } from '../services/rates';
import { Compound, timeZoneOf } from '../models/compound';
import { localParts } from '../domain/calendar';

const PERIOD = /^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$/;

async function main(): Promise<number> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode !== '--check' && mode !== '--rebuild') {
    console.error('用法：npm run rates -- --check [期间] [小区…] | --rebuild [小区…]');
    return 2;
  }
  const period = mode === '--check' && rest[0] && PERIOD.test(rest[0]) ? rest.shift() : undefined;
  const compounds = await Compound.find(rest.length ? { _id: { $in: rest } } : {}, { timeZone: 1 }).lean();
  const missing = rest.filter((id) => !compounds.some((c) => c._id === id));
  if (missing.length) {
    console.error(`没有这个小区：${missing.join('、')}`);
    return 2;
  }
  if (mode === '--rebuild') {
    const t0 = Date.now();
    const r = await rebuildProjections(compounds.map((c) => c._id));
    console.log(
      `已重建 ${r.compounds} 个小区的统计：${r.pages} 个月度页，${r.records} 条记录，用时 ${Date.now() - t0} ms`,
    );
    return 0;
  }
  let ok = true;
  for (const c of compounds) {
    const p = period ?? String(localParts(new Date(), timeZoneOf(c)).year);
    const scope = await compoundScope(c._id);
    const [counted, recounted] = await Promise.all([computeRates(scope, p), recountRates(scope, p)]);
    const same = JSON.stringify(counted) === JSON.stringify(recounted);
    ok &&= same;
    console.log(
      same
        ? `✔ ${c._id} ${p}: 计数与重新统计一致（${counted.overall.voices} 条民情）`
        : `✘ ${c._id} ${p}: 计数 ${JSON.stringify(counted.overall)} ≠ 重新统计 ${JSON.stringify(recounted.overall)}；可运行 --rebuild`,
    );
  }
  return ok ? 0 : 1;
}

runWithDatabase(main);
