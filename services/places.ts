/**
 * Places, as a community office keeps them: communities, compounds, buildings (楼栋), units (单元) and rooms
 * (房屋, with floor area). Created, changed and retired, never removed: voices, people and meetings name them.
 */
import { randomBytes } from 'node:crypto';
import { isTimeZone } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import { Community, Compound } from '../models/compound';
import { Room } from '../models/room';
import { User } from '../models/user';
import { recordChange } from './audit';
import { forgetCompound, loadCompound, type CompoundRecord } from './compounds';
import { insertUnique } from './unique';

export const MAX_BUILDINGS = 500;
export const MAX_UNITS = 50;
export const MAX_ROOMS = 20_000;

type Building = CompoundRecord['buildings'][number];

const retired = (p: { retiredAt?: Date | null }) => Boolean(p.retiredAt);

export async function createCommunity(input: {
  id?: string;
  name: string;
  subdistrict?: string;
  county?: string;
}) {
  const id = input.id ?? `m${randomBytes(4).toString('hex')}`;
  await insertUnique(
    () =>
      Community.create({
        _id: id,
        name: input.name,
        subdistrict: input.subdistrict,
        county: input.county,
      }),
    () => new DomainError('conflict', `社区编号 ${id} 已被使用`, { field: 'body.id' }),
  );
  const created = communityView({ _id: id, ...input });
  recordChange({ collection: 'communities', id, before: null, after: created });
  return created;
}

export async function listCommunities() {
  const rows = await Community.find({}).sort({ _id: 1 }).limit(1000).lean();
  return { items: rows.map(communityView) };
}

function communityView(c: {
  _id: string;
  name: string;
  subdistrict?: string | null;
  county?: string | null;
}) {
  return { id: c._id, name: c.name, subdistrict: c.subdistrict ?? undefined, county: c.county ?? undefined };
}

export async function createCompound(
  communityId: string,
  input: { id?: string; name: string; timeZone?: string; echoWallPublic?: boolean },
) {
  if (!(await Community.exists({ _id: communityId })))
    throw new DomainError('not_found', `没有这个社区：${communityId}`);
  if (input.timeZone && !isTimeZone(input.timeZone))
    throw new DomainError('unprocessable', `不认识的时区：${input.timeZone}`, { field: 'body.timeZone' });
  const id = input.id ?? `c${randomBytes(4).toString('hex')}`;
  await insertUnique(
    () =>
      Compound.create({
        _id: id,
        name: input.name,
        communityId,
        timeZone: input.timeZone,
        echoWallPublic: input.echoWallPublic ?? false,
        buildings: [],
      }),
    () => new DomainError('conflict', `小区编号 ${id} 已被使用`, { field: 'body.id' }),
  );
  const created = await compoundPlaces(id);
  recordChange({
    collection: 'compounds',
    id,
    before: null,
    after: {
      name: created.name,
      communityId,
      timeZone: created.timeZone,
      echoWallPublic: input.echoWallPublic,
    },
  });
  return created;
}

export async function updateCompound(compoundId: string, input: { name?: string; timeZone?: string }) {
  if (input.timeZone && !isTimeZone(input.timeZone))
    throw new DomainError('unprocessable', `不认识的时区：${input.timeZone}`, { field: 'body.timeZone' });
  const before = await loadCompound(compoundId);
  await Compound.updateOne({ _id: compoundId }, { $set: input });
  forgetCompound(compoundId);
  const after = await compoundPlaces(compoundId);
  recordChange({
    collection: 'compounds',
    id: compoundId,
    before: { name: before.name, timeZone: before.timeZone ?? undefined },
    after: { name: after.name, timeZone: after.timeZone },
  });
  return after;
}

/** The compound's buildings and units, retired ones marked. */
export async function compoundPlaces(compoundId: string) {
  forgetCompound(compoundId);
  const c = await loadCompound(compoundId);
  return {
    id: c._id,
    name: c.name,
    communityId: c.communityId,
    timeZone: c.timeZone ?? undefined,
    retired: retired(c),
    buildings: c.buildings.map(buildingView),
  };
}

function buildingView(b: Building) {
  return {
    id: b._id,
    name: b.name,
    leaderUserId: b.leaderUserId ?? undefined,
    retired: retired(b),
    units: (b.units ?? []).map((u) => ({ id: u._id, name: u.name, retired: retired(u) })),
  };
}

/** A building as the audit log compares it. */
function buildingFields(b: Building | undefined): Record<string, unknown> | null {
  if (!b) return null;
  return {
    name: b.name,
    leaderUserId: b.leaderUserId ?? undefined,
    invitationCode: b.invitationCode ?? undefined,
    retired: retired(b),
    units: (b.units ?? []).map((u) => `${u._id}:${u.name}${retired(u) ? '（停用）' : ''}`),
  };
}

/**
 * Reports a building's change to the audit log: `before` as the change that landed saw it (the change
 * function may run again when another write raced it), `after` as stored.
 */
async function recordBuildingChange(compoundId: string, buildingId: string, before: Building | undefined) {
  const after = (await loadCompound(compoundId)).buildings.find((b) => b._id === buildingId);
  recordChange({
    collection: 'buildings',
    id: `${compoundId}/${buildingId}`,
    before: buildingFields(before),
    after: buildingFields(after),
  });
  return after;
}

/**
 * A building's leader must be a member of the compound (a user of another compound, or no user, would
 * make the building one no one leads).
 */
async function refuseStranger(compoundId: string, userId: string | null | undefined) {
  if (!userId) return;
  const user = await User.findById(userId, { memberships: 1, deactivatedAt: 1 }).lean();
  if (!user || user.deactivatedAt || !user.memberships.some((m) => m.compoundId === compoundId))
    throw new DomainError('unprocessable', `该小区没有这个在用的用户：${userId}`, {
      field: 'body.leaderUserId',
    });
}

/** One change of a compound's buildings at a time in this process (FerretDB v1 may apply two at once). */
const queues = new Map<string, Promise<unknown>>();

/**
 * Changes the compound's buildings: one at a time per compound here, as a compare-and-set on its places
 * revision, and read back until the change is seen (another API process may have written over it).
 * `landed` says whether a stored list holds this change.
 */
export async function changeBuildings(
  compoundId: string,
  change: (buildings: Building[]) => Building[],
  landed: (buildings: Building[]) => boolean = () => true,
) {
  const prior = queues.get(compoundId) ?? Promise.resolve();
  const run = prior.catch(() => undefined).then(() => changeOnce(compoundId, change, landed));
  queues.set(compoundId, run);
  try {
    await run;
  } finally {
    if (queues.get(compoundId) === run) queues.delete(compoundId);
  }
}

async function changeOnce(
  compoundId: string,
  change: (buildings: Building[]) => Building[],
  landed: (buildings: Building[]) => boolean,
) {
  for (let attempt = 0; attempt < 8; attempt++) {
    const c = await Compound.findById(compoundId, { buildings: 1, placesRev: 1 }).lean();
    if (!c) throw new DomainError('not_found', `没有这个小区：${compoundId}`);
    const rev = c.placesRev ?? undefined;
    const next = change(structuredClone(c.buildings));
    await Compound.updateOne(
      { _id: compoundId, placesRev: rev === undefined ? { $exists: false } : rev },
      { $set: { buildings: next, placesRev: (rev ?? 0) + 1 } },
    );
    forgetCompound(compoundId);
    const stored = await Compound.findById(compoundId, { buildings: 1 }).lean();
    if (stored && landed(stored.buildings)) return;
  }
  throw new DomainError('conflict', '楼栋信息正被同时修改，请重试');
}

function findBuilding(buildings: Building[], buildingId: string, field = 'params.buildingId'): Building {
  const b = buildings.find((x) => x._id === buildingId);
  if (!b) throw new DomainError('not_found', `该小区没有这个楼栋：${buildingId}`, { field });
  return b;
}

function nextId(prefix: string, taken: readonly { _id: string }[]): string {
  const ids = new Set(taken.map((t) => t._id));
  for (let n = taken.length + 1; ; n++) if (!ids.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

function refuseDuplicateName(
  places: readonly { name: string; retiredAt?: Date | null }[],
  name: string,
  what: string,
) {
  if (places.some((p) => !retired(p) && p.name === name))
    throw new DomainError('conflict', `已有同名的${what}：${name}`, { field: 'body.name' });
}

export async function addBuilding(compoundId: string, input: { name: string; leaderUserId?: string }) {
  await loadCompound(compoundId);
  await refuseStranger(compoundId, input.leaderUserId);
  let id = '';
  await changeBuildings(
    compoundId,
    (buildings) => {
      refuseDuplicateName(buildings, input.name, '楼栋');
      if (buildings.length >= MAX_BUILDINGS)
        throw new DomainError('conflict', `一个小区最多 ${MAX_BUILDINGS} 栋楼`);
      id = nextId('b', buildings);
      return [...buildings, { _id: id, name: input.name, leaderUserId: input.leaderUserId } as Building];
    },
    (stored) => stored.some((b) => b._id === id && b.name === input.name),
  );
  await recordBuildingChange(compoundId, id, undefined);
  return buildingView(findBuilding((await loadCompound(compoundId)).buildings, id));
}

export async function updateBuilding(
  compoundId: string,
  buildingId: string,
  input: { name?: string; leaderUserId?: string | null },
) {
  await loadCompound(compoundId);
  await refuseStranger(compoundId, input.leaderUserId);
  let before: Building | undefined;
  await changeBuildings(compoundId, (buildings) => {
    const b = findBuilding(buildings, buildingId);
    before = structuredClone(b);
    if (input.name !== undefined && input.name !== b.name) refuseDuplicateName(buildings, input.name, '楼栋');
    if (input.name !== undefined) b.name = input.name;
    if (input.leaderUserId !== undefined) b.leaderUserId = input.leaderUserId ?? undefined;
    return buildings;
  });
  await recordBuildingChange(compoundId, buildingId, before);
  return buildingView(findBuilding((await loadCompound(compoundId)).buildings, buildingId));
}

/** Retires a building with no rooms in use: its voices and meetings still name it. */
export async function retireBuilding(compoundId: string, buildingId: string) {
  findBuilding((await loadCompound(compoundId)).buildings, buildingId);
  const rooms = await Room.countDocuments({ compoundId, buildingId, retiredAt: { $exists: false } });
  if (rooms > 0)
    throw new DomainError('conflict', `该楼栋还有 ${rooms} 套在用的房屋，请先停用房屋`, { rooms });
  let before: Building | undefined;
  await changeBuildings(compoundId, (buildings) => {
    const b = findBuilding(buildings, buildingId);
    before = structuredClone(b);
    b.retiredAt ??= new Date();
    return buildings;
  });
  await recordBuildingChange(compoundId, buildingId, before);
  return buildingView(findBuilding((await loadCompound(compoundId)).buildings, buildingId));
}

export async function addUnit(compoundId: string, buildingId: string, input: { name: string }) {
  let id = '';
  let before: Building | undefined;
  await changeBuildings(
    compoundId,
    (buildings) => {
      const b = findBuilding(buildings, buildingId);
      before = structuredClone(b);
      if (retired(b)) throw new DomainError('conflict', '该楼栋已停用');
      const units = b.units ?? [];
      refuseDuplicateName(units, input.name, '单元');
      if (units.length >= MAX_UNITS) throw new DomainError('conflict', `一栋楼最多 ${MAX_UNITS} 个单元`);
      id = nextId('u', units);
      b.units = [...units, { _id: id, name: input.name }] as Building['units'];
      return buildings;
    },
    (stored) => Boolean(stored.find((x) => x._id === buildingId)?.units?.some((u) => u._id === id)),
  );
  await recordBuildingChange(compoundId, buildingId, before);
  return buildingView(findBuilding((await loadCompound(compoundId)).buildings, buildingId));
}

/** A room's id, derived from where it is: a second room at the same door is refused by the key itself. */
export const roomId = (compoundId: string, buildingId: string, unitId: string, number: string) =>
  `${compoundId}:${buildingId}:${unitId || '-'}:${number}`;

export async function createRoom(
  compoundId: string,
  input: { buildingId: string; unitId?: string; number: string; floor?: number; floorArea: number },
) {
  const c = await loadCompound(compoundId);
  const b = c.buildings.find((x) => x._id === input.buildingId);
  if (!b || retired(b))
    throw new DomainError('unprocessable', `该小区没有在用的楼栋：${input.buildingId}`, {
      field: 'body.buildingId',
    });
  const units = (b.units ?? []).filter((u) => !retired(u));
  if (units.length && !units.some((u) => u._id === input.unitId))
    throw new DomainError('unprocessable', `${b.name}没有这个单元：${input.unitId ?? '（未填）'}`, {
      field: 'body.unitId',
    });
  if (!units.length && input.unitId)
    throw new DomainError('unprocessable', `${b.name}不分单元`, { field: 'body.unitId' });
  if ((await Room.countDocuments({ compoundId })) >= MAX_ROOMS)
    throw new DomainError('conflict', `一个小区最多 ${MAX_ROOMS} 套房屋`);
  const unitId = input.unitId ?? '';
  const _id = roomId(compoundId, b._id, unitId, input.number);
  await insertUnique(
    () =>
      Room.create({
        _id,
        compoundId,
        buildingId: b._id,
        unitId,
        number: input.number,
        floor: input.floor,
        floorArea: input.floorArea,
      }),
    () => new DomainError('conflict', `${b.name}已有 ${input.number} 号房屋`, { field: 'body.number' }),
  );
  const created = roomView((await Room.findById(_id).lean())!);
  recordChange({ collection: 'rooms', id: _id, before: null, after: created });
  return created;
}

type RoomRecord = NonNullable<Awaited<ReturnType<typeof findRoom>>>;
const findRoom = (compoundId: string, roomId: string) => Room.findOne({ _id: roomId, compoundId }).lean();

function roomView(r: RoomRecord) {
  return {
    id: r._id,
    buildingId: r.buildingId,
    unitId: r.unitId || undefined,
    number: r.number,
    floor: r.floor ?? undefined,
    floorArea: r.floorArea,
    retired: retired(r),
  };
}

export async function listRooms(
  compoundId: string,
  f: { buildingId?: string; unitId?: string; includeRetired?: boolean; page: number; pageSize: number },
) {
  await loadCompound(compoundId);
  const query = {
    compoundId,
    ...(f.buildingId ? { buildingId: f.buildingId } : {}),
    ...(f.unitId ? { unitId: f.unitId } : {}),
    ...(f.includeRetired ? {} : { retiredAt: { $exists: false } }),
  };
  const [rows, total] = await Promise.all([
    Room.find(query)
      .sort({ buildingId: 1, unitId: 1, number: 1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean(),
    Room.countDocuments(query),
  ]);
  return { items: rows.map(roomView), total, page: f.page, pageSize: f.pageSize };
}

export async function updateRoom(
  compoundId: string,
  id: string,
  input: { floor?: number; floorArea?: number },
) {
  const r = await findRoom(compoundId, id);
  if (!r) throw new DomainError('not_found', '没有这套房屋');
  if (r.retiredAt) throw new DomainError('conflict', '该房屋已停用');
  await Room.updateOne({ _id: id }, { $set: input });
  const after = roomView((await findRoom(compoundId, id))!);
  recordChange({ collection: 'rooms', id, before: roomView(r), after });
  return after;
}

export async function retireRoom(compoundId: string, id: string) {
  const r = await findRoom(compoundId, id);
  if (!r) throw new DomainError('not_found', '没有这套房屋');
  if (!r.retiredAt) await Room.updateOne({ _id: id }, { $set: { retiredAt: new Date() } });
  const after = roomView((await findRoom(compoundId, id))!);
  recordChange({ collection: 'rooms', id, before: roomView(r), after });
  return after;
}
