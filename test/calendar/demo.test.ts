/**
 * The demo at a pinned instant (the date check runs this at a year end, a leap day, a holiday eve…):
 * its past year is lived through before that instant, and today's open voices run on a time-skipping
 * server that starts there — so the demo is a living compound whatever day `npm start` first runs.
 */
import { createApp } from '../../api/app';
import { DEMO_COMPOUND, seedDemo } from '../../scripts/seed-demo';
import { toolPath } from '../../scripts/servers';
import { Voice } from '../../models/voice';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';
import { workflowBundle } from '../helpers/temporal';
import { expectLivingDemo } from '../helpers/demo-checks';
import { testNow } from '../helpers/clock';
import { JWT_SECRET } from '../helpers/app';

const now = testNow();
let stack: TimeSkippingStack;
beforeAll(async () => {
  stack = await startTimeSkippingStack('demo-live', { startAt: now });
});
afterAll(async () => {
  await stack?.stop();
});

it(`when the demo is first seeded at ${now.toISOString()}, it shows a living compound with a finished past year`, async () => {
  const temporal = {
    client: async () => stack.env.client,
    taskQueue: stack.taskQueue,
    close: async () => {},
  };
  const history = { testServerPath: toolPath('temporal-test-server'), workflowBundle: workflowBundle() };
  expect(await seedDemo(temporal, () => undefined, { now, history })).toBe(true);

  const app = createApp({
    config: { jwtSecret: JWT_SECRET, tokenTtlSeconds: 3600 },
    temporal,
    clock: () => now,
    rateLimits: false,
  });
  await expectLivingDemo(app, now);
  // Nothing of the past is left open: what is open was raised today.
  const open = await Voice.find({
    compoundId: DEMO_COMPOUND,
    status: { $nin: ['closed', 'published'] },
  }).lean();
  expect(open.length).toBe(3);
  expect(open.every((v) => v.createdAt.getTime() === now.getTime())).toBe(true);
}, 300_000);
