/**
 * The date check (part of `npm test`): the calendar-sensitive tests — the domain's calendars, the
 * workflows on the time-skipping server, and test/calendar — run again at each pinned instant of
 * test/helpers/clock.ts (a month's first minutes, a year end, a leap day, the eve of the National Day
 * holiday, New Year's midnight, a plain weekday), each in a different process time zone, so no test can
 * lean on where today falls. The servers and the workflow bundle are made once for all the runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PINNED_INSTANTS } from '../test/helpers/clock';
import { bundleWorkflows } from '../test/helpers/global-setup';
import { ROOT, startFerretDb, startTemporalDev, type Running } from './servers';

const CALENDAR_TESTS = ['test/domain', 'test/workflows', 'test/calendar'];
// The council's rules take their dates relative to the server's clock and hold on any day; its one slow
// test (a council at every cap) is not worth repeating six times.
const NOT_CALENDAR = ['/node_modules/', '<rootDir>/test/workflows/council.test.ts'];
// The machine's zone must not matter either: each run takes another.
const PROCESS_ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/Los_Angeles',
  'Europe/Berlin',
  'Pacific/Auckland',
  'UTC',
];

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'gongzhi-date-check-'));
  const running: Running[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env };
  try {
    if (!env.MONGODB_URI) {
      const db = await startFerretDb({ dataDir: join(dir, 'ferretdb'), quiet: true });
      running.push(db);
      env.MONGODB_URI = `mongodb://127.0.0.1:${db.port}/gongzhi`;
    }
    if (!env.TEMPORAL_ADDRESS) {
      const temporal = await startTemporalDev({ quiet: true });
      running.push(temporal);
      env.TEMPORAL_ADDRESS = `127.0.0.1:${temporal.port}`;
    }
    env.GONGZHI_WORKFLOW_BUNDLE = await bundleWorkflows(dir);
    const failed: string[] = [];
    for (const [i, { name, at }] of PINNED_INSTANTS.entries()) {
      const zone = PROCESS_ZONES[i % PROCESS_ZONES.length]!;
      console.log(`\n== date check ${i + 1}/${PINNED_INSTANTS.length}: ${name} (${at}), process TZ=${zone}`);
      const t0 = Date.now();
      const run = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'jest'),
        [...CALENDAR_TESTS, '--testPathIgnorePatterns', ...NOT_CALENDAR, ...process.argv.slice(2)],
        {
          cwd: ROOT,
          env: { ...env, GONGZHI_TEST_NOW: at, TZ: zone },
          stdio: 'inherit',
        },
      );
      console.log(
        `== ${name}: ${run.status === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
      if (run.status !== 0) failed.push(`${name} (${at})`);
    }
    if (failed.length) {
      console.error(`\n== date check failed at: ${failed.join('; ')}`);
      return 1;
    }
    console.log(`\n== date check passed at all ${PINNED_INSTANTS.length} pinned instants`);
    return 0;
  } finally {
    await Promise.all(running.map((r) => r.stop()));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
