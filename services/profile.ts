/**
 * A person's own data, as they see and correct it (我的资料): name, phone, ID number, the rooms they live in
 * and their roles per compound. A new phone is proven by a one-time code sent to it.
 */
import { DomainError } from '../domain/errors';
import { RELATION_LABELS, maskIdNumber } from '../domain/people';
import { ROLE_LABELS, isRole, type Role } from '../domain/roles';
import { Compound } from '../models/compound';
import { Residence } from '../models/residence';
import { Room } from '../models/room';
import { User } from '../models/user';
import { auditInCompounds, recordChange } from './audit';
import { checkOneTimeCode, sendOneTimeCode, type OneTimeCodeSender } from './one-time-codes';

/** At most this many rooms in a profile (a person lives in a few), and compounds (an administrator's all). */
const MAX_ROOMS_LISTED = 100;
const MAX_COMPOUNDS_LISTED = 1000;

async function loadSelf(userId: string) {
  const u = await User.findById(userId).select('+idNumber').lean();
  if (!u) throw new DomainError('not_found', '没有这个用户');
  return u;
}

export async function myProfile(userId: string) {
  const u = await loadSelf(userId);
  const everywhere = u.memberships.some((m) => m.compoundId === '*');
  const ids = everywhere
    ? (await Compound.find({}, { _id: 1 }).limit(MAX_COMPOUNDS_LISTED).lean()).map((c) => c._id)
    : u.memberships.map((m) => m.compoundId);
  const compounds = await Compound.find({ _id: { $in: ids } }, { name: 1 }).lean();
  const rolesIn = (compoundId: string) => {
    const roles = new Set<Role>();
    for (const m of u.memberships)
      if (m.compoundId === compoundId || m.compoundId === '*')
        m.roles.filter(isRole).forEach((r) => roles.add(r));
    return [...roles];
  };
  const homes = await Residence.find({ userId, endedAt: { $exists: false } })
    .limit(MAX_ROOMS_LISTED)
    .lean();
  const rooms = await Room.find({ _id: { $in: homes.map((h) => h.roomId) } }).lean();
  const homeCompounds = await Compound.find(
    { _id: { $in: [...new Set(homes.map((h) => h.compoundId))] } },
    { name: 1, buildings: 1 },
  ).lean();
  return {
    id: u._id,
    username: u.username,
    name: u.name,
    // Their own phone in full; their ID number masked even to them (a screen is read over shoulders).
    phone: u.phone ?? undefined,
    idNumber: u.idNumber ? maskIdNumber(u.idNumber) : undefined,
    compounds: compounds.map((c) => {
      const roles = rolesIn(c._id);
      return { id: c._id, name: c.name, roles, roleLabels: roles.map((x) => ROLE_LABELS[x]) };
    }),
    rooms: homes.map((h) => {
      const room = rooms.find((r) => r._id === h.roomId);
      const compound = homeCompounds.find((c) => c._id === h.compoundId);
      const building = compound?.buildings.find((b) => b._id === h.buildingId);
      return {
        compoundId: h.compoundId,
        compoundName: compound?.name ?? '',
        roomId: h.roomId,
        buildingId: h.buildingId,
        buildingName: building?.name ?? '',
        number: room?.number ?? '',
        relation: h.relation,
        relationLabel: RELATION_LABELS[h.relation],
      };
    }),
  };
}

/** A phone someone else signs in with is not free to take. */
async function refuseTakenPhone(userId: string, phone: string, field: string) {
  if (await User.exists({ username: phone, _id: { $ne: userId } }))
    throw new DomainError('conflict', '该手机号已被其他账号使用', { field });
}

/** Sends a one-time code to the phone the person wants to change to. */
export async function sendPhoneChangeCode(sender: OneTimeCodeSender, userId: string, phone: string) {
  const u = await loadSelf(userId);
  if (u.phone === phone)
    throw new DomainError('unprocessable', '这就是您现在的手机号', { field: 'body.phone' });
  await refuseTakenPhone(userId, phone, 'body.phone');
  return sendOneTimeCode(sender, phone);
}

/**
 * The person's own corrections: name, ID number, and a phone proven by the code sent to it. A user name
 * that was the old phone becomes the new one (they sign in with their phone). Nothing is written unless
 * every part is right; the code is spent last.
 */
export async function correctOwnData(
  userId: string,
  input: { name?: string; phone?: string; code?: string; idNumber?: string | null },
) {
  const u = await loadSelf(userId);
  const set: Record<string, string> = {};
  const unset: Record<string, 1> = {};
  if (input.name !== undefined && input.name !== u.name) set.name = input.name;
  if (input.idNumber === null && u.idNumber) unset.idNumber = 1;
  if (input.idNumber && input.idNumber !== u.idNumber) set.idNumber = input.idNumber;
  if (input.phone !== undefined && input.phone !== u.phone) {
    await refuseTakenPhone(userId, input.phone, 'body.phone');
    set.phone = input.phone;
    if (u.username === u.phone) set.username = input.phone;
    await checkOneTimeCode(input.phone, input.code ?? '');
  }
  if (Object.keys(set).length || Object.keys(unset).length) {
    try {
      await User.updateOne(
        { _id: userId },
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      );
    } catch (err) {
      if ((err as { code?: number }).code === 11000)
        throw new DomainError('conflict', '该手机号已被其他账号使用', { field: 'body.phone' });
      throw err;
    }
    const after = await loadSelf(userId);
    const fields = (x: typeof u) => ({
      name: x.name,
      username: x.username,
      phone: x.phone ?? undefined,
      idNumber: x.idNumber ?? undefined,
    });
    recordChange({ collection: 'users', id: userId, before: fields(u), after: fields(after) });
    // The offices of the person's compounds see it in their logs.
    auditInCompounds(u.memberships.map((m) => m.compoundId));
  }
  return myProfile(userId);
}
