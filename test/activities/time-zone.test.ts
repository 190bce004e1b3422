/**
 * DEFAULT_TIME_ZONE is honoured: compounds that name no zone of their own take the deployment's, and
 * month, quarter and year boundaries and the working calendar follow the compound's zone.
 */
import { loadConfig } from '../../config';
import { Compound, setDefaultTimeZone, timeZoneOf } from '../../models/compound';
import { createMeetingActivities } from '../../activities/meetings';
import { connectTestDb } from '../helpers/db';

let db: Awaited<ReturnType<typeof connectTestDb>>;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  setDefaultTimeZone('Asia/Shanghai');
  await db.drop();
});

it('when DEFAULT_TIME_ZONE names another zone, a compound created without one keeps that zone, and one with its own keeps its own', async () => {
  const config = loadConfig({ DEFAULT_TIME_ZONE: 'Asia/Urumqi' });
  setDefaultTimeZone(config.defaultTimeZone);
  await Compound.create({ _id: 'tz-default', name: '新疆小区', communityId: 'c1' });
  await Compound.create({ _id: 'tz-own', name: '纽约小区', communityId: 'c1', timeZone: 'America/New_York' });

  expect(timeZoneOf(await Compound.findById('tz-default').lean())).toBe('Asia/Urumqi');
  expect(timeZoneOf(await Compound.findById('tz-own').lean())).toBe('America/New_York');
  expect(timeZoneOf({})).toBe('Asia/Urumqi');

  // The activities hand workflows the compound's zone and the calendar of the years around the instant.
  const { timeZone, meetings } = await createMeetingActivities().loadCompoundSettings(
    'tz-default',
    '2026-09-30T16:00:00Z',
  );
  expect(timeZone).toBe('Asia/Urumqi');
  expect(meetings.calendar?.holidays).toContain('2026-10-01');
  expect(meetings.calendar?.coveredYears).toEqual({ from: 2025, to: 2026 });
});

it('when DEFAULT_TIME_ZONE is not a zone, the configuration is refused at start-up', () => {
  expect(() => loadConfig({ DEFAULT_TIME_ZONE: 'Mars/Olympus' })).toThrow(/DEFAULT_TIME_ZONE/);
});
