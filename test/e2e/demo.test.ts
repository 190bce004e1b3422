/**
 * The demo `npm start` seeds, on the real stack: a year of history lived through by the real workflows
 * on the time-skipping server, then today's open voices on the dev server. Its people sign in and find a
 * living compound; seeding again changes nothing.
 */
import { DEMO_COMPOUND, seedDemo } from '../../scripts/seed-demo';
import { toolPath } from '../../scripts/servers';
import { User } from '../../models/user';
import { Voice } from '../../models/voice';
import { LedgerEntry } from '../../models/ledger-entry';
import { startStack } from '../helpers/app';
import { workflowBundle } from '../helpers/temporal';
import { expectLivingDemo } from '../helpers/demo-checks';

let stack: Awaited<ReturnType<typeof startStack>>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

it('when the demo is seeded on any day, staff find open and handled voices, a past year of meetings, a council, a verified order, last year’s evaluation, a verified ledger and rates', async () => {
  const now = new Date();
  const history = { testServerPath: toolPath('temporal-test-server'), workflowBundle: workflowBundle() };
  expect(await seedDemo(stack.temporal, () => undefined, { now, history })).toBe(true);

  await expectLivingDemo(stack.app, now);
  expect(await User.countDocuments({ 'memberships.compoundId': DEMO_COMPOUND })).toBe(9);

  // Seeding again changes nothing.
  const voices = await Voice.countDocuments({ compoundId: DEMO_COMPOUND });
  const entries = await LedgerEntry.countDocuments({ compoundId: DEMO_COMPOUND });
  expect(await seedDemo(stack.temporal, () => undefined, { now, history })).toBe(false);
  expect(await Voice.countDocuments({ compoundId: DEMO_COMPOUND })).toBe(voices);
  expect(await LedgerEntry.countDocuments({ compoundId: DEMO_COMPOUND })).toBe(entries);
}, 300_000);
