/**
 * 排查摸清…及时沟通联系: a party member registered in the compound is to be found and linked to the
 * branch. The branch records contact by a deadline and is reminded before it; a deadline missed
 * climbs to the community staff and the party organisation, and is filed. Once contacted, the branch
 * links the member (纳入管理, optionally to a joint party committee unit), and the process ends; a
 * withdrawn registration ends it too. In-service members report to the community (在职党员报到).
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  PARTY_LEDGER_SUMMARIES,
  PARTY_MEMBER_LIMITS,
  PARTY_MEMBER_TYPE_LABELS,
  contactEscalationDue,
  contactEscalationTo,
  contactLadderClimbed,
  mayLink,
  mayRecordContact,
  mayWithdraw,
  nextContactReminder,
} from '../domain/party-members';
import { formatLocal } from '../domain/calendar';
import { refuse } from './contract';
import { acts, iso, recorder, type MatterRecord } from './matter-record';
import {
  linkPartyMemberUpdate,
  partyMemberStatusQuery,
  recordContactUpdate,
  reportInServiceUpdate,
  withdrawPartyMemberUpdate,
  type FindAndLinkInput,
  type FindAndLinkState,
} from './find-and-link-contract';

class Registration {
  readonly state: FindAndLinkState;
  readonly rec: MatterRecord;
  version = 0;
  constructor(readonly input: FindAndLinkInput) {
    this.state = {
      partyMemberId: input.partyMemberId,
      compoundId: input.compoundId,
      status: 'toFind',
      escalationLevel: 0,
      contactDeadline: input.contactDeadline,
      contacts: [],
      remindersSent: [],
      rev: 0,
    };
    // Filed under the registration's id, with no person named: the ledger is published to every owner.
    this.rec = recorder(input.compoundId, input.partyMemberId, 'partyMember', ['partyBranch']);
  }
  /** One change: the revision moves, the read model follows, the main loop wakes. */
  async commit(): Promise<FindAndLinkState> {
    this.state.rev++;
    this.version++;
    await acts.savePartyMember({ ...this.state, contacts: [...this.state.contacts] });
    return this.state;
  }
  done(): boolean {
    return this.state.status === 'linked' || this.state.status === 'withdrawn';
  }
  notice(what: string): [string, string] {
    const who = `${PARTY_MEMBER_TYPE_LABELS[this.input.type]}（${this.input.partyGroup}）`;
    return [`党员排查联系：${what}`, `登记的一名${who}${what}，请在系统中查看并记录联系情况。`];
  }
}

function registerHandlers(r: Registration): void {
  const { state } = r;
  setHandler(partyMemberStatusQuery, () => state);
  setHandler(
    recordContactUpdate,
    async ({ actor, at, method, note }) => {
      const eventId = `${state.partyMemberId}:contact:${state.contacts.length + 1}`;
      state.contacts.push({ eventId, byUserId: actor.userId, byName: actor.name, at, method, note });
      state.status = 'contacted';
      const s = await r.commit();
      await r.rec.file('contacted', PARTY_LEDGER_SUMMARIES.contacted(method), undefined, { method, at });
      return s;
    },
    {
      validator: ({ at }) => {
        if (!mayRecordContact(state.status)) refuse('conflict', '该登记已纳入管理或已撤销，不能再记录联系');
        if (state.contacts.length >= PARTY_MEMBER_LIMITS.contacts)
          refuse('conflict', `联系记录最多 ${PARTY_MEMBER_LIMITS.contacts} 条`);
        if (Date.parse(at) > Date.now()) refuse('invalid', '联系时间不能晚于现在');
      },
    },
  );
  setHandler(
    linkPartyMemberUpdate,
    async ({ jointPartyUnitId }: { jointPartyUnitId?: string }) => {
      state.status = 'linked';
      state.linkedAt = iso(Date.now());
      if (jointPartyUnitId) state.jointPartyUnitId = jointPartyUnitId;
      const s = await r.commit();
      await r.rec.file('linked', PARTY_LEDGER_SUMMARIES.linked(), undefined, { jointPartyUnitId });
      return s;
    },
    {
      validator: (_u: unknown) =>
        void (mayLink(state.status) || refuse('conflict', '请先记录联系，再纳入管理')),
    },
  );
  setHandler(
    reportInServiceUpdate,
    async ({ at }: { at: string }) => {
      state.reportedAt = at;
      const s = await r.commit();
      await r.rec.file('reported', PARTY_LEDGER_SUMMARIES.reported());
      return s;
    },
    {
      validator: (_u: unknown) => {
        if (r.input.type !== 'inService') refuse('conflict', '只有在职党员到社区报到');
        if (state.reportedAt) refuse('conflict', '已经报到过了');
        if (state.status === 'withdrawn') refuse('conflict', '该登记已撤销');
      },
    },
  );
  setHandler(
    withdrawPartyMemberUpdate,
    async (_u: { reason: string }) => {
      state.status = 'withdrawn';
      state.withdrawnAt = iso(Date.now());
      const s = await r.commit();
      await r.rec.file('withdrawn', PARTY_LEDGER_SUMMARIES.withdrawn());
      return s;
    },
    { validator: (_u: unknown) => void (mayWithdraw(state.status) || refuse('conflict', '该登记已撤销')) },
  );
}

/** One rung up: flagged, saved, filed, and told to the bodies above the branch. */
async function escalate(r: Registration): Promise<void> {
  const { state } = r;
  state.escalationLevel++;
  if (state.status === 'toFind') state.status = 'escalated';
  await r.commit();
  const level = state.escalationLevel;
  await r.rec.file('escalated', PARTY_LEDGER_SUMMARIES.escalated(level));
  await r.rec.notify(contactEscalationTo(level), `escalated:${level}`, ...r.notice('逾期未联系'));
}

export async function findAndLink(input: FindAndLinkInput): Promise<FindAndLinkState> {
  const r = new Registration(input);
  const { state } = r;
  registerHandlers(r);
  await r.commit();
  await r.rec.file('registered', PARTY_LEDGER_SUMMARIES.registered(input.type), undefined, {
    type: input.type,
    contactDeadline: input.contactDeadline,
  });
  const deadline = new Date(input.contactDeadline);
  await r.rec.notify(
    ['partyBranch'],
    'registered',
    ...r.notice(`待排查联系，期限 ${formatLocal(deadline, input.timeZone)}`),
  );

  while (!r.done()) {
    const v = r.version;
    const changed = () => r.version !== v;
    // Contacted (or escalated past the top): nothing is due until the branch acts.
    if (state.status === 'contacted' || contactLadderClimbed(state.escalationLevel)) {
      await condition(changed);
      continue;
    }
    const sent = (at: Date) => state.remindersSent.includes(at.toISOString());
    const next = nextContactReminder(
      deadline,
      state.escalationLevel,
      input.settings,
      new Date(Date.now()),
      sent,
    );
    if (next) {
      if (await condition(changed, Math.max(1, next.at.getTime() - Date.now()))) continue;
      state.remindersSent.push(next.at.toISOString());
      await r.rec.notify(
        ['partyBranch'],
        `reminder:${next.at.toISOString()}`,
        ...r.notice(`联系期限还有 ${next.daysBefore} 天`),
      );
      continue;
    }
    const due = contactEscalationDue(deadline, state.escalationLevel, input.settings).getTime();
    if (await condition(changed, Math.max(1, due - Date.now()))) continue;
    await escalate(r);
  }
  await condition(allHandlersFinished);
  return state;
}
