/**
 * The API where "now" matters, at a pinned instant (the date check runs this at a year end, a leap day,
 * the eve of a holiday…): intake deadlines in hours and in China's working days, the periods now under
 * way, the echo wall's current month — with the app's clock and the time-skipping server both there.
 */
import request from 'supertest';
import { createApp } from '../../api/app';
import { monthKey, quarterKey, localParts } from '../../domain/calendar';
import { DEFAULT_VOICE_SETTINGS } from '../../domain/voices';
import { addWorkingDays, describeUncovered } from '../../domain/working-days';
import { workCalendarFor } from '../../activities/work-calendar';
import { Compound } from '../../models/compound';
import { Voice } from '../../models/voice';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { makeCompound, makeUser, PASSWORD } from '../helpers/fixtures';
import { testNow } from '../helpers/clock';
import { JWT_SECRET, eventually } from '../helpers/app';

const TZ = 'Asia/Shanghai';
const pinned = testNow();
let stack: TimeSkippingStack;
let app: ReturnType<typeof createApp>;
let offset = 0;
const clock = () => new Date(Date.now() + offset);

beforeAll(async () => {
  stack = await startTimeSkippingStack('calendar-api', { startAt: pinned });
  // The server's clock runs on from the pinned instant; the app reads the same time.
  offset = Number(await stack.env.currentTimeMs()) - Date.now();
  const temporal = {
    client: async () => stack.env.client,
    taskQueue: stack.taskQueue,
    close: async () => {},
  };
  app = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal,
    clock,
    rateLimits: false,
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function signIn(compoundId: string, roles: Parameters<typeof makeUser>[1]) {
  const u = await makeUser(compoundId, roles);
  const res = await request(app)
    .post('/api/v1/auth/login')
    .send({ username: u.username, password: PASSWORD });
  return `Bearer ${res.body.token as string}`;
}

it(`at ${pinned.toISOString()}, a complaint is due 24 hours after intake and the current periods are this local month, quarter and year`, async () => {
  const c = await makeCompound();
  const resident = await signIn(c, ['resident']);
  const staff = await signIn(c, ['staff']);
  const sent = await request(app)
    .post(`/api/v1/compounds/${c}/voices`)
    .set('Authorization', resident)
    .send({ kind: 'complaint', text: '3号楼门口的垃圾三天没人清运了' });
  expect(sent.status).toBe(202);
  const v = await eventually(
    () => Voice.findById(sent.body.voice.id).lean(),
    (d) => d?.status === 'assigned',
  );
  expect(v!.acknowledgeBy!.getTime() - v!.createdAt.getTime()).toBe(24 * 3600_000);
  expect(Math.abs(v!.createdAt.getTime() - clock().getTime())).toBeLessThan(60_000);

  const cycles = await request(app).get(`/api/v1/compounds/${c}/cycles`).set('Authorization', staff);
  // Judged at the instant the answer was made (a pinned instant may sit a minute before a month's end).
  const now = new Date(cycles.body.now as string);
  expect(Math.abs(now.getTime() - clock().getTime())).toBeLessThan(60_000);
  const periods = Object.fromEntries(
    (cycles.body.current as { type: string; period: string }[]).map((x) => [x.type, x.period]),
  );
  expect(periods).toEqual({
    monthlyConsultation: monthKey(now, TZ),
    periodicCoordination: monthKey(now, TZ),
    quarterlyDeliberation: quarterKey(now, TZ),
    annualEvaluation: String(localParts(now, TZ).year),
  });

  const summary = await request(app).get(`/api/v1/compounds/${c}/echo-wall/summary?months=2`);
  const month = (summary.body.months as { month: string; raised: number }[]).find(
    (m) => m.month === monthKey(v!.createdAt, TZ),
  );
  expect(month?.raised).toBe(1);
});

it(`at ${pinned.toISOString()}, where the compound counts in working days, the deadline is the end of the Nth working day, and a year the holiday data does not cover is said`, async () => {
  const c = await makeCompound({
    voices: {
      ...DEFAULT_VOICE_SETTINGS,
      deadlines: {
        ...DEFAULT_VOICE_SETTINGS.deadlines,
        appeal: { acknowledgeHours: 24, resolveHours: 168, workingDays: { acknowledge: 1, resolve: 5 } },
      },
    },
  });
  const resident = await signIn(c, ['resident']);
  const sent = await request(app)
    .post(`/api/v1/compounds/${c}/voices`)
    .set('Authorization', resident)
    .send({ kind: 'appeal', text: '希望尽快修好5号楼的路灯' });
  expect(sent.status).toBe(202);
  const v = await eventually(
    () => Voice.findById(sent.body.voice.id).lean(),
    (d) => d?.status === 'assigned',
  );
  const compound = (await Compound.findById(c).lean())!;
  const year = localParts(v!.createdAt, TZ).year;
  const cal = workCalendarFor(compound, { from: year, to: year + 1 });
  const ack = addWorkingDays(v!.createdAt, 1, TZ, cal);
  const res = addWorkingDays(v!.createdAt, 5, TZ, cal);
  expect(v!.acknowledgeBy).toEqual(ack.at);
  expect(v!.resolveBy).toEqual(res.at);
  const note = describeUncovered(res.uncoveredYears.length ? res.uncoveredYears : ack.uncoveredYears);
  const message = v!.timeline.find((e) => e.type === 'assigned')!.message;
  if (note) expect(message).toContain(note);
  else expect(message).not.toContain('节假日数据未覆盖');
  // The answer to the resident says so too.
  expect(sent.body.calendarNote).toBe(describeUncovered(res.uncoveredYears));
});

it(`at ${pinned.toISOString()}, an extraordinary meeting must be planned after now, by the app's own clock`, async () => {
  const c = await makeCompound();
  const staff = await signIn(c, ['staff']);
  const past = new Date(clock().getTime() - 60_000).toISOString();
  const refused = await request(app)
    .post(`/api/v1/compounds/${c}/meetings`)
    .set('Authorization', staff)
    .send({ type: 'monthlyConsultation', reason: '临时', plannedAt: past });
  expect(refused.status).toBe(422);
  const soon = new Date(clock().getTime() + 3600_000).toISOString();
  const ok = await request(app)
    .post(`/api/v1/compounds/${c}/meetings`)
    .set('Authorization', staff)
    .send({ type: 'monthlyConsultation', reason: '临时', plannedAt: soon });
  expect(ok.status).toBe(201);
  expect(ok.body.period).toMatch(new RegExp(`^extra-${monthKey(clock(), TZ)}-`));
});
