/**
 * Benchmark of the rates and the ledger at a county's scale, on generated data:
 *   npm run bench -- rates            (1,000,000 voices, 100,000 ledger entries; FerretDB unless MONGODB_URI)
 *   BENCH_VOICES=100000 BENCH_LEDGER=20000 npm run bench -- rates
 * Prints the figures; it asserts nothing. Data goes to a database of its own, dropped at the end.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose, { Types } from 'mongoose';
import { Community, Compound } from '../models/compound';
import { Voice } from '../models/voice';
import { LedgerEntry } from '../models/ledger-entry';
import { appendLedgerEntry, sha256, verifyLedger } from '../activities/ledger';
import { canonicalEntry, GENESIS_HASH, type ChainedEntry } from '../domain/ledger';
import { communityScope, compoundScope, computeRates, recountRates } from '../services/rates';
import { foldCompound, markChanged, rebuildProjections } from '../activities/projections';
import { startFerretDb, type Running } from '../scripts/servers';
import { CATEGORIES } from '../domain/voices';

const VOICES = Number(process.env.BENCH_VOICES ?? 1_000_000);
const LEDGER = Number(process.env.BENCH_LEDGER ?? 100_000);
const COMPOUNDS = Number(process.env.BENCH_COMPOUNDS ?? 200);
const BATCH = 5_000;

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const line = (what: string, value: string) => console.log(`${what.padEnd(58)} ${value}`);

async function time<T>(what: string, f: () => Promise<T>, runs = 3): Promise<T> {
  let result!: T;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = await f();
    times.push(ms(t0));
  }
  times.sort((a, b) => a - b);
  line(what, `median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms (of ${runs})`);
  return result;
}

/** Voices that count (not praise) generated for a compound, or for all. */
function expectedVoices(compoundId?: string) {
  let n = 0;
  for (let i = 0; i < VOICES; i++)
    if (i % 17 !== 0 && (!compoundId || `b${i % COMPOUNDS}` === compoundId)) n++;
  return n;
}

async function main() {
  let db: Running | undefined;
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    db = await startFerretDb({ dataDir: mkdtempSync(join(tmpdir(), 'gongzhi-bench-')), quiet: true });
    uri = `mongodb://127.0.0.1:${db.port}/bench`;
  } else {
    const u = new URL(uri);
    u.pathname = '/gongzhi_bench';
    uri = u.toString();
  }
  await mongoose.connect(uri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  console.log(
    `database: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'FerretDB v1.24 (SQLite)'}; ${VOICES} voices in ${COMPOUNDS} compounds, ${LEDGER} ledger entries`,
  );

  await Community.create({ _id: 'bench-county', name: '盐池县（基准）' });
  await Compound.insertMany(
    Array.from({ length: COMPOUNDS }, (_, i) => ({
      _id: `b${i}`,
      name: `小区${i}`,
      communityId: 'bench-county',
    })),
  );

  // Voices spread over 2026, across compounds, bodies, categories and outcomes.
  const year = Date.UTC(2025, 11, 31, 16); // 2026-01-01 00:00 Shanghai
  const sample: string[] = []; // voices of compound b1, changed live below
  let t0 = process.hrtime.bigint();
  for (let done = 0; done < VOICES; done += BATCH) {
    const docs = Array.from({ length: Math.min(BATCH, VOICES - done) }, (_, k) => {
      const i = done + k;
      const status = ['closed', 'closed', 'resolved', 'inProgress', 'assigned'][i % 5]!;
      const _id = new Types.ObjectId().toHexString();
      if (i % COMPOUNDS === 1 && i % 17 !== 0 && sample.length < 200) sample.push(_id);
      return {
        _id,
        compoundId: `b${i % COMPOUNDS}`,
        kind: i % 17 === 0 ? 'praise' : 'complaint',
        channel: 'online',
        category: CATEGORIES[i % CATEGORIES.length],
        text: '生成的数据',
        submittedBy: `r${i % 5000}`,
        idempotencyKey: `k${i}`,
        requestHash: 'x',
        assignee: ['selfManagementCommittee', 'ownersCommittee', 'staff'][i % 3],
        status,
        respondedOnTime: i % 4 !== 0,
        satisfaction: status === 'closed' ? (i % 7 === 0 ? 'unsatisfied' : 'satisfied') : undefined,
        createdAt: new Date(year + (i % 365) * 86_400_000 + (i % 86_400) * 1000),
        timeline: [],
      };
    });
    await Voice.collection.insertMany(docs as never[], { ordered: false });
  }
  line('generate voices', `${ms(t0).toFixed(0)} ms (${((VOICES / ms(t0)) * 1000).toFixed(0)} docs/s)`);

  // A valid chain for one compound, built in-process, then walked by verification.
  t0 = process.hrtime.bigint();
  let prev = GENESIS_HASH;
  for (let done = 0; done < LEDGER; done += BATCH) {
    const docs = [];
    for (let k = 0; k < Math.min(BATCH, LEDGER - done); k++) {
      const seq = done + k + 1;
      const e: ChainedEntry = {
        compoundId: 'b0',
        seq,
        entryId: `b0-m${seq}#1`,
        at: new Date(year + seq * 60_000),
        matterId: `b0-m${seq % 1000}`,
        matterType: 'meeting',
        event: 'decision',
        actor: { userId: 'u', name: '马丽', body: null },
        summary: `议题 ${seq}`,
        content: { n: seq },
        prevHash: prev,
      };
      prev = sha256(canonicalEntry(e));
      docs.push({ _id: e.entryId, ...e, hash: prev });
    }
    await LedgerEntry.collection.insertMany(docs as never[], { ordered: false });
  }
  line('generate ledger chain', `${ms(t0).toFixed(0)} ms`);

  t0 = process.hrtime.bigint();
  const installed = await rebuildProjections();
  line(
    'projections: build over all records (one pass, rebuild)',
    `${ms(t0).toFixed(0)} ms (${installed.pages} pages, ${installed.records} records)`,
  );

  const compound = await compoundScope('b1');
  const county = await communityScope('bench-county');
  await time('rates: one compound, one month (2026-11)', () => computeRates(compound, '2026-11'));
  await time('rates: one compound, one quarter (2026-Q4)', () => computeRates(compound, '2026-Q4'));
  const yr = await time('rates: one compound, a year (2026)', () => computeRates(compound, '2026'));
  const all = await time(`rates: the whole county (${COMPOUNDS} compounds), a year`, () =>
    computeRates(county, '2026'),
  );
  line(
    '  (check) voices counted for one compound / the county',
    `${yr.overall.voices} / ${all.overall.voices} (expected ${expectedVoices('b1')} / ${expectedVoices()})`,
  );

  // Live upkeep: a voice's state changes as its workflow records an event, then its counters follow.
  const statuses = ['accepted', 'inProgress', 'resolved', 'closed'];
  t0 = process.hrtime.bigint();
  for (const [k, id] of sample.entries()) {
    await Voice.updateOne(
      { _id: id, rev: { $lt: k + 1 } },
      {
        $set: { status: statuses[k % statuses.length], rev: k + 1 },
        $push: { timeline: { eventId: `bench-${k}` } },
      },
    );
    await markChanged('voice', id, 'b1', k + 1);
  }
  const updateMs = ms(t0) / sample.length;
  line(
    'voice: record an event (update by _id, and its change mark)',
    `${updateMs.toFixed(1)} ms per event (${sample.length} sequential)`,
  );
  t0 = process.hrtime.bigint();
  await foldCompound('b1');
  line(
    'projections: fold those events (off the hot path)',
    `${(ms(t0) / sample.length).toFixed(1)} ms per event`,
  );

  if (process.env.BENCH_RECOUNT !== '0') {
    const recount = await time(
      'recount by aggregation over the records, one compound, a year',
      () => recountRates(compound, '2026'),
      1,
    );
    const counted = await computeRates(compound, '2026');
    line(
      '  (check) counters agree with the recount',
      String(JSON.stringify(counted) === JSON.stringify(recount)),
    );
  }
  const v = await time(`ledger: verify a chain of ${LEDGER} entries`, () => verifyLedger('b0'), 1);
  line('  (check) chain intact, entries', `${v.ok}, ${v.entries}`);
  const append = (i: number) =>
    appendLedgerEntry({
      entryId: `append-${i}`,
      compoundId: 'b0',
      matterId: 'append',
      matterType: 'meeting',
      event: 'decision',
      at: new Date().toISOString(),
      summary: '追加',
    });
  // The generated chain has no head document yet: the first append finds the chain's end once.
  t0 = process.hrtime.bigint();
  await append(0);
  line('ledger: first append (finds the end of the chain once)', `${ms(t0).toFixed(0)} ms`);
  t0 = process.hrtime.bigint();
  for (let i = 1; i <= 200; i++) await append(i);
  line(
    'ledger: append at the end of that chain',
    `${(ms(t0) / 200).toFixed(1)} ms per entry (200 sequential)`,
  );

  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
  await db?.stop();
}

export { main as benchRates };
