/**
 * Accounts over their life: a password changed by its owner, reset by the office, an account deactivated.
 * Each bumps the token version, so every token made before is refused from then on.
 */
import { DomainError } from '../domain/errors';
import { User } from '../models/user';
import type { Role } from '../domain/roles';
import { recordChange } from './audit';
import { hashPassword, verifyPassword, weakPassword } from './passwords';
import { insertUnique } from './unique';

async function setPassword(userId: string, username: string, password: string): Promise<number> {
  const weak = weakPassword(password, username);
  if (weak) throw new DomainError('unprocessable', weak, { field: 'body.newPassword' });
  // Not findAndModify with a projection: FerretDB v1 does not take one.
  await User.updateOne(
    { _id: userId },
    { $set: { passwordHash: await hashPassword(password) }, $inc: { tokenVersion: 1 } },
  );
  const updated = await User.findById(userId, { tokenVersion: 1 }).lean();
  const version = updated?.tokenVersion ?? 0;
  // Never the password nor its hash: only that it was set, and that earlier sign-ins ended (named so
  // the log's secret masking, which hides any field called password or token, leaves them readable).
  recordChange({
    collection: 'users',
    id: userId,
    before: { signInVersion: version - 1 },
    after: { signInVersion: version, credentialsChanged: true },
  });
  return version;
}

/** The owner's change: the current password proves it is them. Answers the new token version. */
export async function changeOwnPassword(userId: string, current: string, next: string): Promise<number> {
  const user = await User.findById(userId).select('+passwordHash').lean();
  if (!user || !(await verifyPassword(current, user.passwordHash)))
    throw new DomainError('unprocessable', '当前密码不正确', { field: 'body.currentPassword' });
  if (current === next)
    throw new DomainError('unprocessable', '新密码不能与当前密码相同', { field: 'body.newPassword' });
  return setPassword(userId, user.username, next);
}

/**
 * A member of the compound, as the office may change them: not an administrator of every compound
 * (only another administrator may), and not someone of another compound.
 */
async function memberOf(compoundId: string, userId: string, actorIsAdmin: boolean) {
  const user = await User.findById(userId).lean();
  if (!user || !user.memberships.some((m) => m.compoundId === compoundId || m.compoundId === '*'))
    throw new DomainError('not_found', '该小区没有这个用户');
  if (user.memberships.some((m) => m.compoundId === '*') && !actorIsAdmin)
    throw new DomainError('forbidden', '只有系统管理员可以修改管理员账号');
  return user;
}

export async function resetPassword(
  compoundId: string,
  userId: string,
  password: string,
  actorIsAdmin: boolean,
) {
  const user = await memberOf(compoundId, userId, actorIsAdmin);
  await setPassword(user._id, user.username, password);
  return { id: user._id, name: user.name, deactivated: Boolean(user.deactivatedAt) };
}

export async function deactivateAccount(
  compoundId: string,
  userId: string,
  actorId: string,
  actorIsAdmin: boolean,
) {
  if (userId === actorId) throw new DomainError('conflict', '不能停用自己的账号');
  const user = await memberOf(compoundId, userId, actorIsAdmin);
  await User.updateOne(
    { _id: user._id },
    { $set: { deactivatedAt: user.deactivatedAt ?? new Date() }, $inc: { tokenVersion: 1 } },
  );
  recordChange({
    collection: 'users',
    id: user._id,
    before: { deactivated: Boolean(user.deactivatedAt) },
    after: { deactivated: true },
  });
  return { id: user._id, name: user.name, deactivated: true };
}

export interface NewAccount {
  id: string;
  username: string;
  name: string;
  phone?: string;
  idNumber?: string;
  password: string;
  memberships: { compoundId: string; roles: Role[] }[];
  buildingId?: string;
}

/**
 * A new account: the password checked, the user name unused (checked first, and again by the unique index
 * when two are made at once). `fields` names the input in a refusal (a request's fields, or the command
 * line's); `beforeInsert` runs once the checks pass (e.g. spending a one-time code).
 */
export async function createAccount(
  a: NewAccount,
  fields: { username: string; password: string; code: 'invalid' | 'unprocessable'; taken?: string },
  beforeInsert?: () => Promise<void>,
): Promise<void> {
  const weak = weakPassword(a.password, a.username);
  if (weak) throw new DomainError(fields.code, weak, { field: fields.password });
  const taken = () =>
    new DomainError('conflict', fields.taken ?? `用户名 ${a.username} 已被使用`, { field: fields.username });
  if (await User.exists({ username: a.username })) throw taken();
  await beforeInsert?.();
  const passwordHash = await hashPassword(a.password);
  await insertUnique(
    () =>
      User.create({
        _id: a.id,
        username: a.username,
        name: a.name,
        phone: a.phone,
        idNumber: a.idNumber,
        passwordHash,
        memberships: a.memberships,
        buildingId: a.buildingId,
      }),
    taken,
  );
}
