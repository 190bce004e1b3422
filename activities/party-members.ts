import { PartyMember } from '../models/party-member';
import type { FindAndLinkState } from '../workflows/find-and-link-contract';

/** The find-and-link workflow's writes of its registration's read model (it is the only writer). */
export function createPartyMemberActivities() {
  return {
    /**
     * Writes the workflow's state as revision `rev` of the registration. A compare-and-set on the
     * revision makes a retried or overtaken save a no-op. A withdrawn registration gives up its natural
     * key, so the person can be registered again.
     */
    async savePartyMember(s: FindAndLinkState): Promise<void> {
      const set: Record<string, unknown> = {
        rev: s.rev,
        status: s.status,
        escalationLevel: s.escalationLevel,
        contactDeadline: new Date(s.contactDeadline),
        contacts: s.contacts.map((c) => ({ ...c, at: new Date(c.at) })),
      };
      if (s.jointPartyUnitId) set.jointPartyUnitId = s.jointPartyUnitId;
      if (s.reportedAt) set.reportedAt = new Date(s.reportedAt);
      if (s.linkedAt) set.linkedAt = new Date(s.linkedAt);
      if (s.withdrawnAt) {
        set.withdrawnAt = new Date(s.withdrawnAt);
        set.naturalKey = `withdrawn:${s.partyMemberId}`;
      }
      const { matchedCount } = await PartyMember.updateOne(
        { _id: s.partyMemberId, rev: { $lt: s.rev } },
        { $set: set },
      );
      if (matchedCount === 0 && !(await PartyMember.exists({ _id: s.partyMemberId })))
        throw new Error(`党员登记 ${s.partyMemberId} 的记录不存在，无法保存`);
    },
  };
}
