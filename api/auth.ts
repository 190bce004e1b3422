import type { NextFunction, Request, Response } from 'express';
import jwt from 'jsonwebtoken';
import { DomainError } from '../domain/errors';
import { isRole, rolesGrant, type Permission, type Role } from '../domain/roles';
import { User } from '../models/user';
import { USER_ID, keyOf } from '../services/tokens';

export interface AuthUser {
  id: string;
  name: string;
  memberships: { compoundId: string; roles: Role[] }[];
  tokenVersion: number;
  deactivated: boolean;
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: AuthUser;
    /** The user's roles in the compound of this request (set by authorize). */
    roles?: Role[];
  }
}

/**
 * Users as signed-in requests need them, kept a few seconds: a burst of requests by one resident reads
 * their record once. Short, so a changed membership takes effect at once for practical purposes.
 */
const USER_TTL_MS = 3_000;
const users = new Map<string, { at: number; user: AuthUser | null }>();
async function loadAuthUser(userId: string): Promise<AuthUser | null> {
  const hit = users.get(userId);
  if (hit && Date.now() - hit.at < USER_TTL_MS) return hit.user;
  const u = await User.findById(userId, {
    name: 1,
    memberships: 1,
    tokenVersion: 1,
    deactivatedAt: 1,
  }).lean();
  const user = u
    ? {
        id: u._id,
        name: u.name,
        memberships: u.memberships.map((m) => ({ compoundId: m.compoundId, roles: m.roles.filter(isRole) })),
        tokenVersion: u.tokenVersion ?? 0,
        deactivated: Boolean(u.deactivatedAt),
      }
    : null;
  if (users.size > 10_000) users.clear();
  users.set(userId, { at: Date.now(), user });
  return user;
}

/** This process forgets a user at once when their password, status or roles change (others within seconds). */
export function forgetUser(userId: string): void {
  users.delete(userId);
}

/** Reads the bearer token, if any, and loads its user. Routes that need one use authorize(). */
export function authenticate(secret: string) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer (.+)$/.exec(header);
    if (!match?.[1]) throw new DomainError('unauthenticated', '登录凭证格式错误，应为 Bearer <token>');
    let userId: string | undefined;
    let version: number | undefined;
    try {
      const payload = jwt.verify(match[1], keyOf(secret), { algorithms: ['HS256'] });
      // Ours always expire and name a user by a plain id; anything else was not made by signToken.
      if (typeof payload !== 'object' || typeof payload.exp !== 'number') throw new Error('no expiry');
      if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub)) throw new Error('bad subject');
      userId = payload.sub;
      version = typeof payload.tv === 'number' ? payload.tv : 0;
    } catch {
      throw new DomainError('unauthenticated', '登录已过期或凭证无效，请重新登录');
    }
    const user = userId ? await loadAuthUser(userId) : null;
    if (!user) throw new DomainError('unauthenticated', '用户不存在，请重新登录');
    if (user.deactivated) throw new DomainError('unauthenticated', '账号已停用');
    // A password changed or reset since this token was made: it no longer speaks for the user.
    if ((version ?? 0) !== user.tokenVersion)
      throw new DomainError('unauthenticated', '密码已更改，请重新登录');
    req.user = user;
    next();
  };
}

export function rolesIn(user: AuthUser, compoundId: string): Role[] {
  const roles = new Set<Role>();
  for (const m of user.memberships) {
    if (m.compoundId === compoundId || m.compoundId === '*') m.roles.forEach((r) => roles.add(r));
  }
  return [...roles];
}

/**
 * Requires a signed-in user holding `permission` in the compound named by the route's :compoundId (or,
 * on a route of no compound, in every compound).
 * A user of another compound is refused whatever their roles there.
 */
export function checkPermission(req: Request, permission: Permission): Role[] {
  if (!req.user) throw new DomainError('unauthenticated', '请先登录');
  const raw = req.params.compoundId;
  const compoundId = Array.isArray(raw) ? raw.join('/') : raw;
  // A route of no compound (communities, new compounds) is the deployment's: only roles held in every
  // compound ('*', the administrators) count there.
  const roles = rolesIn(req.user, compoundId || '*');
  if (roles.length === 0)
    throw new DomainError('forbidden', compoundId ? '您不是该小区的成员，无权访问' : '该操作仅限系统管理员');
  if (!rolesGrant(roles, permission)) {
    throw new DomainError('forbidden', '您的角色无权进行此操作', { permission });
  }
  req.roles = roles;
  return roles;
}
