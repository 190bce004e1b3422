/**
 * A person's standing as a party member of the compound (离退休 / 流动 / 在职), from the registry (a live,
 * not withdrawn, registration), or undefined.
 */
import type { PartyMemberType } from '../domain/party-members';
import { PartyMember } from '../models/party-member';

export async function partyStandingOf(
  compoundId: string,
  userId: string,
): Promise<PartyMemberType | undefined> {
  const m = await PartyMember.findOne(
    { compoundId, naturalKey: `user:${userId}` },
    { type: 1, status: 1 },
  ).lean();
  return m && m.status !== 'withdrawn' ? (m.type as PartyMemberType) : undefined;
}
