/**
 * The first administrator of an empty deployment (and any later one): made from the command line
 * (`npm run admin -- create-admin`), never seeded, so a production start has no one it did not create.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { User } from '../models/user';
import { hashPassword, weakPassword } from './passwords';

export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/;
export async function createAdministrator(input: { username: string; name: string; password: string }) {
  const username = input.username.trim();
  const name = input.name.trim();
  if (!USERNAME_PATTERN.test(username))
    throw new DomainError('invalid', '用户名应为 3–64 位字母、数字或 . _ -，以字母或数字开头', {
      field: 'username',
    });
  if (!name || [...name].length > 50)
    throw new DomainError('invalid', '请填写姓名（最多 50 字）', { field: 'name' });
  const weak = weakPassword(input.password, username);
  if (weak) throw new DomainError('invalid', weak, { field: 'password' });
  if (await User.exists({ username }))
    throw new DomainError('conflict', `用户名 ${username} 已被使用`, { field: 'username' });
  const id = `admin-${randomBytes(6).toString('hex')}`;
  try {
    await User.create({
      _id: id,
      username,
      name,
      passwordHash: await hashPassword(input.password),
      memberships: [{ compoundId: '*', roles: ['admin'] }],
    });
  } catch (err) {
    // Two creations of one name at once: the unique index let one through.
    if ((err as { code?: number }).code === 11000)
      throw new DomainError('conflict', `用户名 ${username} 已被使用`, { field: 'username' });
    throw err;
  }
  return { id, username, name };
}
