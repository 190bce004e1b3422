/** Passwords stored as scrypt hashes, never in the clear. */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

// scrypt is memory-hard: N=2^15, r=8 costs ~32 MiB and tens of milliseconds per guess.
const N = 2 ** 15;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * What an account made without a password holds (residents imported from a spreadsheet): no password
 * matches it until the office sets one.
 */
export const NO_PASSWORD = '!no-password';
const NOBODY_SALT = Buffer.alloc(16);

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !n || !r || !p || !salt || !hash) {
    // As long as a real check, so a sign-in cannot tell an account without a password from a wrong one.
    await scrypt(password, NOBODY_SALT, KEYLEN, { N, r: R, p: P, maxmem: MAXMEM });
    return false;
  }
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: MAXMEM,
  });
  return timingSafeEqual(key, expected);
}

export const MIN_PASSWORD_CHARS = 12;

/** Why a password is too weak to guard an administrator, or undefined when it will do. */
export function weakPassword(password: string, username: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_CHARS) return `密码至少 ${MIN_PASSWORD_CHARS} 个字符`;
  if ([...password].length > 200) return '密码最多 200 个字符';
  if (new Set(password).size < 4) return '密码过于简单（重复的字符太多）';
  if (password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  return undefined;
}
