/**
 * Forming the bodies (组建): memberships with terms, each kept by its term's workflow. Who may form which
 * body follows the article — the owners' committee elected, the self-management committee hired by the
 * owners' committee carrying out a council resolution, the supervisory board appointed by the party
 * organisation from its retired members — and every membership's term starts its own durable workflow.
 */
import { randomBytes } from 'node:crypto';
import { isStaff } from '../domain/bodies';
import { DomainError } from '../domain/errors';
import {
  BASIS_LABELS,
  COUNCIL_CATEGORIES,
  COUNCIL_CATEGORY_LABELS,
  END_REASON_LABELS,
  MEMBERSHIP_BODY_LABELS,
  POSITION_LABELS,
  STATUS_LABELS,
  checkMembership,
  councilCategoryOf,
  partyShare,
  type CouncilCategory,
  type CouncilSeat,
  type MembershipBasis,
  type MembershipBody,
  type Position,
} from '../domain/memberships';
import type { Role } from '../domain/roles';
import { BodyMembership, type BodyMembershipDoc } from '../models/body-membership';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { User } from '../models/user';
import { startAttributes } from '../temporal-search';
import type { Actor } from '../workflows/contract';
import {
  endTermUpdate,
  markRenewedUpdate,
  termWorkflowId,
  type EndTermInput,
  type TermInput,
} from '../workflows/term-contract';
import { loadCompound } from './compounds';
import { partyStandingOf } from './party-standing';
import { syncRoles } from './roles';
import type { TemporalHandle } from './temporal-client';

export interface MembershipInput {
  userId: string;
  body: MembershipBody;
  position: Position;
  category?: CouncilSeat;
  buildingId?: string;
  termStart: string;
  termEnd?: string;
  basis: MembershipBasis;
  exceptionReason?: string;
}

/** Who may form each body: the party organisation its own and the board, the owners' committee the SMC. */
function mayForm(body: MembershipBody, roles: readonly Role[]): boolean {
  if (isStaff(roles)) return true;
  if (body === 'selfManagementCommittee') return roles.includes('ownersCommittee');
  if (body === 'supervisoryBoard' || body === 'partyBranch') return roles.includes('partyBranch');
  return false;
}

const refusal = (field: string, message: string) => new DomainError('unprocessable', message, { field });

/** The council resolution to hire, renew or dismiss the self-management committee, passed and not closed. */
async function checkResolution(compoundId: string, orderId: string, field: string): Promise<void> {
  const order = await Rectification.findOne({ _id: orderId, compoundId }).lean();
  if (!order || order.kind !== 'resolution' || order.owner !== 'ownersCommittee')
    throw refusal(field, '没有这项交由业委会执行的议事会决议');
  const { meetingId, motionId } = order.source ?? {};
  const meeting = meetingId ? await Meeting.findById(meetingId, { state: 1 }).lean() : null;
  const agenda = (meeting?.state as { agenda?: { id: string; motion?: { matter?: string } }[] } | undefined)
    ?.agenda;
  const motion = agenda?.find((i) => i.id === motionId)?.motion;
  if (motion?.matter !== 'selfManagementCommittee')
    throw refusal(field, '该决议不是关于自管会聘任或解聘的决议');
  if (order.status === 'verified') throw refusal(field, '该决议已执行完毕并验收');
}

async function startTerm(temporal: TemporalHandle, input: TermInput): Promise<void> {
  const client = await temporal.client();
  await client.workflow.start('termOfOffice', {
    workflowId: termWorkflowId(input.membershipId),
    taskQueue: temporal.taskQueue,
    args: [input],
    ...(await startAttributes(client, {
      compoundId: input.compoundId,
      kind: 'termOfOffice',
      status: 'started',
    })),
  });
}

/** Checks one proposed membership against the rules and the records; returns what it needs to be stored. */
async function prepare(
  compoundId: string,
  input: MembershipInput,
  actor: Actor,
  prefix = 'body',
  renews?: BodyMembershipDoc,
) {
  const named = (e: { field: string; message: string }) =>
    refusal(e.field.replace(/^body/, prefix), e.message);
  if (!mayForm(input.body, actor.roles))
    throw new DomainError('forbidden', `您的角色不能组建${MEMBERSHIP_BODY_LABELS[input.body]}`, {
      field: `${prefix}.body`,
    });
  const compound = await loadCompound(compoundId);
  const user = await User.findById(input.userId, { name: 1, deactivatedAt: 1 }).lean();
  if (!user || user.deactivatedAt) throw refusal(`${prefix}.userId`, '没有这个账号（或已停用）');
  if (input.buildingId && !compound.buildings.some((b) => b._id === input.buildingId && !b.retiredAt))
    throw refusal(`${prefix}.buildingId`, '该小区没有这个楼栋');
  const now = Date.now();
  const termStart = Date.parse(input.termStart);
  const termEnd = input.termEnd === undefined ? undefined : Date.parse(input.termEnd);
  const errors = checkMembership(
    {
      ...input,
      termStart,
      termEnd,
      partyMember: await partyStandingOf(compoundId, input.userId),
    },
    now,
  );
  if (errors[0]) throw named(errors[0]);
  if (input.basis.kind === 'hired' && input.basis.resolutionOrderId)
    await checkResolution(compoundId, input.basis.resolutionOrderId, `${prefix}.basis.resolutionOrderId`);
  // One person holds one seat of a body at a time (a renewal follows its predecessor, it does not overlap).
  const open = await BodyMembership.find(
    { compoundId, userId: input.userId, body: input.body, status: { $in: ['upcoming', 'current'] } },
    { termStart: 1, termEnd: 1 },
  ).lean();
  const overlaps = open.some(
    (m) =>
      m._id !== renews?._id &&
      termStart < (m.termEnd?.getTime() ?? Infinity) &&
      m.termStart.getTime() < (termEnd ?? Infinity),
  );
  if (overlaps)
    throw new DomainError('conflict', `此人在该时段已是${MEMBERSHIP_BODY_LABELS[input.body]}成员`, {
      field: `${prefix}.userId`,
    });
  return { name: user.name, termStart, termEnd, now };
}

async function insertAndStart(
  temporal: TemporalHandle,
  compoundId: string,
  input: MembershipInput,
  actor: Actor,
  checked: { name: string; termStart: number; termEnd?: number; now: number },
  renews?: string,
) {
  const id = `m${randomBytes(8).toString('hex')}`;
  const status = checked.termStart > checked.now ? 'upcoming' : 'current';
  await BodyMembership.create({
    _id: id,
    compoundId,
    userId: input.userId,
    name: checked.name,
    body: input.body,
    position: input.position,
    category: input.category,
    buildingId: input.buildingId,
    termStart: new Date(checked.termStart),
    termEnd: checked.termEnd === undefined ? undefined : new Date(checked.termEnd),
    basis: input.basis,
    renews,
    exceptionReason: input.exceptionReason?.trim() || undefined,
    status,
    createdBy: { userId: actor.userId, name: actor.name },
  });
  try {
    await startTerm(temporal, {
      membershipId: id,
      compoundId,
      userId: input.userId,
      name: checked.name,
      body: input.body,
      position: input.position,
      termStart: new Date(checked.termStart).toISOString(),
      termEnd: checked.termEnd === undefined ? undefined : new Date(checked.termEnd).toISOString(),
      event: renews ? 'renewed' : input.basis.kind,
      actor,
      content: {
        body: input.body,
        position: input.position,
        category: input.category,
        buildingId: input.buildingId,
        termStart: new Date(checked.termStart).toISOString(),
        termEnd: checked.termEnd === undefined ? undefined : new Date(checked.termEnd).toISOString(),
        basis: input.basis,
        renews,
        exceptionReason: input.exceptionReason?.trim() || undefined,
      },
    });
  } catch (err) {
    // No workflow, no term: the record goes too, so nothing holds a role no one will end.
    await BodyMembership.deleteOne({ _id: id });
    throw err;
  }
  await syncRoles(input.userId);
  return id;
}

/** Registers a membership (elected, hired or appointed) and starts its term's workflow. */
export async function formMembership(
  temporal: TemporalHandle,
  compoundId: string,
  input: MembershipInput,
  actor: Actor,
) {
  const checked = await prepare(compoundId, input, actor);
  const id = await insertAndStart(temporal, compoundId, input, actor, checked);
  return membershipView(await BodyMembership.findById(id).lean().orFail());
}

async function loadMembership(compoundId: string, id: string) {
  const m = await BodyMembership.findOne({ _id: id, compoundId }).lean();
  if (!m) throw new DomainError('not_found', '没有这项任职记录');
  return m;
}

/** A following term for the same seat, beginning where this one ends (续任 / 续聘). */
export async function renewMembership(
  temporal: TemporalHandle,
  compoundId: string,
  id: string,
  input: { termEnd: string; basis: MembershipBasis },
  actor: Actor,
) {
  const old = await loadMembership(compoundId, id);
  if (old.status === 'ended') throw new DomainError('conflict', '该任期已经结束，请重新登记任职');
  if (!old.termEnd) throw new DomainError('conflict', '该任职没有任期，无需续任');
  if (await BodyMembership.exists({ renews: id })) throw new DomainError('conflict', '该任期已续任');
  const next: MembershipInput = {
    userId: old.userId,
    body: old.body as MembershipBody,
    position: old.position as Position,
    category: (old.category ?? undefined) as CouncilSeat | undefined,
    buildingId: old.buildingId ?? undefined,
    termStart: old.termEnd.toISOString(),
    termEnd: input.termEnd,
    basis: input.basis,
    exceptionReason: old.exceptionReason ?? undefined,
  };
  const checked = await prepare(compoundId, next, actor, 'body', old);
  const newId = await insertAndStart(temporal, compoundId, next, actor, checked, id);
  // The old term, at its end, is then 'renewed' rather than lapsed.
  const client = await temporal.client();
  await client.workflow
    .getHandle(termWorkflowId(id))
    .executeUpdate(markRenewedUpdate, { args: [{ membershipId: newId }] });
  return membershipView(await BodyMembership.findById(newId).lean().orFail());
}

/** Ends a term early: dismissed (the SMC only by a council resolution) or resigned. */
export async function endMembership(
  temporal: TemporalHandle,
  compoundId: string,
  id: string,
  input: Omit<EndTermInput, 'actor'>,
  actor: Actor,
) {
  const m = await loadMembership(compoundId, id);
  const body = m.body as MembershipBody;
  if (!mayForm(body, actor.roles))
    throw new DomainError('forbidden', `您的角色不能变更${MEMBERSHIP_BODY_LABELS[body]}的成员`);
  if (m.status === 'ended') throw new DomainError('conflict', '该任期已经结束');
  if (body === 'selfManagementCommittee' && input.reason === 'dismissed') {
    if (!input.resolutionOrderId)
      throw refusal('body.resolutionOrderId', '解聘自管会成员须依据议事会决议，请注明该决议');
    await checkResolution(compoundId, input.resolutionOrderId, 'body.resolutionOrderId');
  }
  const client = await temporal.client();
  await client.workflow
    .getHandle(termWorkflowId(id))
    .executeUpdate(endTermUpdate, { args: [{ ...input, actor }] });
  await syncRoles(m.userId);
  return membershipView(await BodyMembership.findById(id).lean().orFail());
}

/**
 * The owners' committee carries out a council resolution on the self-management committee (解(续)聘自管会):
 * hires, renewals and dismissals in one act, each naming the resolution. Everything is checked before the
 * first change, so a refusal changes nothing.
 */
export async function carryOutResolution(
  temporal: TemporalHandle,
  compoundId: string,
  input: {
    resolutionOrderId: string;
    hire: { userId: string; position: Position; termStart: string; termEnd: string; contractNo?: string }[];
    renew: { membershipId: string; termEnd: string; contractNo?: string }[];
    dismiss: { membershipId: string; note?: string }[];
  },
  actor: Actor,
) {
  if (!actor.roles.includes('ownersCommittee') && !isStaff(actor.roles))
    throw new DomainError('forbidden', '解(续)聘自管会由业主委员会执行');
  if (!input.hire.length && !input.renew.length && !input.dismiss.length)
    throw refusal('body', '请至少列出一项聘任、续聘或解聘');
  await checkResolution(compoundId, input.resolutionOrderId, 'body.resolutionOrderId');
  const basis = (contractNo?: string): MembershipBasis => ({
    kind: 'hired',
    resolutionOrderId: input.resolutionOrderId,
    ...(contractNo ? { contractNo } : {}),
  });
  const hires = await Promise.all(
    input.hire.map(async (h, i) => {
      const m: MembershipInput = { ...h, body: 'selfManagementCommittee', basis: basis(h.contractNo) };
      return { m, checked: await prepare(compoundId, m, actor, `body.hire.${i}`) };
    }),
  );
  const existing = async (membershipId: string, field: string) => {
    const m = await BodyMembership.findOne({ _id: membershipId, compoundId }).lean();
    if (!m || m.body !== 'selfManagementCommittee' || m.status === 'ended')
      throw refusal(field, '没有这项在任的自管会任职');
    return m;
  };
  for (const [i, r] of input.renew.entries()) await existing(r.membershipId, `body.renew.${i}.membershipId`);
  for (const [i, d] of input.dismiss.entries())
    await existing(d.membershipId, `body.dismiss.${i}.membershipId`);
  const ids = [...input.renew, ...input.dismiss].map((x) => x.membershipId);
  if (new Set(ids).size !== ids.length) throw refusal('body', '同一项任职不能既续聘又解聘');
  const hired = [];
  for (const { m, checked } of hires)
    hired.push(await insertAndStart(temporal, compoundId, m, actor, checked));
  const renewed = [];
  for (const r of input.renew)
    renewed.push(
      (
        await renewMembership(
          temporal,
          compoundId,
          r.membershipId,
          { termEnd: r.termEnd, basis: basis(r.contractNo) },
          actor,
        )
      ).id,
    );
  const dismissed = [];
  for (const d of input.dismiss)
    dismissed.push(
      (
        await endMembership(
          temporal,
          compoundId,
          d.membershipId,
          { reason: 'dismissed', note: d.note, resolutionOrderId: input.resolutionOrderId },
          actor,
        )
      ).id,
    );
  return { resolutionOrderId: input.resolutionOrderId, hired, renewed, dismissed };
}

export function membershipView(m: BodyMembershipDoc) {
  const basis = m.basis as MembershipBasis;
  return {
    id: m._id,
    userId: m.userId,
    name: m.name,
    body: m.body as MembershipBody,
    bodyLabel: MEMBERSHIP_BODY_LABELS[m.body as MembershipBody],
    position: m.position as Position,
    positionLabel: POSITION_LABELS[m.position as Position],
    category: (m.category ?? undefined) as CouncilSeat | undefined,
    buildingId: m.buildingId ?? undefined,
    termStart: m.termStart.toISOString(),
    termEnd: m.termEnd?.toISOString(),
    basis,
    basisLabel: BASIS_LABELS[m.renews ? 'renewed' : basis.kind],
    renews: m.renews ?? undefined,
    exceptionReason: m.exceptionReason ?? undefined,
    status: m.status as 'upcoming' | 'current' | 'ended',
    statusLabel: STATUS_LABELS[m.status as 'upcoming' | 'current' | 'ended'],
    endedAt: m.endedAt?.toISOString(),
    endReason: m.endReason ?? undefined,
    endReasonLabel: m.endReason ? END_REASON_LABELS[m.endReason] : undefined,
    endNote: m.endNote ?? undefined,
    endResolutionOrderId: m.endResolutionOrderId ?? undefined,
  };
}

export async function listMemberships(
  compoundId: string,
  f: {
    body?: MembershipBody;
    status?: 'upcoming' | 'current' | 'ended';
    userId?: string;
    page: number;
    pageSize: number;
  },
) {
  await loadCompound(compoundId);
  const query = {
    compoundId,
    ...(f.body ? { body: f.body } : {}),
    ...(f.status ? { status: f.status } : {}),
    ...(f.userId ? { userId: f.userId } : {}),
  };
  const [items, total] = await Promise.all([
    BodyMembership.find(query)
      .sort({ body: 1, termStart: -1, _id: 1 })
      .skip((f.page - 1) * f.pageSize)
      .limit(f.pageSize)
      .lean(),
    BodyMembership.countDocuments(query),
  ]);
  return { items: items.map(membershipView), total, page: f.page, pageSize: f.pageSize };
}

export async function getMembership(compoundId: string, id: string) {
  return membershipView(await loadMembership(compoundId, id));
}

/** Each body as it stands: its current members, and for the owners' committee its share of party members. */
export async function bodiesNow(compoundId: string) {
  await loadCompound(compoundId);
  const current = await BodyMembership.find({ compoundId, status: 'current' })
    .sort({ termStart: 1, _id: 1 })
    .lean();
  const of = (body: MembershipBody) => current.filter((m) => m.body === body);
  const owners = await Promise.all(
    of('ownersCommittee').map(async (m) => ({ partyMember: await partyStandingOf(compoundId, m.userId) })),
  );
  return {
    bodies: (Object.keys(MEMBERSHIP_BODY_LABELS) as MembershipBody[]).map((body) => ({
      body,
      label: MEMBERSHIP_BODY_LABELS[body],
      members: of(body).map((m) => ({
        membershipId: m._id,
        userId: m.userId,
        name: m.name,
        position: m.position as Position,
        positionLabel: POSITION_LABELS[m.position as Position],
        termEnd: m.termEnd?.toISOString(),
      })),
    })),
    ownersCommitteePartyShare: partyShare(owners),
  };
}

/**
 * The council's roster by category from the memberships current now — what a council takes when its
 * window opens. One person sits once, in the first category of the article's order they hold.
 */
export async function councilRoster(
  compoundId: string,
): Promise<{ userId: string; name: string; category: CouncilCategory; categoryLabel: string }[]> {
  const current = await BodyMembership.find(
    { compoundId, status: 'current' },
    { userId: 1, name: 1, body: 1, category: 1 },
  )
    .sort({ _id: 1 })
    .lean();
  const seats = new Map<string, { userId: string; name: string; category: CouncilCategory }>();
  for (const category of COUNCIL_CATEGORIES)
    for (const m of current)
      if (
        !seats.has(m.userId) &&
        councilCategoryOf({
          body: m.body as MembershipBody,
          category: (m.category ?? undefined) as CouncilSeat,
        }) === category
      )
        seats.set(m.userId, { userId: m.userId, name: m.name, category });
  return [...seats.values()].map((s) => ({ ...s, categoryLabel: COUNCIL_CATEGORY_LABELS[s.category] }));
}
