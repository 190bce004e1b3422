/** A person's standing as a party member of the compound (离退休 / 流动 / 在职), or undefined. */
import { User } from '../models/user';

export async function partyStandingOf(
  _compoundId: string,
  userId: string,
): Promise<'retired' | 'mobile' | 'inService' | undefined> {
  const u = await User.findById(userId, { partyMember: 1 }).lean();
  return u?.partyMember ?? undefined;
}
