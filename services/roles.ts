/**
 * The roles a person holds, from the records that give them and from nothing else: current memberships of
 * the bodies (terms kept by their workflows), a home in the compound or an approved registration
 * (resident), and the deployment's administrators ('*'). `User.memberships` is their copy for sign-in
 * checks, rewritten whole from those records.
 */
import { rolesFrom, type MembershipBody } from '../domain/memberships';
import type { Role } from '../domain/roles';
import { BodyMembership } from '../models/body-membership';
import { Registration } from '../models/registration';
import { Residence } from '../models/residence';
import { User } from '../models/user';

async function rolesOf(userId: string, keep: { compoundId: string; roles: Role[] }[]) {
  const [memberships, homes, registrations] = await Promise.all([
    BodyMembership.find({ userId, status: 'current' }, { compoundId: 1, body: 1 }).lean(),
    Residence.find({ userId, endedAt: { $exists: false } }, { compoundId: 1 }).lean(),
    Registration.find({ userId, status: 'approved' }, { compoundId: 1 }).lean(),
  ]);
  const compounds = new Set<string>([
    ...memberships.map((m) => m.compoundId),
    ...homes.map((h) => h.compoundId),
    ...registrations.map((r) => r.compoundId),
  ]);
  const kept = new Map(keep.map((k) => [k.compoundId, k.roles]));
  for (const k of keep) compounds.add(k.compoundId);
  return [...compounds].sort().map((compoundId) => ({
    compoundId,
    roles: [
      ...new Set([
        ...(kept.get(compoundId) ?? []),
        ...rolesFrom(
          memberships
            .filter((m) => m.compoundId === compoundId)
            .map((m) => ({ body: m.body as MembershipBody })),
          homes.some((h) => h.compoundId === compoundId) ||
            registrations.some((r) => r.compoundId === compoundId),
        ),
      ]),
    ].sort(),
  }));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Rewrites a person's roles from their records. Two writers (API and worker) may race: each writes what it
 * read, then reads again, and writes once more if the records changed meanwhile — the last pass wins with
 * what is true.
 */
export async function syncRoles(userId: string): Promise<{ compoundId: string; roles: Role[] }[]> {
  for (let pass = 0; pass < 5; pass++) {
    const user = await User.findById(userId, { memberships: 1 }).lean();
    if (!user) return [];
    // Administration is the account's own (made by `npm run admin`: '*', or one compound), not a body's.
    const keep = user.memberships
      .filter((m) => m.roles.includes('admin'))
      .map((m) => ({ compoundId: m.compoundId, roles: ['admin' as Role] }));
    const next = await rolesOf(userId, keep);
    const current = user.memberships.map((m) => ({ compoundId: m.compoundId, roles: [...m.roles] }));
    if (same(current, next)) return next;
    await User.updateOne({ _id: userId }, { $set: { memberships: next } });
  }
  return (await User.findById(userId, { memberships: 1 }).lean())?.memberships as never;
}
