/**
 * The party-member registry (党员登记) and its find-and-link processes. Free of HTTP: the route table
 * calls these, and so may an import (the Excel 党员 sheet) through registerPartyMember /
 * upsertPartyMember. Who may call is the caller's check (partyMember:manage); these check the rest.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { localParts } from '../domain/calendar';
import { DomainError } from '../domain/errors';
import { maskPhone } from '../domain/people';
import {
  PARTY_MEMBER_LIMITS,
  PARTY_MEMBER_STATUS_LABELS,
  PARTY_MEMBER_TYPE_LABELS,
  checkContactTime,
  contactDeadline,
  findAndLinkWorkflowId,
  partyMemberSettingsOf,
  type ContactMethod,
  type JointUnitKind,
  type PartyMemberStatus,
  type PartyMemberType,
} from '../domain/party-members';
import { rolesGrant } from '../domain/roles';
import { workCalendarFor } from '../activities/work-calendar';
import { JointPartyUnit } from '../models/joint-party-unit';
import { PartyMember } from '../models/party-member';
import { User } from '../models/user';
import { timeZoneOf } from '../models/compound';
import type { Actor } from '../workflows/contract';
import {
  linkPartyMemberUpdate,
  recordContactUpdate,
  reportInServiceUpdate,
  withdrawPartyMemberUpdate,
  type FindAndLinkInput,
} from '../workflows/find-and-link-contract';
import { loadCompound } from './compounds';
import type { TemporalHandle } from './temporal-client';
import { insertUnique } from './unique';

export interface PartyMemberDeps {
  temporal: TemporalHandle;
  /** "Now" (a test may pin it). */
  clock?: () => Date;
}

export interface PartyMemberInput {
  /** A resident account of the compound; or else name and phone of someone without one. */
  userId?: string;
  name?: string;
  phone?: string;
  type: PartyMemberType;
  partyGroup: string;
  relationLocation: string;
  jointPartyUnitId?: string;
}

/** Where a refusal points: the HTTP body by default, an import's row/column if it passes its own. */
export type FieldOf = (field: keyof PartyMemberInput) => string;
const bodyField: FieldOf = (f) => `body.${f}`;

const newId = () => `pm${randomBytes(8).toString('hex')}`;

/** The natural key of a person's registration: the account, else the phone. */
export function naturalKeyOf(input: { userId?: string; phone?: string }): string | undefined {
  if (input.userId) return `user:${input.userId}`;
  if (input.phone) return `phone:${input.phone}`;
  return undefined;
}

async function checkJointUnit(compoundId: string, id: string | undefined, field: string) {
  if (!id) return;
  const unit = await JointPartyUnit.findOne({ _id: id, compoundId }).lean();
  if (!unit || unit.retiredAt)
    throw new DomainError('unprocessable', `该小区没有在册的联合党委成员单位：${id}`, { field });
}

/** Who the registration names: the account's name and phone, or the ones given. */
async function personOf(compoundId: string, input: PartyMemberInput, field: FieldOf) {
  if (!input.userId) {
    if (!input.name)
      throw new DomainError('unprocessable', '没有账号的党员请填写姓名', { field: field('name') });
    if (!input.phone)
      throw new DomainError('unprocessable', '没有账号的党员请填写手机号', { field: field('phone') });
    return { name: input.name, phone: input.phone };
  }
  const u = await User.findOne({ _id: input.userId, 'memberships.compoundId': compoundId }).lean();
  if (!u || !u.memberships.some((m) => m.compoundId === compoundId && m.roles.includes('resident')))
    throw new DomainError('unprocessable', `该小区没有这位居民：${input.userId}`, { field: field('userId') });
  return { name: u.name, phone: u.phone ?? input.phone };
}

/**
 * Registers a party member and starts their find-and-link process. Refusals name the field (422 a
 * rule, 409 a person already registered); nothing is written unless the workflow starts.
 */
export async function registerPartyMember(
  compoundId: string,
  input: PartyMemberInput,
  actor: Pick<Actor, 'userId' | 'name'>,
  deps: PartyMemberDeps,
  field: FieldOf = bodyField,
) {
  const compound = await loadCompound(compoundId);
  if (compound.retiredAt) throw new DomainError('conflict', '该小区已停用');
  const person = await personOf(compoundId, input, field);
  await checkJointUnit(compoundId, input.jointPartyUnitId, field('jointPartyUnitId'));
  const naturalKey = naturalKeyOf({ userId: input.userId, phone: person.phone })!;
  const now = deps.clock?.() ?? new Date();
  const settings = partyMemberSettingsOf(
    (compound.settings as { partyMembers?: unknown } | undefined)?.partyMembers,
  );
  const timeZone = timeZoneOf(compound);
  const year = localParts(now, timeZone).year;
  const deadline = contactDeadline(
    now,
    settings,
    timeZone,
    workCalendarFor(compound as never, { from: year, to: year + 1 }),
  );
  const id = newId();
  const workflowId = findAndLinkWorkflowId(compoundId, id);
  const duplicate = () =>
    new DomainError('conflict', '此人已登记为党员', { field: field(input.userId ? 'userId' : 'phone') });
  if (await PartyMember.exists({ compoundId, naturalKey })) throw duplicate();
  await insertUnique(
    () =>
      PartyMember.create({
        _id: id,
        compoundId,
        userId: input.userId,
        name: person.name,
        phone: person.phone,
        naturalKey,
        type: input.type,
        partyGroup: input.partyGroup,
        relationLocation: input.relationLocation,
        jointPartyUnitId: input.jointPartyUnitId,
        status: 'toFind',
        contactDeadline: deadline,
        registeredBy: { userId: actor.userId, name: actor.name },
        workflowId,
        rev: 0,
      }),
    duplicate,
  );
  const wfInput: FindAndLinkInput = {
    partyMemberId: id,
    compoundId,
    type: input.type,
    partyGroup: input.partyGroup,
    registeredAt: now.toISOString(),
    timeZone,
    contactDeadline: deadline.toISOString(),
    settings,
  };
  try {
    const client = await deps.temporal.client();
    await client.workflow.start('findAndLink', {
      workflowId,
      taskQueue: deps.temporal.taskQueue,
      args: [wfInput],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
      await PartyMember.deleteOne({ _id: id, rev: 0 }); // not started: the registration is not made
      throw err;
    }
  }
  return partyMemberView(await PartyMember.findById(id).lean().orFail(), true);
}

/** A live registration by its natural key (the account, else the phone), for imports and checks. */
export async function findPartyMemberByKey(compoundId: string, key: { userId?: string; phone?: string }) {
  const naturalKey = naturalKeyOf(key);
  return naturalKey ? PartyMember.findOne({ compoundId, naturalKey }).lean() : null;
}

/** Registers the person unless already registered: `created` says which (an import runs twice safely). */
export async function upsertPartyMember(
  compoundId: string,
  input: PartyMemberInput,
  actor: Pick<Actor, 'userId' | 'name'>,
  deps: PartyMemberDeps,
  field: FieldOf = bodyField,
) {
  const existing = await findPartyMemberByKey(compoundId, {
    userId: input.userId,
    phone: input.userId ? undefined : input.phone,
  });
  if (existing) return { created: false, member: partyMemberView(existing, true) };
  return { created: true, member: await registerPartyMember(compoundId, input, actor, deps, field) };
}

type MemberRecord = NonNullable<Awaited<ReturnType<typeof findMember>>>;

function partyMemberView(m: Omit<MemberRecord, never>, fullPhone: boolean) {
  return {
    id: m._id,
    userId: m.userId ?? undefined,
    name: m.name,
    phone: m.phone ? (fullPhone ? m.phone : maskPhone(m.phone)) : undefined,
    type: m.type as PartyMemberType,
    typeLabel: PARTY_MEMBER_TYPE_LABELS[m.type as PartyMemberType],
    partyGroup: m.partyGroup,
    relationLocation: m.relationLocation,
    jointPartyUnitId: m.jointPartyUnitId ?? undefined,
    status: m.status as PartyMemberStatus,
    statusLabel: PARTY_MEMBER_STATUS_LABELS[m.status as PartyMemberStatus],
    contactDeadline: m.contactDeadline,
    escalationLevel: m.escalationLevel ?? 0,
    reportedAt: m.reportedAt ?? undefined,
    linkedAt: m.linkedAt ?? undefined,
    withdrawnAt: m.withdrawnAt ?? undefined,
    createdAt: m.createdAt,
  };
}

async function findMember(compoundId: string, id: string) {
  return PartyMember.findOne({ _id: id, compoundId }).lean();
}
async function mustFind(compoundId: string, id: string) {
  const m = await findMember(compoundId, id);
  if (!m) throw new DomainError('not_found', '没有这条党员登记');
  return m;
}

/** Phones in full in lists only to the office (staff, admin); the branch sees them in the detail. */
export async function listPartyMembers(
  compoundId: string,
  f: {
    type?: PartyMemberType;
    status?: PartyMemberStatus;
    partyGroup?: string;
    page: number;
    pageSize: number;
  },
  fullPhone: boolean,
) {
  await loadCompound(compoundId);
  const q: Record<string, unknown> = { compoundId };
  if (f.type) q.type = f.type;
  if (f.status) q.status = f.status;
  if (f.partyGroup) q.partyGroup = f.partyGroup;
  const items = await PartyMember.find(q)
    .sort({ createdAt: -1, _id: 1 })
    .skip((f.page - 1) * f.pageSize)
    .limit(f.pageSize)
    .lean();
  return {
    items: items.map((m) => partyMemberView(m, fullPhone)),
    total: await PartyMember.countDocuments(q),
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** One registration with its contact records: for those who contact the member, the phone in full. */
export async function partyMemberDetail(compoundId: string, id: string) {
  const m = await mustFind(compoundId, id);
  return {
    ...partyMemberView(m, true),
    contacts: m.contacts.map((c) => ({
      byName: c.byName,
      at: c.at,
      method: c.method as ContactMethod,
      note: c.note ?? undefined,
    })),
  };
}

async function handleOf(deps: PartyMemberDeps, m: MemberRecord) {
  return (await deps.temporal.client()).workflow.getHandle(m.workflowId);
}

export async function recordPartyMemberContact(
  compoundId: string,
  id: string,
  input: { at: string; method: ContactMethod; note?: string },
  actor: Actor,
  deps: PartyMemberDeps,
) {
  const m = await mustFind(compoundId, id);
  checkContactTime(new Date(input.at), m.createdAt, deps.clock?.() ?? new Date());
  if (m.contacts.length >= PARTY_MEMBER_LIMITS.contacts)
    throw new DomainError('conflict', `联系记录最多 ${PARTY_MEMBER_LIMITS.contacts} 条`);
  await (await handleOf(deps, m)).executeUpdate(recordContactUpdate, { args: [{ actor, ...input }] });
  return partyMemberDetail(compoundId, id);
}

export async function linkPartyMember(
  compoundId: string,
  id: string,
  input: { jointPartyUnitId?: string },
  actor: Actor,
  deps: PartyMemberDeps,
) {
  const m = await mustFind(compoundId, id);
  await checkJointUnit(compoundId, input.jointPartyUnitId, 'body.jointPartyUnitId');
  await (await handleOf(deps, m)).executeUpdate(linkPartyMemberUpdate, { args: [{ actor, ...input }] });
  return partyMemberDetail(compoundId, id);
}

/**
 * 在职党员报到: the member themself (a signed-in resident whose registration it is), or the office or
 * branch on their behalf. Once the find-and-link process has ended, nothing else writes the record.
 */
export async function reportInService(compoundId: string, id: string, actor: Actor, deps: PartyMemberDeps) {
  const manager = rolesGrant(actor.roles, 'partyMember:manage');
  const found = await findMember(compoundId, id);
  // A resident learns nothing of registrations not their own, not even whether one exists.
  if (!manager && (!found?.userId || found.userId !== actor.userId))
    throw new DomainError('forbidden', '只能为自己报到');
  const m = found ?? (await mustFind(compoundId, id));
  if (m.type !== 'inService') throw new DomainError('conflict', '只有在职党员到社区报到');
  if (m.reportedAt) throw new DomainError('conflict', '已经报到过了');
  if (m.status === 'withdrawn') throw new DomainError('conflict', '该登记已撤销');
  const at = (deps.clock?.() ?? new Date()).toISOString();
  if (m.status === 'linked') {
    // The process has ended: its record has no other writer now.
    await PartyMember.updateOne(
      { _id: id, reportedAt: { $exists: false } },
      { $set: { reportedAt: new Date(at) } },
    );
  } else {
    await (await handleOf(deps, m)).executeUpdate(reportInServiceUpdate, { args: [{ actor, at }] });
  }
  const after = await mustFind(compoundId, id);
  return { id, reportedAt: after.reportedAt ?? new Date(at) };
}

export async function withdrawPartyMember(
  compoundId: string,
  id: string,
  input: { reason: string },
  actor: Actor,
  deps: PartyMemberDeps,
) {
  const m = await mustFind(compoundId, id);
  if (m.status === 'withdrawn' || m.status === 'linked')
    throw new DomainError('conflict', m.status === 'linked' ? '已纳入管理的登记不能撤销' : '该登记已撤销');
  await (await handleOf(deps, m)).executeUpdate(withdrawPartyMemberUpdate, { args: [{ actor, ...input }] });
  return partyMemberDetail(compoundId, id);
}

// 联合党委成员单位

function unitView(u: {
  _id: string;
  name: string;
  kind: string;
  contactName?: string | null;
  contactPhone?: string | null;
  retiredAt?: Date | null;
}) {
  return {
    id: u._id,
    name: u.name,
    kind: u.kind as JointUnitKind,
    contactName: u.contactName ?? undefined,
    contactPhone: u.contactPhone ?? undefined,
    retiredAt: u.retiredAt ?? undefined,
  };
}

export async function createJointPartyUnit(
  compoundId: string,
  input: { name: string; kind: JointUnitKind; contactName?: string; contactPhone?: string },
) {
  await loadCompound(compoundId);
  if ((await JointPartyUnit.countDocuments({ compoundId })) >= PARTY_MEMBER_LIMITS.jointUnitsPerCompound)
    throw new DomainError(
      'conflict',
      `一个小区最多登记 ${PARTY_MEMBER_LIMITS.jointUnitsPerCompound} 个成员单位`,
    );
  const id = `ju${randomBytes(6).toString('hex')}`;
  const doc = await insertUnique(
    () => JointPartyUnit.create({ _id: id, compoundId, ...input }),
    () => new DomainError('conflict', '已有同名的成员单位', { field: 'body.name' }),
  );
  return unitView(doc.toObject());
}

export async function listJointPartyUnits(compoundId: string, includeRetired: boolean) {
  await loadCompound(compoundId);
  const units = await JointPartyUnit.find({ compoundId })
    .sort({ name: 1 })
    .limit(PARTY_MEMBER_LIMITS.jointUnitsPerCompound)
    .lean();
  return { items: units.filter((u) => includeRetired || !u.retiredAt).map(unitView) };
}

export async function retireJointPartyUnit(compoundId: string, id: string, clock?: () => Date) {
  const u = await JointPartyUnit.findOne({ _id: id, compoundId }).lean();
  if (!u) throw new DomainError('not_found', '没有这个成员单位');
  if (!u.retiredAt)
    await JointPartyUnit.updateOne({ _id: id }, { $set: { retiredAt: clock?.() ?? new Date() } });
  return unitView(await JointPartyUnit.findById(id).lean().orFail());
}
