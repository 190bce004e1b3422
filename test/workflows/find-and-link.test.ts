/** The find-and-link process on the time-skipping server, with the real activities. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NotificationInput } from '../../activities/notifications';
import { DEFAULT_PARTY_MEMBER_SETTINGS, findAndLinkWorkflowId } from '../../domain/party-members';
import { LedgerEntry } from '../../models/ledger-entry';
import { PartyMember } from '../../models/party-member';
import type { Actor } from '../../workflows/contract';
import {
  linkPartyMemberUpdate,
  partyMemberStatusQuery,
  recordContactUpdate,
} from '../../workflows/find-and-link-contract';
import { makeCompound } from '../helpers/fixtures';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/time-skipping';

const DAY = 86_400_000;
const branch: Actor = { userId: 'u-branch', name: '李书记', roles: ['partyBranch'] };

let stack: TimeSkippingStack;
let env: TestWorkflowEnvironment;
let sent: NotificationInput[];
let taskQueue: string;

beforeAll(async () => {
  stack = await startTimeSkippingStack('fal');
  ({ env, sent, taskQueue } = stack);
});
afterAll(async () => {
  await stack?.stop();
});

const now = async () => Number(await env.currentTimeMs());

async function register(compoundId: string, days = 7) {
  const partyMemberId = `pm${Math.random().toString(16).slice(2, 10)}`;
  const t = await now();
  await PartyMember.create({
    _id: partyMemberId,
    compoundId,
    name: '王建国',
    phone: '13912345678',
    naturalKey: `phone:${partyMemberId}`,
    type: 'retired',
    partyGroup: '第一党小组',
    relationLocation: '盐池县老干局',
    status: 'toFind',
    contactDeadline: new Date(t + days * DAY),
    workflowId: findAndLinkWorkflowId(compoundId, partyMemberId),
  });
  const handle = await env.client.workflow.start('findAndLink', {
    workflowId: findAndLinkWorkflowId(compoundId, partyMemberId),
    taskQueue,
    args: [
      {
        partyMemberId,
        compoundId,
        type: 'retired',
        partyGroup: '第一党小组',
        registeredAt: new Date(t).toISOString(),
        timeZone: 'Asia/Shanghai',
        contactDeadline: new Date(t + days * DAY).toISOString(),
        settings: { ...DEFAULT_PARTY_MEMBER_SETTINGS, workingDays: false },
      },
    ],
  });
  return { partyMemberId, handle };
}

describe('find and link a party member', () => {
  it('reminds the branch two days before the contact deadline, and does not escalate before it', async () => {
    const c = await makeCompound();
    const { partyMemberId, handle } = await register(c);
    await env.sleep(5 * DAY + 3_600_000);
    const mine = sent.filter((n) => n.key.startsWith(`${partyMemberId}:`));
    expect(mine.filter((n) => n.key.includes(':reminder:')).map((n) => n.to.role)).toEqual(['partyBranch']);
    expect(mine.some((n) => n.key.includes(':escalated:'))).toBe(false);
    expect((await handle.query(partyMemberStatusQuery)).status).toBe('toFind');
    await handle.terminate('test over');
  });

  it('escalates to the branch and staff, filed, when contact is not recorded by the deadline', async () => {
    const c = await makeCompound();
    const { partyMemberId, handle } = await register(c);
    await env.sleep(7 * DAY + 3_600_000);
    const state = await handle.query(partyMemberStatusQuery);
    expect(state).toMatchObject({ status: 'escalated', escalationLevel: 1 });
    const escalated = sent.filter((n) => n.key.startsWith(`${partyMemberId}:escalated:1`));
    expect(escalated.map((n) => n.to.role).sort()).toEqual(['partyBranch', 'staff']);
    const entries = await LedgerEntry.find({ matterId: partyMemberId }).sort({ seq: 1 }).lean();
    expect(entries.map((e) => e.event)).toEqual(['registered', 'escalated']);
    // The published record names no person.
    expect(JSON.stringify(entries)).not.toMatch(/王建国|13912345678/);
    expect((await PartyMember.findById(partyMemberId).lean())?.status).toBe('escalated');
    await handle.terminate('test over');
  });

  it('ends once contact is recorded and the member linked, the read model following', async () => {
    const c = await makeCompound();
    const { partyMemberId, handle } = await register(c);
    await env.sleep(DAY);
    const at = new Date((await now()) - 3_600_000).toISOString();
    await handle.executeUpdate(recordContactUpdate, { args: [{ actor: branch, at, method: 'visit' }] });
    const linked = await handle.executeUpdate(linkPartyMemberUpdate, { args: [{ actor: branch }] });
    expect(linked.status).toBe('linked');
    const result = await handle.result();
    expect(result.contacts).toHaveLength(1);
    const doc = await PartyMember.findById(partyMemberId).lean();
    expect(doc).toMatchObject({ status: 'linked', rev: result.rev });
    expect(doc?.contacts[0]?.byName).toBe('李书记');
    await env.sleep(10 * DAY);
    expect(sent.some((n) => n.key.startsWith(`${partyMemberId}:escalated`))).toBe(false);
  });
});
