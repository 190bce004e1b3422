/**
 * Residents who register themselves: a phone proven by a one-time code, the building's invitation code
 * (printed as a QR code in the stairwell), and approval by the building leader or staff before they see
 * anything but the public pages (the binding approval of HC-style property systems).
 */
import { randomBytes, randomInt } from 'node:crypto';
import QRCode from 'qrcode';
import { DomainError } from '../domain/errors';
import { type ResidentRelation, RELATION_LABELS, maskPhone } from '../domain/people';
import { Compound } from '../models/compound';
import { Registration } from '../models/registration';
import { User } from '../models/user';
import { syncRoles } from './roles';
import { BodyMembership } from '../models/body-membership';
import { loadCompound, type CompoundRecord } from './compounds';
import { recordChange } from './audit';
import { checkOneTimeCode } from './one-time-codes';
import { createAccount } from './accounts';
import { changeBuildings } from './places';

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new invitation code for the building (the old one stops working). */
export async function issueInvitation(compoundId: string, buildingId: string) {
  const code = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  let before: string | undefined;
  await changeBuildings(
    compoundId,
    (buildings) => {
      const b = buildings.find((x) => x._id === buildingId);
      if (!b)
        throw new DomainError('not_found', `该小区没有这个楼栋：${buildingId}`, {
          field: 'params.buildingId',
        });
      if (b.retiredAt) throw new DomainError('conflict', '该楼栋已停用');
      before = b.invitationCode ?? undefined;
      b.invitationCode = code;
      return buildings;
    },
    (stored) => stored.some((b) => b._id === buildingId && b.invitationCode === code),
  );
  const c = await loadCompound(compoundId);
  const b = c.buildings.find((x) => x._id === buildingId)!;
  recordChange({
    collection: 'buildings',
    id: `${compoundId}/${buildingId}`,
    before: { invitationCode: before },
    after: { invitationCode: code },
  });
  return {
    compoundId,
    buildingId,
    buildingName: b.name,
    invitationCode: code,
    registerPath: `/m/register?code=${code}`,
  };
}

/** The registration page a building's QR code opens: `<base>/m/register?code=<invitationCode>`. */
export function registrationUrl(publicBaseUrl: string, invitationCode: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/m/register?code=${encodeURIComponent(invitationCode)}`;
}

/** The building's current invitation as a QR code (SVG) to print for its stairwell. */
export async function invitationQr(compoundId: string, buildingId: string, publicBaseUrl: string) {
  const c = await loadCompound(compoundId);
  const b = c.buildings.find((x) => x._id === buildingId);
  if (!b)
    throw new DomainError('not_found', `该小区没有这个楼栋：${buildingId}`, { field: 'params.buildingId' });
  if (b.retiredAt) throw new DomainError('conflict', '该楼栋已停用');
  if (!b.invitationCode) throw new DomainError('conflict', '该楼栋还没有邀请码，请先生成');
  const url = registrationUrl(publicBaseUrl, b.invitationCode);
  return { url, svg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }) };
}

export async function register(input: {
  phone: string;
  code: string;
  invitationCode: string;
  name: string;
  password: string;
  relation: ResidentRelation;
  roomNumber?: string;
}) {
  const compound = await Compound.findOne({ 'buildings.invitationCode': input.invitationCode }).lean();
  const building = compound?.buildings.find((b) => b.invitationCode === input.invitationCode && !b.retiredAt);
  if (!compound || !building || compound.retiredAt)
    throw new DomainError('unprocessable', '邀请码无效，请扫描楼栋张贴的二维码或向楼栋长索取', {
      field: 'body.invitationCode',
    });
  const userId = `u${randomBytes(8).toString('hex')}`;
  await createAccount(
    {
      id: userId,
      username: input.phone,
      name: input.name,
      phone: input.phone,
      password: input.password,
      memberships: [], // nothing but public pages until approved
      buildingId: building._id,
    },
    {
      username: 'body.phone',
      password: 'body.password',
      code: 'unprocessable',
      taken: '该手机号已注册，请直接登录',
    },
    // The phone's code is spent only once everything else is right.
    () => checkOneTimeCode(input.phone, input.code),
  );
  const id = `r${randomBytes(8).toString('hex')}`;
  await Registration.create({
    _id: id,
    compoundId: compound._id,
    buildingId: building._id,
    userId,
    relation: input.relation,
    roomNumber: input.roomNumber,
    status: 'pending',
  });
  return {
    id,
    status: 'pending' as const,
    compound: { id: compound._id, name: compound.name },
    building: { id: building._id, name: building.name },
    message: `已提交，等待${building.name}楼栋长或社区工作人员审核；审核通过后即可使用`,
  };
}

/** The building leader decides for their own building only; the office for every building. */
/** The buildings a person leads: by a current 楼栋长 membership, or as the building's named leader. */
async function buildingsLedBy(
  compoundId: string,
  userId: string,
  compound?: CompoundRecord,
): Promise<string[]> {
  const c = compound ?? (await loadCompound(compoundId));
  const terms = await BodyMembership.find(
    { compoundId, userId, body: 'buildingLeader', status: 'current' },
    { buildingId: 1 },
  ).lean();
  return [
    ...new Set([
      ...c.buildings.filter((b) => b.leaderUserId === userId).map((b) => b._id),
      ...terms.flatMap((t) => (t.buildingId ? [t.buildingId] : [])),
    ]),
  ];
}

async function mayDecide(
  compoundId: string,
  buildingId: string,
  actor: { userId: string; roles: readonly string[] },
) {
  if (actor.roles.includes('admin') || actor.roles.includes('staff')) return;
  if (!(await buildingsLedBy(compoundId, actor.userId)).includes(buildingId))
    throw new DomainError('forbidden', '只有该楼栋的楼栋长或社区工作人员可以审核');
}

export async function listRegistrations(
  compoundId: string,
  status: 'pending' | 'approved' | 'rejected',
  actor: { userId: string; roles: readonly string[] },
) {
  const c = await loadCompound(compoundId);
  const office = actor.roles.includes('admin') || actor.roles.includes('staff');
  const mine = await buildingsLedBy(compoundId, actor.userId, c);
  const rows = await Registration.find({
    compoundId,
    status,
    ...(office ? {} : { buildingId: { $in: mine } }),
  })
    .sort({ createdAt: 1 })
    .limit(500)
    .lean();
  const users = await User.find({ _id: { $in: rows.map((r) => r.userId) } }, { name: 1, phone: 1 }).lean();
  return {
    items: rows.map((r) => {
      const u = users.find((x) => x._id === r.userId);
      return {
        id: r._id,
        buildingId: r.buildingId,
        name: u?.name ?? '',
        // The leader checks a neighbour by name and room; the full number is the office's.
        phone: u?.phone ? (office ? u.phone : maskPhone(u.phone)) : undefined,
        relation: r.relation,
        relationLabel: RELATION_LABELS[r.relation],
        roomNumber: r.roomNumber ?? undefined,
        status: r.status,
        submittedAt: (r as { createdAt?: Date }).createdAt?.toISOString() ?? '',
      };
    }),
  };
}

export async function decideRegistration(
  compoundId: string,
  id: string,
  decision: { approve: boolean; reason?: string },
  actor: { userId: string; name: string; roles: readonly string[] },
) {
  const r = await Registration.findOne({ _id: id, compoundId }).lean();
  if (!r) throw new DomainError('not_found', '没有这份注册申请');
  await mayDecide(compoundId, r.buildingId, actor);
  if (r.status !== 'pending') throw new DomainError('conflict', '该申请已审核过');
  const claimed = await Registration.updateOne(
    { _id: id, status: 'pending' },
    {
      $set: {
        status: decision.approve ? 'approved' : 'rejected',
        decidedBy: { userId: actor.userId, name: actor.name },
        decidedAt: new Date(),
        reason: decision.reason,
      },
    },
  );
  if (claimed.modifiedCount !== 1) throw new DomainError('conflict', '该申请已审核过');
  recordChange({
    collection: 'registrations',
    id,
    before: { status: 'pending' },
    after: { status: decision.approve ? 'approved' : 'rejected', reason: decision.reason },
  });
  // An approved registration makes a resident: the roles follow the record.
  if (decision.approve) {
    const before = await User.findById(r.userId, { memberships: 1 }).lean();
    const after = await syncRoles(r.userId);
    const memberships = (m: { compoundId: string; roles: string[] }[]) =>
      m.map((x) => `${x.compoundId}:${x.roles.join(',')}`);
    recordChange({
      collection: 'users',
      id: r.userId,
      before: { memberships: memberships(before?.memberships ?? []) },
      after: { memberships: memberships(after) },
    });
  }
  return { id, userId: r.userId, status: decision.approve ? ('approved' as const) : ('rejected' as const) };
}
