/**
 * The supervisory ledger's tamper evidence on the real database: a hash chain per compound that
 * concurrent and retried filings never fork or duplicate, and that verification breaks exactly at an
 * entry altered or removed behind the application's back.
 */
import { VERIFIED_TTL_MS, verifyByHead } from '../../api/ledger/verify';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import mongoose from 'mongoose';
import request from 'supertest';
import { PassThrough } from 'node:stream';
import { ledgerLinks, writeLedgerCsv, writeLedgerXlsx } from '../../api/ledger/reads';
import { appendLedgerEntry, verifyLedger, type LedgerEntryInput } from '../../activities/ledger';
import { LedgerEntry } from '../../models/ledger-entry';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startStack } from '../helpers/app';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const entry = (compoundId: string, n: number): LedgerEntryInput => ({
  entryId: `${compoundId}-m#${n}`,
  compoundId,
  matterId: `${compoundId}-m`,
  matterType: 'meeting',
  event: 'decision',
  at: new Date(Date.UTC(2026, 10, 1, 8, n)).toISOString(),
  actor: { userId: 'u-staff', name: '马丽' },
  summary: `议题 ${n}：交自管会办理`,
  content: { itemId: `i${n}`, amount: n * 100, nested: { b: 1, a: [n, 'x'] } },
});
const raw = () => mongoose.connection.db!.collection('ledger');

it('when twenty events are filed at once and some twice, the chain has twenty links, in order, and verifies', async () => {
  const c = await makeCompound();
  const inputs = Array.from({ length: 20 }, (_, i) => entry(c, i + 1));
  await Promise.all([...inputs, ...inputs.slice(0, 5)].map((e) => appendLedgerEntry(e)));
  const docs = await LedgerEntry.find({ compoundId: c }).sort({ seq: 1 }).lean();
  expect(docs.map((d) => d.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(new Set(docs.map((d) => d._id)).size).toBe(20);
  const result = await verifyLedger(c);
  expect(result).toMatchObject({ ok: true, entries: 20 });
});

it('when an entry is altered directly in the database, verification fails at that entry', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 6; n++) await appendLedgerEntry(entry(c, n));
  await raw().updateOne({ compoundId: c, seq: 4 }, { $set: { summary: '议题 4：无需处理' } });
  const result = await verifyLedger(c);
  expect(result.ok).toBe(false);
  expect(result.firstBroken).toMatchObject({ seq: 4, reason: 'content' });
});

it('when an entry is deleted or its link rewritten, verification fails there too', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 5; n++) await appendLedgerEntry(entry(c, n));
  await raw().deleteOne({ compoundId: c, seq: 3 });
  expect((await verifyLedger(c)).firstBroken).toMatchObject({ seq: 4, reason: 'sequence' });

  const d = await makeCompound();
  for (let n = 1; n <= 3; n++) await appendLedgerEntry(entry(d, n));
  await raw().updateOne({ compoundId: d, seq: 2 }, { $set: { prevHash: 'f'.repeat(64) } });
  expect((await verifyLedger(d)).firstBroken).toMatchObject({ seq: 2, reason: 'link' });
});

it('refuses every update and delete through the application', async () => {
  const c = await makeCompound();
  await appendLedgerEntry(entry(c, 1));
  await expect(LedgerEntry.updateOne({ compoundId: c }, { $set: { summary: 'x' } })).rejects.toThrow(
    /append-only/,
  );
  await expect(LedgerEntry.deleteMany({ compoundId: c })).rejects.toThrow(/append-only/);
  const doc = await LedgerEntry.findOne({ compoundId: c }).orFail();
  doc.summary = 'changed';
  await expect(doc.save()).rejects.toThrow(/append-only/);
  expect((await verifyLedger(c)).ok).toBe(true);
});

it('answers the verification over HTTP to officers only (a resident is refused), kept while the chain’s head stands, and the command-line script finds a break at once', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 3; n++) await appendLedgerEntry(entry(c, n));
  const resident = await makeUser(c, ['resident']);
  const refused = await request(stack.app)
    .get(`/api/v1/compounds/${c}/ledger/verify`)
    .set('Authorization', await stack.login(resident));
  expect(refused.status).toBe(403);
  expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'ledger:export' } });
  const member = await makeUser(c, ['supervisoryBoard']);
  const auth = await stack.login(member);
  const ok = await request(stack.app).get(`/api/v1/compounds/${c}/ledger/verify`).set('Authorization', auth);
  expect(ok.body).toMatchObject({ ok: true, entries: 3 });
  const outsider = await makeUser(await makeCompound(), ['supervisoryBoard']);
  expect(
    (
      await request(stack.app)
        .get(`/api/v1/compounds/${c}/ledger/verify`)
        .set('Authorization', await stack.login(outsider))
    ).status,
  ).toBe(403);

  await raw().updateOne({ compoundId: c, seq: 2 }, { $set: { 'content.amount': 999999 } });
  // The head is unchanged: within the minute the last pass stands (kept by the chain's head)…
  const cached = await request(stack.app)
    .get(`/api/v1/compounds/${c}/ledger/verify`)
    .set('Authorization', auth);
  expect(cached.body).toMatchObject({ ok: true, entries: 3, verifiedAt: ok.body.verifiedAt });
  // …and the next entry moves the head: a full pass, which finds the edit.
  await appendLedgerEntry(entry(c, 4));
  const broken = await request(stack.app)
    .get(`/api/v1/compounds/${c}/ledger/verify`)
    .set('Authorization', auth);
  expect(broken.body).toMatchObject({ ok: false, firstBroken: { seq: 2, reason: 'content' } });

  const root = join(__dirname, '..', '..');
  const run = spawnSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    [join(root, 'scripts', 'verify-ledger.ts'), c],
    {
      env: { ...process.env, MONGODB_URI: stack.db.uri },
      encoding: 'utf8',
    },
  );
  expect(run.status).toBe(1);
  expect(run.stdout).toContain('第 2 条');
});

it('browses by matter and by period, and exports the same as CSV with Chinese headers to an officer, not to a resident', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 4; n++) await appendLedgerEntry(entry(c, n));
  await appendLedgerEntry({
    ...entry(c, 5),
    entryId: `${c}-o#1`,
    matterId: `${c}-o`,
    matterType: 'rectification',
    event: 'issued',
    bodies: ['selfManagementCommittee', 'ownersCommittee'],
  });
  const member = await makeUser(c, ['resident']);
  const auth = await stack.login(member);
  const get = (q: string) =>
    request(stack.app).get(`/api/v1/compounds/${c}/ledger${q}`).set('Authorization', auth);

  const bySelfManagement = await get('?body=selfManagementCommittee');
  expect(bySelfManagement.body.items.map((e: { event: string }) => e.event)).toEqual(['issued']);
  expect((await get('?body=mayor')).status).toBe(400);
  expect((await verifyLedger(c)).ok).toBe(true);
  const orders = await get('?matterType=rectification');
  expect(orders.body.items.map((e: { event: string }) => e.event)).toEqual(['issued']);
  const period = await get(
    `?from=${encodeURIComponent('2026-11-01T16:02:00+08:00')}&to=${encodeURIComponent('2026-11-01T16:04:00+08:00')}`,
  );
  expect(period.body.items.map((e: { seq: number }) => e.seq)).toEqual([2, 3]);
  expect((await get('?from=yesterday')).status).toBe(400);
  expect((await get('?matterType=gossip')).status).toBe(400);

  expect((await get('.csv?matterType=meeting')).status).toBe(403);
  const officer = await stack.login(await makeUser(c, ['ownersCommittee']));
  const csv = await request(stack.app)
    .get(`/api/v1/compounds/${c}/ledger.csv?matterType=meeting`)
    .set('Authorization', officer);
  expect(csv.status).toBe(200);
  expect(csv.headers['content-type']).toContain('text/csv');
  const lines = (csv.text as string)
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n');
  expect(lines[0]).toBe('序号,时间,事项类型,事项编号,事件,经办人,摘要,本条哈希');
  expect(lines).toHaveLength(5);
  expect(lines[1]).toContain('2026-11-01 16:01');
  expect(lines[1]).toContain('会议');
  expect(lines[1]).toContain('议题 1：交自管会办理');
});

it('publishes the ledger to owners masked: anonymous readers only where the compound opts in', async () => {
  const open = await makeCompound({ echoWallPublic: true });
  const closed = await makeCompound({ echoWallPublic: false });
  for (const c of [open, closed]) {
    await appendLedgerEntry({
      ...entry(c, 1),
      summary: '王小明（13812345678）反映的问题已升级督办',
      actor: { userId: 'u1', name: '马丽丽' },
    });
  }
  const pub = await request(stack.app).get(`/api/v1/public/compounds/${open}/ledger`);
  expect(pub.status).toBe(200);
  expect(pub.body.items[0]).toMatchObject({
    seq: 1,
    actor: '马*丽',
    summary: expect.stringContaining('138****5678'),
  });
  expect(JSON.stringify(pub.body)).not.toContain('13812345678');
  expect(pub.body.items[0].content).toBeUndefined();

  expect((await request(stack.app).get(`/api/v1/public/compounds/${closed}/ledger`)).status).toBe(401);
  const resident = await makeUser(closed, ['resident']);
  const signedIn = await request(stack.app)
    .get(`/api/v1/public/compounds/${closed}/ledger`)
    .set('Authorization', await stack.login(resident));
  expect(signedIn.status).toBe(200);
  const stranger = await makeUser(open, ['resident']);
  const other = await request(stack.app)
    .get(`/api/v1/public/compounds/${closed}/ledger`)
    .set('Authorization', await stack.login(stranger));
  expect(other.status).toBe(403);
  expect((await request(stack.app).get('/api/v1/public/compounds/nowhere/ledger')).status).toBe(404);
  expect((await request(stack.app).get(`/api/v1/public/compounds/${open}/ledger?page=-1`)).status).toBe(400);
});

it('exports the ledger as an Excel workbook with Chinese headers, one row per entry', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 3; n++) await appendLedgerEntry(entry(c, n));
  const member = await makeUser(c, ['supervisoryBoard']);
  const res = await request(stack.app)
    .get(`/api/v1/compounds/${c}/ledger.xlsx`)
    .set('Authorization', await stack.login(member))
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.body as never);
  const sheet = workbook.getWorksheet('监事会记实')!;
  expect(sheet.getRow(1).values).toEqual([
    undefined,
    '序号',
    '时间',
    '事项类型',
    '事项编号',
    '事件',
    '经办人',
    '摘要',
    '本条哈希',
  ]);
  expect(sheet.rowCount).toBe(4);
  expect(sheet.getRow(2).getCell(7).value).toBe('议题 1：交自管会办理');
});

it('links an entry to its meeting, votes, order and voice, and never to another compound', () => {
  expect(ledgerLinks('c1', { matterId: 'v123', matterType: 'voice' })).toEqual({
    voice: '/api/v1/compounds/c1/voices/v123',
  });
  expect(
    ledgerLinks('c1', {
      matterId: 'quarterly-deliberation/c1/2026-Q4',
      matterType: 'meeting',
      content: { motionId: 'motion-1', orderId: 'o-9' },
    }),
  ).toEqual({
    meeting: '/api/v1/compounds/c1/meetings/quarterly-deliberation/2026-Q4',
    votes: '/api/v1/compounds/c1/meetings/quarterly-deliberation/2026-Q4/votes?motionId=motion-1',
    motionRecord: '/api/v1/compounds/c1/ledger?motionId=motion-1',
    order: '/api/v1/compounds/c1/rectifications/o-9',
    orderRecord: '/api/v1/compounds/c1/ledger?matterId=o-9',
  });
  // A meeting id naming another compound (or not a meeting at all) gives no meeting link.
  expect(ledgerLinks('c1', { matterId: 'monthly-consultation/c2/2026-11', matterType: 'meeting' })).toEqual(
    {},
  );
  expect(ledgerLinks('c1', { matterId: 'x/y', matterType: 'meeting' })).toEqual({});
});

it('when a CSV or XLSX download is abandoned midway, the export stops instead of waiting forever for a drain', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 60; n++) await appendLedgerEntry(entry(c, n));
  for (const write of [writeLedgerCsv, writeLedgerXlsx]) {
    // A client that reads nothing, then hangs up: the writer fills the small buffer and must not wait on.
    const out = new PassThrough({ highWaterMark: 512 });
    const done = write(c, {}, 'Asia/Shanghai', out);
    await new Promise((r) => setTimeout(r, 300));
    expect(out.writableNeedDrain).toBe(true);
    out.destroy();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      done.then(() => 'stopped'),
      new Promise((r) => (timer = setTimeout(() => r('still waiting'), 5_000))),
    ]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
  }
});

it('when twenty verifications of one ledger arrive at once, each is answered with the same verified chain', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 5; n++) await appendLedgerEntry(entry(c, n));
  const auth = await stack.login(await makeUser(c, ['supervisoryBoard']));
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      request(stack.app).get(`/api/v1/compounds/${c}/ledger/verify`).set('Authorization', auth),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  expect(new Set(answers.map((a) => `${a.body.ok}:${a.body.entries}:${a.body.lastHash}`)).size).toBe(1);
  expect(answers[0]!.body).toMatchObject({ ok: true, entries: 5 });
});

it('when a minute has passed since the last pass, verification reads the whole chain again even with the head unchanged', async () => {
  const c = await makeCompound();
  for (let n = 1; n <= 3; n++) await appendLedgerEntry(entry(c, n));
  const t0 = Date.now();
  expect((await verifyByHead(c, () => t0)).ok).toBe(true);
  await raw().updateOne({ compoundId: c, seq: 1 }, { $set: { 'content.amount': 1 } });
  expect((await verifyByHead(c, () => t0 + VERIFIED_TTL_MS - 1)).ok).toBe(true);
  const fresh = await verifyByHead(c, () => t0 + VERIFIED_TTL_MS);
  expect(fresh).toMatchObject({ ok: false, firstBroken: { seq: 1 } });
});
