/**
 * Residents as the office enters them: an account (user name, phone, a first password shown once) and the
 * rooms the person lives in, as owner, tenant or family member.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { maskIdNumber, maskPhone, RELATION_LABELS, type ResidentRelation } from '../domain/people';
import { Residence } from '../models/residence';
import { Room } from '../models/room';
import { User } from '../models/user';
import { loadCompound } from './compounds';
import { createAccount } from './accounts';
import { syncRoles } from './roles';
import { recordChange } from './audit';

const READABLE = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** A first password for the office to hand over: 14 characters, no look-alikes (0/O, 1/l). */
function firstPassword(): string {
  return Array.from({ length: 14 }, () => READABLE[randomInt(READABLE.length)]).join('');
}

export async function createResident(
  compoundId: string,
  input: {
    name: string;
    phone: string;
    username?: string;
    password?: string;
    idNumber?: string;
    rooms: { roomId: string; relation: ResidentRelation }[];
  },
) {
  await loadCompound(compoundId);
  const username = input.username ?? input.phone;
  const rooms = await Room.find({ _id: { $in: input.rooms.map((r) => r.roomId) }, compoundId }).lean();
  input.rooms.forEach((r, i) => {
    const room = rooms.find((x) => x._id === r.roomId);
    if (!room || room.retiredAt)
      throw new DomainError('unprocessable', `该小区没有在用的房屋：${r.roomId}`, {
        field: `body.rooms.${i}.roomId`,
      });
  });
  if (new Set(input.rooms.map((r) => r.roomId)).size !== input.rooms.length)
    throw new DomainError('unprocessable', '同一套房屋填了两次', { field: 'body.rooms' });
  const password = input.password ?? firstPassword();
  const id = `u${randomBytes(8).toString('hex')}`;
  await createAccount(
    {
      id,
      username,
      name: input.name,
      phone: input.phone,
      idNumber: input.idNumber,
      password,
      memberships: [], // the roles follow the homes below
      buildingId: rooms[0]?.buildingId,
    },
    {
      username: input.username ? 'body.username' : 'body.phone',
      password: 'body.password',
      code: 'unprocessable',
    },
  );
  await Residence.insertMany(
    input.rooms.map((r) => ({
      _id: `${id}|${r.roomId}`,
      compoundId,
      userId: id,
      roomId: r.roomId,
      buildingId: rooms.find((x) => x._id === r.roomId)!.buildingId,
      relation: r.relation,
    })),
  );
  await syncRoles(id);
  const created = await personView(compoundId, id, true);
  recordChange({
    collection: 'users',
    id,
    before: null,
    after: {
      username: created.username,
      name: created.name,
      phone: created.phone,
      idNumber: created.idNumber,
      rooms: created.rooms.map((r) => `${r.roomId}（${r.relationLabel}）`),
    },
  });
  return {
    ...created,
    // Shown this once, to the office, to hand over; only its hash is kept.
    ...(input.password ? {} : { initialPassword: password }),
  };
}

/** `full`: phone and ID number as they are (account:manage); otherwise masked. */
async function personView(compoundId: string, userId: string, fullPhone: boolean) {
  const u = await User.findById(userId).select('+idNumber').lean();
  if (!u) throw new DomainError('not_found', '没有这个人');
  const homes = await Residence.find({ compoundId, userId, endedAt: { $exists: false } }).lean();
  return {
    id: u._id,
    // A user name that is the phone number is as personal as the phone.
    username: !fullPhone && u.phone && u.username === u.phone ? maskPhone(u.username) : u.username,
    name: u.name,
    phone: u.phone ? (fullPhone ? u.phone : maskPhone(u.phone)) : undefined,
    idNumber: u.idNumber ? (fullPhone ? u.idNumber : maskIdNumber(u.idNumber)) : undefined,
    deactivated: Boolean(u.deactivatedAt),
    rooms: homes.map((h) => ({
      roomId: h.roomId,
      relation: h.relation,
      relationLabel: RELATION_LABELS[h.relation],
    })),
  };
}

/** The compound's residents; phones in full only to the office (account:manage). */
export async function listResidents(
  compoundId: string,
  f: { buildingId?: string; page: number; pageSize: number },
  fullPhone: boolean,
) {
  await loadCompound(compoundId);
  const query = {
    compoundId,
    endedAt: { $exists: false },
    ...(f.buildingId ? { buildingId: f.buildingId } : {}),
  };
  const userIds = [
    ...new Set((await Residence.find(query, { userId: 1 }).lean()).map((r) => r.userId)),
  ].sort();
  const page = userIds.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  return {
    items: await Promise.all(page.map((id) => personView(compoundId, id, fullPhone))),
    total: userIds.length,
    page: f.page,
    pageSize: f.pageSize,
  };
}
