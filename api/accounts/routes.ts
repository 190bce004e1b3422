/** 账号: signing in, who I am and where, and my inbox. */
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { ROLE_LABELS } from '../../domain/roles';
import { Compound } from '../../models/compound';
import { Notification } from '../../models/notification';
import { User } from '../../models/user';
import { hashPassword, verifyPassword } from '../../services/passwords';
import { changeOwnPassword, deactivateAccount, resetPassword } from '../../services/accounts';
import { USER_ID, signToken } from '../../services/tokens';
import type { AppDeps } from '../deps';
import { forgetUser, rolesIn } from '../auth';
import { rateLimit } from '../rate-limit';
import { route, type RouteDef } from '../route-table';
import { at, bool, filled, compoundParams, opt } from '../schemas';

const loginBody = z.strictObject({
  username: filled(1, '请输入用户名').max(100),
  password: z.string().min(1, '请输入密码').max(200),
});

const userParams = compoundParams.extend({ userId: z.string().regex(USER_ID, '不是有效的用户编号') });
const account = z.strictObject({ id: z.string(), name: z.string(), deactivated: z.boolean() });

/** Checked when the user name is unknown, so that case costs what a wrong password costs. */
let decoyHash: Promise<string> | undefined;

export function accountRoutes(deps: AppDeps): RouteDef[] {
  // Guessing passwords: bounded per address and, across addresses, per user name.
  const byAddress = rateLimit('登录尝试', { burst: 10, perMinute: 10 });
  const byName = rateLimit('该账号的登录尝试', { burst: 5, perMinute: 5 });
  return [
    route({
      method: 'post',
      path: '/auth/login',
      tag: '账号',
      summary: '用用户名和密码登录，得到登录凭证（Bearer token）',
      access: 'public',
      body: loginBody,
      rateLimit: byAddress,
      refusals: [413, 415],
      response: z.strictObject({
        token: z.string(),
        expiresIn: z.number(),
        user: z.strictObject({
          id: z.string(),
          name: z.string(),
          memberships: z.array(z.looseObject({ compoundId: z.string(), roles: z.array(z.string()) })),
        }),
      }),
      handler: async ({ body: { username, password }, limit }) => {
        limit(byName, username);
        const user = await User.findOne({ username }).select('+passwordHash').lean();
        const stored = user?.passwordHash ?? (await (decoyHash ??= hashPassword('decoy-not-a-password')));
        const ok = await verifyPassword(password, stored);
        // The same answer for an unknown user and a wrong password, so names cannot be probed.
        if (!user || !ok) throw new DomainError('unauthenticated', '用户名或密码错误');
        if (user.deactivatedAt) throw new DomainError('unauthenticated', '账号已停用，请联系社区工作人员');
        return {
          token: signToken(
            user._id,
            deps.config.jwtSecret,
            deps.config.tokenTtlSeconds,
            user.tokenVersion ?? 0,
          ),
          expiresIn: deps.config.tokenTtlSeconds,
          user: {
            id: user._id,
            name: user.name,
            memberships: user.memberships.map((m) => ({ compoundId: m.compoundId, roles: m.roles })),
          },
        };
      },
    }),
    route({
      method: 'post',
      path: '/auth/password',
      tag: '账号',
      summary: '修改自己的密码（其他设备上的登录随之失效）',
      access: 'signedIn',
      body: z.strictObject({
        currentPassword: z.string().min(1, '请输入当前密码').max(200),
        newPassword: z.string().min(1, '请输入新密码').max(200),
      }),
      rateLimit: byAddress,
      response: z.strictObject({ token: z.string(), expiresIn: z.number() }),
      handler: async ({ body, actor, limit }) => {
        const me = actor();
        limit(byName, me.userId);
        const version = await changeOwnPassword(me.userId, body.currentPassword, body.newPassword);
        forgetUser(me.userId);
        return {
          token: signToken(me.userId, deps.config.jwtSecret, deps.config.tokenTtlSeconds, version),
          expiresIn: deps.config.tokenTtlSeconds,
        };
      },
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/users/:userId/reset-password',
      tag: '账号',
      summary: '工作人员为本小区成员重设密码（其原有登录全部失效）',
      access: 'account:manage',
      params: userParams,
      body: z.strictObject({ newPassword: z.string().min(1, '请输入新密码').max(200) }),
      response: account,
      handler: async ({ params, body, roles }) => {
        const done = await resetPassword(
          params.compoundId,
          params.userId,
          body.newPassword,
          roles.includes('admin'),
        );
        forgetUser(params.userId);
        return done;
      },
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/users/:userId/deactivate',
      tag: '账号',
      summary: '停用账号（不能再登录，原有登录失效；其记录保留）',
      access: 'account:manage',
      params: userParams,
      refusals: [409],
      response: account,
      handler: async ({ params, roles, actor }) => {
        const done = await deactivateAccount(
          params.compoundId,
          params.userId,
          actor().userId,
          roles.includes('admin'),
        );
        forgetUser(params.userId);
        return done;
      },
    }),
    route({
      method: 'get',
      path: '/me',
      tag: '账号',
      summary: '我是谁：姓名，以及我在各小区的角色',
      access: 'signedIn',
      response: z.strictObject({
        id: z.string(),
        name: z.string(),
        compounds: z.array(
          z.strictObject({
            id: z.string(),
            name: z.string(),
            roles: z.array(z.string()),
            roleLabels: z.array(z.string()),
          }),
        ),
      }),
      handler: async ({ req }) => {
        const u = req.user!;
        const ids = u.memberships.some((m) => m.compoundId === '*')
          ? (await Compound.find({}, { _id: 1 }).lean()).map((c) => c._id)
          : u.memberships.map((m) => m.compoundId);
        const compounds = await Compound.find({ _id: { $in: ids } }, { name: 1 }).lean();
        return {
          id: u.id,
          name: u.name,
          compounds: compounds.map((c) => {
            const roles = rolesIn(u, c._id);
            return { id: c._id, name: c.name, roles, roleLabels: roles.map((x) => ROLE_LABELS[x]) };
          }),
        };
      },
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/inbox',
      tag: '账号',
      summary: '我的通知（发给我本人或我的角色），新的在前',
      access: 'inbox:read',
      params: compoundParams,
      query: z.strictObject({
        unread: bool.optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
      response: z.strictObject({
        items: z.array(
          z.looseObject({
            id: z.string(),
            title: z.string(),
            body: z.string(),
            voiceId: opt(z.string()),
            createdAt: at,
            read: z.boolean(),
          }),
        ),
      }),
      handler: async ({ params, query: { unread, limit }, req, roles }) => {
        const query: Record<string, unknown> = {
          compoundId: params.compoundId,
          $or: [{ 'to.userId': req.user!.id }, { 'to.role': { $in: roles } }],
        };
        if (unread) query.readBy = { $ne: req.user!.id };
        const items = await Notification.find(query, { deliveries: 0, delivered: 0 })
          .sort({ createdAt: -1 })
          .limit(limit)
          .lean();
        return {
          items: items.map((n) => ({
            id: n._id,
            title: n.title,
            body: n.body,
            to: n.to,
            voiceId: n.voiceId,
            createdAt: n.createdAt,
            read: (n.readBy ?? []).includes(req.user!.id),
          })),
        };
      },
    }),
  ];
}
