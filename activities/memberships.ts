/** What a term's workflow writes: its membership's status, and with it the holder's roles. */
import type { EndReason } from '../domain/memberships';
import { BodyMembership } from '../models/body-membership';
import { syncRoles } from '../services/roles';

export function createMembershipActivities() {
  return {
    async setMembershipStatus(s: {
      membershipId: string;
      status: 'current' | 'ended';
      endedAt?: string;
      endReason?: EndReason;
      note?: string;
      resolutionOrderId?: string;
    }): Promise<void> {
      const m = await BodyMembership.findById(s.membershipId, { userId: 1 }).lean();
      if (!m) throw new Error(`membership ${s.membershipId} is not on record`);
      await BodyMembership.updateOne(
        { _id: s.membershipId },
        {
          $set: {
            status: s.status,
            ...(s.endedAt ? { endedAt: new Date(s.endedAt) } : {}),
            ...(s.endReason ? { endReason: s.endReason } : {}),
            ...(s.note ? { endNote: s.note } : {}),
            ...(s.resolutionOrderId ? { endResolutionOrderId: s.resolutionOrderId } : {}),
          },
        },
      );
      await syncRoles(m.userId);
    },
  };
}
