/** Sign-in tokens: HS256, always expiring, naming a user by a plain id. */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** The secret as a key object, made once: jsonwebtoken would otherwise build one on every request. */
const keys = new Map<string, KeyObject>();
export function keyOf(secret: string): KeyObject {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = createSecretKey(Buffer.from(secret, 'utf8'))));
  return k;
}

/** A user id as tokens carry it: no operators, no dots, bounded. */
export const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `version` is the user's token version: a password change or a deactivation bumps it, ending older tokens. */
export function signToken(userId: string, secret: string, ttlSeconds: number, version = 0): string {
  return jwt.sign({ tv: version }, keyOf(secret), {
    subject: userId,
    expiresIn: ttlSeconds,
    algorithm: 'HS256',
  });
}
