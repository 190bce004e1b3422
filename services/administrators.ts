/**
 * The first administrator of an empty deployment (and any later one): made from the command line
 * (`npm run admin -- create-admin`), never seeded, so a production start has no one it did not create.
 */
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { createAccount } from './accounts';

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
  const id = `admin-${randomBytes(6).toString('hex')}`;
  await createAccount(
    { id, username, name, password: input.password, memberships: [{ compoundId: '*', roles: ['admin'] }] },
    { username: 'username', password: 'password', code: 'invalid' },
  );
  return { id, username, name };
}
