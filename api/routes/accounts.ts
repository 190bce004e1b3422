import { Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { ROLE_LABELS } from '../../domain/roles';
import { Compound } from '../../models/compound';
import { Notification } from '../../models/notification';
import { User } from '../../models/user';
import { authorize, requireUser, rolesIn, signToken, verifyPassword } from '../auth';
import { input, validate } from '../validate';
import type { AppDeps } from '../app';

const loginBody = z.strictObject({
  username: z.string().trim().min(1, '请输入用户名').max(100),
  password: z.string().min(1, '请输入密码').max(200),
});

export function accountRoutes(deps: AppDeps): Router {
  const r = Router();

  r.post('/auth/login', validate({ body: loginBody }), async (req, res) => {
    const { username, password } = input<z.infer<typeof loginBody>>(req, 'body');
    const user = await User.findOne({ username }).select('+passwordHash').lean();
    // The same answer for an unknown user and a wrong password, so names cannot be probed.
    if (!user || !(await verifyPassword(password, user.passwordHash))) {
      throw new DomainError('unauthenticated', '用户名或密码错误');
    }
    res.json({
      token: signToken(user._id, deps.config.jwtSecret, deps.config.tokenTtlSeconds),
      expiresIn: deps.config.tokenTtlSeconds,
      user: { id: user._id, name: user.name, memberships: user.memberships },
    });
  });

  r.get('/me', requireUser, async (req, res) => {
    const u = req.user!;
    const ids = u.memberships.some((m) => m.compoundId === '*')
      ? (await Compound.find({}, { _id: 1 }).lean()).map((c) => c._id)
      : u.memberships.map((m) => m.compoundId);
    const compounds = await Compound.find({ _id: { $in: ids } }, { name: 1 }).lean();
    res.json({
      id: u.id,
      name: u.name,
      compounds: compounds.map((c) => {
        const roles = rolesIn(u, c._id);
        return { id: c._id, name: c.name, roles, roleLabels: roles.map((x) => ROLE_LABELS[x]) };
      }),
    });
  });

  const inboxQuery = z.strictObject({
    unread: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  });
  r.get(
    '/compounds/:compoundId/inbox',
    authorize('inbox:read'),
    validate({ query: inboxQuery }),
    async (req, res) => {
      const { unread, limit } = input<z.infer<typeof inboxQuery>>(req, 'query');
      const query: Record<string, unknown> = {
        compoundId: req.params.compoundId,
        $or: [{ 'to.userId': req.user!.id }, { 'to.role': { $in: req.roles } }],
      };
      if (unread === 'true') query.readBy = { $ne: req.user!.id };
      const items = await Notification.find(query, { deliveries: 0, delivered: 0 })
        .sort({ createdAt: -1 })
        .limit(limit)
        .lean();
      res.json({
        items: items.map((n) => ({
          id: n._id,
          title: n.title,
          body: n.body,
          to: n.to,
          voiceId: n.voiceId,
          createdAt: n.createdAt,
          read: (n.readBy ?? []).includes(req.user!.id),
        })),
      });
    },
  );

  return r;
}
