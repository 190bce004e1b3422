/**
 * The year's record the annual evaluation rates (activities/meetings.ts compileAnnualRecord), on the real
 * database: voices count for the body that handled them, by the rates' own definitions, and complaints
 * count against the body they are about — a complaint about the self-management committee's service is
 * handled by the owners' committee but is on the committee's record.
 */
import { Types } from 'mongoose';
import { createMeetingActivities } from '../../activities/meetings';
import { zonedTime } from '../../domain/calendar';
import { Voice } from '../../models/voice';
import { markChanged } from '../../activities/projections';
import { connectTestDb } from '../helpers/db';
import { makeCompound } from '../helpers/fixtures';

let db: Awaited<ReturnType<typeof connectTestDb>>;
beforeAll(async () => {
  db = await connectTestDb();
});
afterAll(async () => {
  await db.drop();
});

const TZ = 'Asia/Shanghai';
const acts = createMeetingActivities();

async function voice(compoundId: string, fields: Record<string, unknown>) {
  const _id = new Types.ObjectId().toHexString();
  await Voice.create({
    _id,
    compoundId,
    kind: 'complaint',
    channel: 'online',
    text: '测试',
    submittedBy: 'r1',
    idempotencyKey: new Types.ObjectId().toHexString(),
    requestHash: 'x',
    ...fields,
  });
  await markChanged('voice', _id, compoundId, 0);
}

it('when the owners’ committee handled two complaints about the committee’s service, they count on its record as handler and against the committee as subject', async () => {
  const c = await makeCompound();
  const inYear = zonedTime(TZ, 2031, 5, 10);
  await voice(c, {
    category: 'serviceQuality',
    subject: 'selfManagementCommittee',
    assignee: 'ownersCommittee',
    status: 'closed',
    satisfaction: 'unsatisfied',
    respondedOnTime: true,
    createdAt: inYear,
  });
  await voice(c, {
    category: 'serviceQuality',
    subject: 'selfManagementCommittee',
    assignee: 'ownersCommittee',
    status: 'closed',
    satisfaction: 'satisfied',
    respondedOnTime: false,
    createdAt: inYear,
  });
  await voice(c, {
    category: 'sanitation',
    subject: 'selfManagementCommittee',
    assignee: 'selfManagementCommittee',
    status: 'closed',
    satisfaction: 'satisfied',
    respondedOnTime: true,
    createdAt: inYear,
  });
  // Outside the year (local time: 1 January 2032 00:00 Shanghai is still 2031 in UTC).
  await voice(c, {
    category: 'serviceQuality',
    subject: 'selfManagementCommittee',
    assignee: 'ownersCommittee',
    status: 'closed',
    createdAt: zonedTime(TZ, 2032, 1, 1, 0, 0),
  });

  const [owners, smc] = await acts.compileAnnualRecord({ compoundId: c, year: 2031, timeZone: TZ });

  expect(owners!.body).toBe('ownersCommittee');
  expect(owners!.voices).toEqual({
    total: 2,
    respondedOnTime: 1,
    resolved: 2,
    withFeedback: 2,
    satisfied: 1,
  });
  expect(owners!.complaintsAbout?.total).toBe(0);
  expect(smc!.body).toBe('selfManagementCommittee');
  expect(smc!.voices).toEqual({ total: 1, respondedOnTime: 1, resolved: 1, withFeedback: 1, satisfied: 1 });
  // Complaints about the committee: the two about its service (handled by the owners' committee) and the
  // one about its cleaning it handled itself.
  expect(smc!.complaintsAbout).toEqual({
    total: 3,
    respondedOnTime: 2,
    resolved: 3,
    withFeedback: 3,
    satisfied: 2,
  });
});

it('when a voice was answered on time by the rates’ definition, the record counts it as responded — whatever its timeline says', async () => {
  const c = await makeCompound();
  const at = zonedTime(TZ, 2031, 3, 1);
  // respondedOnTime is what the workflow decided; the record no longer reads words in timeline messages.
  await voice(c, {
    category: 'sanitation',
    assignee: 'selfManagementCommittee',
    status: 'inProgress',
    respondedOnTime: true,
    createdAt: at,
    timeline: [{ eventId: 'e1', type: 'escalated', at, message: '逾期未接单，已升级' }],
  });
  const [, smc] = await acts.compileAnnualRecord({ compoundId: c, year: 2031, timeZone: TZ });
  expect(smc!.voices.respondedOnTime).toBe(1);
  expect(smc!.voices.resolved).toBe(0);
});
