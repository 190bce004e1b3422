/** 账号: signing in, who I am and where, and my inbox. */
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { MOBILE_PATTERN, RESIDENT_RELATIONS } from '../../domain/people';
import { Notification } from '../../models/notification';
import { User } from '../../models/user';
import { hashPassword, verifyPassword } from '../../services/passwords';
import { changeOwnPassword, deactivateAccount, resetPassword } from '../../services/accounts';
import { correctOwnData, myProfile, sendPhoneChangeCode } from '../../services/profile';
import { USER_ID, signToken } from '../../services/tokens';
import type { AppDeps } from '../deps';
import { forgetUser } from '../auth';
import { rateLimit } from '../rate-limit';
import { route, type RouteDef } from '../route-table';
import { at, bool, filled, compoundParams, idNumber, opt } from '../schemas';

const loginBody = z.strictObject({
  username: filled(1, '请输入用户名').max(100),
  password: z.string().min(1, '请输入密码').max(200),
});

const userParams = compoundParams.extend({ userId: z.string().regex(USER_ID, '不是有效的用户编号') });
const account = z.strictObject({ id: z.string(), name: z.string(), deactivated: z.boolean() });
const mobile = z.string().regex(MOBILE_PATTERN, '应为 11 位手机号码，如 13812345678');
const profile = z
  .strictObject({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    phone: z.string().optional(),
    idNumber: z.string().optional().meta({ description: '脱敏显示，如 6101**********1234' }),
    compounds: z.array(
      z.strictObject({
        id: z.string(),
        name: z.string(),
        roles: z.array(z.string()),
        roleLabels: z.array(z.string()),
      }),
    ),
    rooms: z.array(
      z.strictObject({
        compoundId: z.string(),
        compoundName: z.string(),
        roomId: z.string(),
        buildingId: z.string(),
        buildingName: z.string(),
        number: z.string(),
        relation: z.enum(RESIDENT_RELATIONS),
        relationLabel: z.string(),
      }),
    ),
  })
  .meta({ id: 'MyProfile', description: '我的资料（本人可见可改）' });

/** Checked when the user name is unknown, so that case costs what a wrong password costs. */
let decoyHash: Promise<string> | undefined;

export function accountRoutes(deps: AppDeps): RouteDef[] {
  // Guessing passwords: bounded per address and, across addresses, per user name.
  const byAddress = rateLimit('登录尝试', { burst: 10, perMinute: 10 });
  const byName = rateLimit('该账号的登录尝试', { burst: 5, perMinute: 5 });
  const codesByUser = rateLimit('获取验证码', { burst: 5, perMinute: 5 });
  const corrections = rateLimit('修改资料', { burst: 10, perMinute: 10 });
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
      summary: '我的资料：姓名、手机号、身份证号（脱敏）、所住房屋，以及我在各小区的角色',
      access: 'signedIn',
      response: profile,
      handler: ({ actor }) => myProfile(actor().userId),
    }),
    route({
      method: 'patch',
      path: '/me',
      tag: '账号',
      summary: '更正我的资料：姓名、身份证号（null 为清除）；换手机号须附发到新手机的验证码',
      access: 'signedIn',
      body: z
        .strictObject({
          name: filled(1, '请填写姓名').max(50, '姓名最多 50 字').optional(),
          phone: mobile.optional(),
          code: z
            .string()
            .regex(/^\d{6}$/, '验证码为 6 位数字')
            .optional(),
          idNumber: idNumber.nullable().optional(),
        })
        .superRefine((b, ctx) => {
          if (b.phone !== undefined && b.code === undefined)
            ctx.addIssue({ code: 'custom', path: ['code'], message: '更换手机号须填写发到新手机的验证码' });
          if (b.code !== undefined && b.phone === undefined)
            ctx.addIssue({ code: 'custom', path: ['phone'], message: '验证码须与新手机号一起提交' });
        }),
      rateLimit: corrections,
      refusals: [409],
      response: profile,
      handler: async ({ body, actor }) => {
        const me = actor();
        const done = await correctOwnData(me.userId, body);
        forgetUser(me.userId);
        return done;
      },
    }),
    route({
      method: 'post',
      path: '/me/phone-code',
      tag: '账号',
      summary: '获取更换手机号的验证码（短信发到新手机号，10 分钟内有效）',
      access: 'signedIn',
      body: z.strictObject({ phone: mobile }),
      rateLimit: codesByUser,
      refusals: [409, 503],
      response: z.strictObject({ sent: z.boolean(), validSeconds: z.number() }),
      handler: ({ body, actor }) => {
        if (!deps.oneTimeCodes)
          throw new DomainError('unavailable', '短信服务未配置，请联系社区工作人员更正');
        return sendPhoneChangeCode(deps.oneTimeCodes, actor().userId, body.phone);
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
