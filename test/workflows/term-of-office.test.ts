/**
 * A term of office on the time-skipping server, with the real activities: taken up at its start, the
 * office reminded 30 days before its end, lapsed at the end (the holder's role gone), or ended early by a
 * dismissal; each formation event in the ledger.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { BodyMembership } from '../../models/body-membership';
import { LedgerEntry } from '../../models/ledger-entry';
import { User } from '../../models/user';
import type { NotificationInput } from '../../activities/notifications';
import { syncRoles } from '../../services/roles';
import {
  endTermUpdate,
  termStatusQuery,
  termWorkflowId,
  type TermInput,
} from '../../workflows/term-contract';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';

const DAY = 86_400_000;
let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
beforeAll(async () => {
  stack = await startTimeSkippingStack('term');
  ({ env, sent } = stack);
});
afterAll(() => stack?.stop());

const now = async () => Number(await env.currentTimeMs());

/** As services/memberships.ts does: the record first, then its term's workflow. */
async function startTerm(c: string, userId: string, startInDays: number, endInDays: number) {
  const t = await now();
  const membershipId = `m${Math.random().toString(16).slice(2, 10).padEnd(16, '0')}`;
  const termStart = new Date(t + startInDays * DAY);
  const termEnd = new Date(t + endInDays * DAY);
  await BodyMembership.create({
    _id: membershipId,
    compoundId: c,
    userId,
    name: '刘大爷',
    body: 'supervisoryBoard',
    position: 'member',
    termStart,
    termEnd,
    basis: { kind: 'appointed', by: 'partyOrganization' },
    status: startInDays > 0 ? 'upcoming' : 'current',
  });
  await syncRoles(userId);
  const input: TermInput = {
    membershipId,
    compoundId: c,
    userId,
    name: '刘大爷',
    body: 'supervisoryBoard',
    position: 'member',
    termStart: termStart.toISOString(),
    termEnd: termEnd.toISOString(),
    event: 'appointed',
    content: { basis: { kind: 'appointed' } },
  };
  const handle = await env.client.workflow.start('termOfOffice', {
    workflowId: termWorkflowId(membershipId),
    taskQueue: stack.taskQueue,
    args: [input],
  });
  return { membershipId, handle };
}

const rolesOf = async (userId: string, c: string) =>
  (await User.findById(userId).lean())?.memberships.find((m) => m.compoundId === c)?.roles ?? [];
const events = async (membershipId: string) =>
  (await LedgerEntry.find({ matterId: membershipId }).sort({ seq: 1 }).lean()).map((e) => e.event);

it('when a term begins in the future, it is upcoming until its start, reminds staff 30 days before its end and lapses at its end, taking the role with it', async () => {
  const c = await makeCompound();
  const holder = await makeUser(c, ['resident'], '刘大爷');
  const { membershipId, handle } = await startTerm(c, holder.id, 10, 100);
  expect((await handle.query(termStatusQuery)).status).toBe('upcoming');
  expect(await rolesOf(holder.id, c)).not.toContain('supervisoryBoard');

  await env.sleep(11 * DAY);
  expect((await handle.query(termStatusQuery)).status).toBe('current');
  expect((await BodyMembership.findById(membershipId).lean())?.status).toBe('current');
  expect(await rolesOf(holder.id, c)).toContain('supervisoryBoard');
  expect(sent.filter((n) => n.key === `${membershipId}:term-ending:staff`)).toHaveLength(0);

  await env.sleep(60 * DAY); // day 71: the reminder was due on day 70
  const reminders = sent.filter((n) => n.key === `${membershipId}:term-ending:staff`);
  expect(reminders).toHaveLength(1);
  expect(reminders[0]).toMatchObject({ to: { role: 'staff' } });
  expect(reminders[0]!.body).toContain('30 天后');
  expect((await handle.query(termStatusQuery)).status).toBe('current');

  await env.sleep(30 * DAY);
  const final = await handle.result();
  expect(final).toMatchObject({ status: 'ended', endReason: 'termEnded', reminded: true });
  expect(await BodyMembership.findById(membershipId).lean()).toMatchObject({
    status: 'ended',
    endReason: 'termEnded',
  });
  expect(await rolesOf(holder.id, c)).toEqual(['resident']);
  expect(await events(membershipId)).toEqual(['appointed', 'termEnded']);
});

it('when a member is dismissed mid-term, the term ends at once with the reason, the note and who ended it filed', async () => {
  const c = await makeCompound();
  const holder = await makeUser(c, ['resident'], '刘大爷');
  const { membershipId, handle } = await startTerm(c, holder.id, 0, 365);
  await env.sleep(DAY);
  expect(await rolesOf(holder.id, c)).toContain('supervisoryBoard');
  const actor = { userId: 'u-branch', name: '张书记', roles: ['partyBranch' as const] };
  const ended = await handle.executeUpdate(endTermUpdate, {
    args: [{ reason: 'dismissed', note: '长期不履职', actor }],
  });
  expect(ended).toMatchObject({ status: 'ended', endReason: 'dismissed' });
  await handle.result(); // the filing follows the answer
  expect(await BodyMembership.findById(membershipId).lean()).toMatchObject({
    status: 'ended',
    endReason: 'dismissed',
    endNote: '长期不履职',
  });
  expect(await rolesOf(holder.id, c)).toEqual(['resident']);
  expect(await events(membershipId)).toEqual(['appointed', 'dismissed']);
  const last = await LedgerEntry.findOne({ matterId: membershipId, event: 'dismissed' }).lean();
  expect(last?.actor).toMatchObject({ name: '张书记' });
  expect(sent.some((n) => n.key.startsWith(`${membershipId}:term-ending`))).toBe(false);
});

it('when a term already under way is registered with 40 days left, staff are reminded 10 days later and it lapses on its last day', async () => {
  const c = await makeCompound();
  const holder = await makeUser(c, ['resident'], '刘大爷');
  const { membershipId, handle } = await startTerm(c, holder.id, -300, 40);
  await env.sleep(DAY);
  expect((await handle.query(termStatusQuery)).status).toBe('current');
  expect(sent.some((n) => n.key === `${membershipId}:term-ending:staff`)).toBe(false);
  await env.sleep(10 * DAY);
  expect(sent.filter((n) => n.key === `${membershipId}:term-ending:staff`)).toHaveLength(1);
  await env.sleep(30 * DAY);
  expect(await handle.result()).toMatchObject({ status: 'ended', endReason: 'termEnded' });
  expect(await rolesOf(holder.id, c)).toEqual(['resident']);
});
