/**
 * What a newcomer must find in the seeded demo on any day: open and handled voices, a past year of
 * meetings held with their records, a council with its votes and a resolution, an order verified, last
 * year's published evaluation, a verified ledger and rates with data — all of it made by workflows.
 */
import request from 'supertest';
import type { Express } from 'express';
import { localParts } from '../../domain/calendar';
import { DEMO_COMPOUND, DEMO_PASSWORD } from '../../scripts/seed-demo';
import { historyWindow } from '../../scripts/demo-history';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { Vote } from '../../models/vote';
import { Voice } from '../../models/voice';
import { LedgerEntry } from '../../models/ledger-entry';
import { eventually } from './app';

const TZ = 'Asia/Shanghai';

export async function expectLivingDemo(app: Express, now: Date) {
  const login = await request(app)
    .post('/api/v1/auth/login')
    .send({ username: 'staff', password: DEMO_PASSWORD });
  expect(login.status).toBe(200);
  const auth = `Bearer ${login.body.token as string}`;
  const get = (path: string) =>
    request(app).get(`/api/v1/compounds/${DEMO_COMPOUND}${path}`).set('Authorization', auth);
  const w = historyWindow(now, TZ);

  // Voices open today and voices handled over the past year.
  const open = await eventually(
    () => get('/voices?pageSize=100'),
    (r) =>
      ['assigned', 'inProgress', 'resolved'].every((s) =>
        (r.body.items as { status: string }[]).some((v) => v.status === s),
      ),
  );
  expect(open.body.total).toBeGreaterThan(20);
  expect(
    await Voice.countDocuments({ compoundId: DEMO_COMPOUND, status: 'closed', satisfaction: 'satisfied' }),
  ).toBeGreaterThan(10);
  const wall = await request(app).get(`/api/v1/compounds/${DEMO_COMPOUND}/echo-wall?pageSize=100`);
  expect(wall.body.total).toBeGreaterThan(10);

  // Every month of the history had its consultation and coordination, held and on record.
  const held = await Meeting.find({ compoundId: DEMO_COMPOUND, status: 'closed' }).lean();
  for (const month of w.months) {
    for (const type of ['monthlyConsultation', 'periodicCoordination']) {
      const m = held.find((x) => x.type === type && x.period === month);
      expect({ month, type, held: m?.heldAt !== undefined }).toEqual({ month, type, held: true });
    }
  }
  const one = await get(`/meetings/monthly-consultation/${w.months.at(-1)!}`);
  expect(one.status).toBe(200);
  expect(one.body.held.minutes).toEqual(expect.any(String));

  // A council with votes, the 5030 arithmetic and a resolution that was carried out and verified.
  const councils = held.filter((m) => m.type === 'quarterlyDeliberation');
  expect(councils.length).toBeGreaterThanOrEqual(3);
  expect(await Vote.countDocuments({ meetingId: { $in: councils.map((c) => c._id) } })).toBeGreaterThan(0);
  const resolutions = await Rectification.find({ compoundId: DEMO_COMPOUND, kind: 'resolution' }).lean();
  expect(resolutions.length).toBeGreaterThan(0);
  expect(resolutions.every((r) => r.status === 'verified')).toBe(true);
  const council = await get(`/meetings/quarterly-deliberation/${councils[0]!.period}`);
  const results = Object.values(council.body.quarterly.results) as { arithmetic: string; passed: boolean }[];
  expect(results.some((r) => r.passed && /赞成 3\/4/.test(r.arithmetic))).toBe(true);

  // An order verified.
  expect(
    await Rectification.countDocuments({
      compoundId: DEMO_COMPOUND,
      kind: 'rectification',
      status: 'verified',
    }),
  ).toBeGreaterThan(0);

  // Last year's evaluation, published.
  const evaluations = await request(app).get(`/api/v1/public/compounds/${DEMO_COMPOUND}/evaluations`);
  expect(evaluations.status).toBe(200);
  expect(evaluations.body.items.map((e: { year: number }) => e.year)).toContain(w.evaluatedYear);
  expect(w.evaluatedYear).toBeLessThan(localParts(now, TZ).year);

  // The supervisory ledger: a year of entries, in an unbroken chain.
  const verified = await get('/ledger/verify');
  expect(verified.body).toMatchObject({ ok: true });
  expect(verified.body.entries).toBeGreaterThan(100);
  const first = await LedgerEntry.findOne({ compoundId: DEMO_COMPOUND }).sort({ seq: 1 }).lean();
  expect(first!.at.getTime()).toBeLessThan(w.end.getTime());

  // Rates with data: the last month of history.
  const rates = await get(`/rates?period=${w.months.at(-1)!}`);
  expect(rates.status).toBe(200);
  expect(rates.body.overall.voices).toBeGreaterThan(0);
  expect(rates.body.overall.meetings).toBeGreaterThan(0);
  const year = await get(`/rates?period=${w.months.at(-1)!.slice(0, 4)}`);
  expect(year.body.overall.responseRate).toBeGreaterThan(0);
}
