/**
 * The benchmarks: `npm run bench -- intake|timers|reads|rates|backends|imports` (several may be named; none: all).
 * Each prints its figures with min / median / max over rounds and, where there is one, the ratio to a
 * bare control measured in the same run. They assert nothing; docs/performance.md keeps the last full run.
 */
import { benchBackends } from './backends';
import { benchImports } from './imports';
import { benchIntake } from './intake';
import { benchRates } from './rates-bench';
import { benchReads } from './reads';
import { benchTimers } from './timers';

const BENCHES: Record<string, () => Promise<void>> = {
  intake: benchIntake,
  timers: benchTimers,
  reads: benchReads,
  rates: benchRates,
  backends: benchBackends,
  imports: benchImports,
};

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in BENCHES));
  if (unknown.length) {
    console.error(
      `unknown benchmark: ${unknown.join(', ')} (choose from ${Object.keys(BENCHES).join(', ')})`,
    );
    process.exit(2);
  }
  for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
    console.log(`\n== bench ${name}`);
    await BENCHES[name]!();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
