/**
 * The open intake's own router: it parses forms as well as JSON (Open311 posts forms), treats empty and
 * null fields as absent (the spec's "optional"), and answers every refusal in Open311's shape.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { DomainError } from '../../domain/errors';
import { describeError, retryAfter } from '../errors';
import { mount, type MountOptions, type RouteDef } from '../route-table';

/** `body.service_code` → `service_code`: Open311 clients know their fields by their own names. */
const fieldName = (field: string) => field.replace(/^(body|query|params)\./, '');

function dropEmpty(req: Request, _res: Response, next: NextFunction) {
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body))
    for (const [k, v] of Object.entries(body)) if (v === '' || v === null) delete body[k];
  next();
}

export function open311Router(routes: readonly RouteDef[], opts: MountOptions, log?: (err: unknown) => void) {
  const router = express.Router();
  router.use(express.json({ limit: '100kb' }));
  router.use(express.urlencoded({ extended: true, limit: '100kb', parameterLimit: 100 }));
  router.use(dropEmpty);
  mount(router, routes, opts);
  // A path it has, with a method it does not: 405 with the methods it takes, in its own shape.
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) byPath.set(r.path, (byPath.get(r.path) ?? new Set()).add(r.method.toUpperCase()));
  for (const [path, methods] of byPath) {
    const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].join(', ');
    router.all(path, (req: Request, res: Response) => {
      res.setHeader('Allow', allow);
      res.status(405).json([{ code: 405, description: `该接口不支持 ${req.method} 方法，可用：${allow}` }]);
    });
  }
  router.use((_req: Request, _res: Response, next: NextFunction) => {
    next(new DomainError('not_found', '没有这个接口'));
  });
  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const reply = describeError(err);
    if (!reply) {
      (log ?? console.error)(err);
      res.status(500).json([{ code: 500, description: '服务器内部错误，请稍后再试' }]);
      return;
    }
    retryAfter(res, reply);
    // Open311 knows 400 for every request it cannot fulfil: a rule beyond the shape (422 elsewhere) too.
    const status = reply.status === 422 ? 400 : reply.status;
    const problems = (reply.details as { fields?: { field: string; message: string }[] } | undefined)?.fields;
    const body = problems?.length
      ? problems.map((p) => ({ code: status, description: `${fieldName(p.field)}：${p.message}` }))
      : [{ code: status, description: reply.message }];
    res.status(status).json(body);
  });
  return router;
}
