/**
 * Lookups by _id must use the _id index, also when the filter has other conditions (a compare-and-set
 * update such as `{ _id, rev }`): the ledger head, the rate counters and every workflow's read model
 * are written that way. FerretDB v1.24 scans its SQLite table for these unless our patch
 * (scripts/patches) is applied; on MongoDB the planner does it.
 */
import mongoose from 'mongoose';
import { connectTestDb } from '../helpers/db';

let db: Awaited<ReturnType<typeof connectTestDb>>;
beforeAll(async () => {
  db = await connectTestDb();
  const c = mongoose.connection.db!.collection('lookups');
  await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `d${i}` as never, rev: i })));
});
afterAll(async () => {
  await db?.drop();
});

async function plan(filter: Record<string, unknown>): Promise<string> {
  const res = await mongoose.connection.db!.command({
    explain: { find: 'lookups', filter },
    verbosity: 'queryPlanner',
  });
  return JSON.stringify(res.queryPlanner);
}

it.each([
  ['an _id alone', { _id: 'd42' }],
  ['an _id with another condition', { _id: 'd42', rev: 42 }],
  ['an _id with an operator beside it', { rev: { $gte: 0 }, _id: 'd42' }],
])('a lookup by %s uses the _id index', async (_what, filter) => {
  const p = await plan(filter);
  // FerretDB shows SQLite's plan ("SEARCH … USING INDEX"); MongoDB an index scan or the _id fast path.
  expect(p).toMatch(/USING INDEX|IXSCAN|IDHACK|EXPRESS/);
  expect(p).not.toMatch(/"SCAN |COLLSCAN/);
  const found = await mongoose.connection
    .db!.collection('lookups')
    .find(filter as never)
    .toArray();
  expect(found.map((d) => d._id)).toEqual(['d42']);
});

it('a condition beside the _id still filters: a stale compare-and-set matches nothing', async () => {
  const c = mongoose.connection.db!.collection('lookups');
  const stale = await c.updateOne({ _id: 'd7' as never, rev: 6 }, { $inc: { rev: 1 } });
  expect(stale.matchedCount).toBe(0);
  const fresh = await c.updateOne({ _id: 'd7' as never, rev: 7 }, { $inc: { rev: 1 } });
  expect(fresh.modifiedCount).toBe(1);
  expect((await c.findOne({ _id: 'd7' as never }))?.rev).toBe(8);
});
