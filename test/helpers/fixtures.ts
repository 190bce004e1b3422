import { Types } from 'mongoose';
import { hashPassword } from '../../services/passwords';
import {
  DEFAULT_VOICE_SETTINGS,
  defaultAssignee,
  classifyVoice,
  type VoiceKind,
  type VoiceSettings,
} from '../../domain/voices';
import type { Role } from '../../domain/roles';
import { Community, Compound } from '../../models/compound';
import { User } from '../../models/user';
import { BodyMembership } from '../../models/body-membership';
import { Residence } from '../../models/residence';
import { BASES_OF, POSITIONS_OF, ROLE_OF_BODY, type MembershipBody } from '../../domain/memberships';
import { syncRoles } from '../../services/roles';
import { Voice } from '../../models/voice';
import type { VoiceRecord } from '../../services/intake';
import { markChanged } from '../../activities/projections';

let passwordHash: string | undefined;

/** A compound of its own per test, with its buildings and default settings unless given. */
export async function makeCompound(
  overrides: { id?: string; voices?: VoiceSettings; echoWallPublic?: boolean } = {},
) {
  const id = overrides.id ?? `c${new Types.ObjectId().toHexString().slice(-8)}`;
  await Community.updateOne({ _id: 'furong' }, { $setOnInsert: { name: '芙蓉社区' } }, { upsert: true });
  await Compound.create({
    _id: id,
    name: `测试小区${id}`,
    communityId: 'furong',
    echoWallPublic: overrides.echoWallPublic ?? true,
    buildings: [
      { _id: 'b1', name: '1号楼' },
      { _id: 'b2', name: '2号楼' },
    ],
    settings: { voices: overrides.voices ?? DEFAULT_VOICE_SETTINGS },
  });
  return id;
}

export const PASSWORD = 'test-password-1';

/**
 * A person holding `roles` in a compound, as the records give them: a current membership of each body
 * (a term on file, as the office would register it), a home for 'resident', the '*' account for 'admin'.
 */
export async function makeUser(compoundId: string, roles: Role[], name = `用户${roles.join('')}`) {
  passwordHash ??= await hashPassword(PASSWORD);
  const id = new Types.ObjectId().toHexString();
  const admin = roles.includes('admin');
  await User.create({
    _id: id,
    username: `u-${id}`,
    name,
    passwordHash,
    memberships: admin ? [{ compoundId, roles: ['admin'] }] : [],
  });
  const now = Date.now();
  const bodies = Object.entries(ROLE_OF_BODY).filter(([, role]) => roles.includes(role));
  if (bodies.length)
    await BodyMembership.insertMany(
      bodies.map(([body], i) => ({
        _id: `m${id.slice(-14)}${i.toString(16).padStart(2, '0')}`,
        compoundId,
        userId: id,
        name,
        body,
        position: POSITIONS_OF[body as MembershipBody][0],
        category: body === 'residentsCouncil' ? 'residentRepresentative' : undefined,
        buildingId: body === 'buildingLeader' ? 'fixture' : undefined,
        termStart: new Date(now - 86_400_000),
        termEnd: body === 'staff' ? undefined : new Date(now + 3 * 365 * 86_400_000),
        basis: { kind: BASES_OF[body as MembershipBody][0], fixture: true },
        status: 'current',
      })),
    );
  if (roles.includes('resident'))
    await Residence.create({
      _id: `${id}|fixture-${id}`,
      compoundId,
      userId: id,
      roomId: `fixture-${id}`,
      buildingId: 'b1',
      relation: 'owner',
    });
  await syncRoles(id);
  return { id, username: `u-${id}`, name, roles };
}

/** A stored voice as intake leaves it, before its workflow starts. */
export async function makeVoice(
  compoundId: string,
  fields: { kind?: VoiceKind; text?: string; submittedBy?: string; createdAt?: Date } = {},
): Promise<VoiceRecord> {
  const text = fields.text ?? '3号楼门口的垃圾三天没人清运了';
  const category = classifyVoice(text);
  const doc = await Voice.create({
    _id: new Types.ObjectId().toHexString(),
    compoundId,
    kind: fields.kind ?? 'complaint',
    channel: 'online',
    category,
    text,
    residentName: '王小明',
    submittedBy: fields.submittedBy ?? 'resident-1',
    idempotencyKey: new Types.ObjectId().toHexString(),
    requestHash: 'x',
    assignee: defaultAssignee(category, fields.kind),
    responsible: defaultAssignee(category, fields.kind),
    ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
  });
  // As intake does: its first change mark, so the projections count it.
  await markChanged('voice', doc._id, compoundId, 0);
  return doc.toObject() as VoiceRecord;
}
