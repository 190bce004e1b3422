/**
 * One declaration per route: method, path, who may call it, zod schemas for what comes in and goes out,
 * and a handler that calls one function. The same declaration validates the request, checks the
 * permission, types the handler's input and writes the OpenAPI document (api/openapi.ts).
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { DomainError } from '../domain/errors';
import { recordAudit, withChanges, type AuditChange } from '../services/audit';
import type { Permission, Role } from '../domain/roles';
import type { Actor } from '../workflows/contract';
import { checkPermission } from './auth';
import { loadCompound } from '../services/compounds';
import { verifyApiKey, type ApiKeyPrincipal } from '../services/api-keys';
import type { RateLimit } from './rate-limit';

declare module 'express-serve-static-core' {
  interface Request {
    /** The outside system calling with its key (routes whose access is `apiKey`). */
    apiKey?: ApiKeyPrincipal;
  }
}

/**
 * Who may call a route:
 * - `public`: anyone, signed in or not;
 * - `signedIn`: any signed-in user (the function decides what they see);
 * - a permission: signed in, holding it in the compound named by `:compoundId`;
 * - `{ permission, unlessPublished }`: open to anyone when the compound publishes it (e.g. its echo wall);
 * - `apiKey`: an outside system, by the `api_key` staff issued it (in the query, or the body of a POST).
 */
export type Access =
  'public' | 'signedIn' | 'apiKey' | Permission | { permission: Permission; unlessPublished: true };

type Method = 'get' | 'post' | 'patch';
type Obj = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

export interface Input<P extends Obj, Q extends Obj, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The signed-in user's roles in this route's compound (empty where there is none). */
  roles: Role[];
  /** The caller as workflows record them; only for routes that require sign-in. */
  actor: () => Actor;
  /** The uploaded file's bytes; only for routes that declare `upload`. */
  upload: () => Buffer;
  /** The outside system's key; only for routes whose access is `apiKey`. */
  apiKey: () => ApiKeyPrincipal;
  /** Takes one call from a limit of the handler's own (keyed by what it knows, e.g. a user name). */
  limit: (limit: RateLimit, key: string) => void;
  req: Request;
  res: Response;
}

/** A JSON answer with another status than the route's usual one (e.g. 200 for a repeated intake). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}
/** The handler wrote the response itself (a file, a stream). */
export const WRITTEN = Symbol('written');

export interface RouteDef<P extends Obj = Obj, Q extends Obj = Obj, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** Express syntax (`:compoundId`); the document shows `{compoundId}`. */
  path: string;
  /** The matter it belongs to: the document's tag. */
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented request headers (checked by the handler, e.g. Idempotency-Key). */
  headers?: Obj;
  /** Body encodings the route takes (JSON unless told; the router must parse the others). */
  bodyTypes?: string[];
  /**
   * The body is a file (e.g. an Excel workbook) of one of these content types, at most `maxBytes`: read
   * after the access check, handed to the handler as `upload()`; another type is 415, a larger one 413.
   */
  upload?: { types: string[]; maxBytes: number; description: string };
  /** Where the method and path alone would not make a unique operationId (e.g. `/requests.json` and `/requests/:id.json`). */
  operationId?: string;
  /** The shape of its refusals, where it is not the API's own (an outside standard's). */
  errorBody?: z.ZodType;
  /** The usual success: its status (200 unless told) and JSON schema, or a file's content types. */
  status?: number;
  response: z.ZodType | { file: string[]; description: string };
  /** Other successes, e.g. `{ 200: '重复提交' }` beside a 202. */
  otherSuccess?: Record<number, string>;
  /** Refusals this route can give beyond the ones every route can (400, 401, 403, 404, 429). */
  refusals?: (409 | 413 | 415 | 503)[];
  /** A limit per user (or address, when signed out) on calls, for costly routes. */
  rateLimit?: RateLimit;
  /** false for writes whose own record is their audit (a voice's timeline, a counted ballot). */
  audit?: false;
  handler: (input: Input<P, Q, B>) => Promise<unknown>;
}

/** Declares a route; the generics carry the schemas' types into the handler. */
export function route<P extends Obj = Obj, Q extends Obj = Obj, B extends z.ZodType = z.ZodType>(
  def: RouteDef<P, Q, B>,
): RouteDef {
  return def as unknown as RouteDef;
}

/** A route with no query declares none: any query parameter is refused. */
const NO_QUERY = z.strictObject({});
/** A POST with no body declares an empty one: any field is refused. */
const NO_BODY = z.strictObject({});

function parse(
  part: 'params' | 'query' | 'body' | 'header',
  schema: z.ZodType,
  value: unknown,
  problems: { field: string; message: string; rule: boolean }[],
): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    // A header is named as clients write it (Idempotency-Key); other parts by their path (body.text).
    const field =
      part === 'header'
        ? String(issue.path[0] ?? '').replace(/(^|-)(\w)/g, (_m, d: string, c: string) => d + c.toUpperCase())
        : [part, ...issue.path.map(String)].join('.');
    // A refinement (code 'custom') is a rule the document states only in words, not a shape it declares.
    problems.push({ field, message: issue.message, rule: issue.code === 'custom' });
  }
  return undefined;
}

async function checkAccess(req: Request, access: Access): Promise<Role[]> {
  if (access === 'public') return [];
  if (access === 'apiKey') {
    const inBody: unknown =
      req.method === 'POST' ? (req.body as { api_key?: unknown } | undefined)?.api_key : undefined;
    req.apiKey = await verifyApiKey(inBody ?? req.query.api_key);
    return [];
  }
  if (access === 'signedIn') {
    if (!req.user) throw new DomainError('unauthenticated', '请先登录');
    return [];
  }
  if (typeof access === 'object') {
    const compound = await loadCompound(String(req.params.compoundId ?? ''));
    if (compound.echoWallPublic) return [];
    return checkPermission(req, access.permission);
  }
  return checkPermission(req, access);
}

export interface MountOptions {
  /** In tests, every JSON answer is checked against its declared schema (a mismatch is a 500). */
  checkResponses?: boolean;
  /** Off only where one client plays many people at once (the test suites). */
  rateLimits?: boolean;
  log?: (msg: string) => void;
}

/** Binds the declarations to a router: access, then validation, then the handler, then the answer. */
export function mount(router: Router, routes: readonly RouteDef[], opts: MountOptions = {}): void {
  for (const def of routes) {
    const query = def.query ?? NO_QUERY;
    const body = def.upload ? undefined : (def.body ?? (def.method === 'get' ? undefined : NO_BODY));
    const readFile = def.upload ? fileReader(def.upload) : undefined;
    router[def.method](def.path, async (req: Request, res: Response) => {
      const roles = await checkAccess(req, def.access);
      if (def.rateLimit && opts.rateLimits !== false)
        def.rateLimit.take(req.apiKey?.id ?? req.user?.id ?? `ip:${req.ip ?? ''}`, res);
      const file = readFile ? await readFile(req, res) : undefined;
      const problems: { field: string; message: string; rule: boolean }[] = [];
      const params = def.params ? parse('params', def.params, req.params, problems) : req.params;
      const q = parse('query', query, req.query, problems);
      const b = body ? parse('body', body, req.body ?? {}, problems) : undefined;
      if (def.headers) parse('header', def.headers, req.headers, problems);
      if (problems.length) {
        const first = problems[0]!;
        // 400 when the request is not the documented shape; 422 when it is, but breaks a stated rule.
        const code = problems.every((p) => p.rule) ? 'unprocessable' : 'invalid';
        throw new DomainError(code, `请求参数有误：${first.field} ${first.message}`, {
          field: first.field,
          fields: problems.map(({ field, message }) => ({ field, message })),
        });
      }
      // Anything behind a sign-in may carry personal data: no cache keeps it.
      if (def.access !== 'public') res.setHeader('Cache-Control', 'no-store');
      const input: Input<Obj, Obj, z.ZodType> = {
        params: params as Record<string, unknown>,
        query: q as Record<string, unknown>,
        body: b,
        roles,
        actor: () => {
          if (!req.user) throw new DomainError('unauthenticated', '请先登录');
          return { userId: req.user.id, name: req.user.name, roles };
        },
        upload: () => {
          if (!file) throw new DomainError('invalid', '请上传文件', { field: 'body' });
          return file;
        },
        apiKey: () => {
          if (!req.apiKey) throw new DomainError('forbidden', '缺少 api_key（外部系统接入密钥）');
          return req.apiKey;
        },
        limit: (limit, key) => {
          if (opts.rateLimits !== false) limit.take(key, res);
        },
        req,
        res,
      };
      // A write keeps what its services report they changed (recordChange) for its audit entry.
      let result: unknown;
      let changes: AuditChange[] = [];
      let compounds: string[] | undefined;
      if (def.method === 'get') result = await def.handler(input);
      else ({ result, changes, compounds } = await withChanges(() => def.handler(input)));
      if (result === WRITTEN) return;
      const status = result instanceof Reply ? result.status : (def.status ?? 200);
      const payload = result instanceof Reply ? result.body : result;
      if (opts.checkResponses && !('file' in def.response)) checkResponse(def, status, payload);
      const inCompound = typeof req.params.compoundId === 'string' ? req.params.compoundId : undefined;
      const user = req.user;
      if (def.method !== 'get' && user && def.audit !== false)
        for (const compoundId of inCompound ? [inCompound] : (compounds ?? ['*'])) {
          await recordAudit({
            compoundId,
            actor: { userId: user.id, name: user.name, roles },
            address: req.ip,
            method: def.method.toUpperCase(),
            route: def.path,
            path: req.originalUrl.slice(0, 500),
            status,
            request: b,
            result: payload,
            changes,
          }).catch((err: unknown) => opts.log?.(`[audit] not recorded: ${String(err)}`));
        }
      res.status(status).json(payload);
    });
  }
}

/** Reads an upload route's body as bytes: its content type checked first (415), its size bounded (413). */
function fileReader(upload: NonNullable<RouteDef['upload']>) {
  const raw = express.raw({ type: upload.types, limit: upload.maxBytes });
  return async (req: Request, res: Response): Promise<Buffer> => {
    if (!req.is(upload.types))
      throw Object.assign(new Error(`请上传 ${upload.description}（Content-Type: ${upload.types[0]}）`), {
        status: 415,
        type: 'media.unsupported',
      });
    await new Promise<void>((resolve, reject) =>
      raw(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve())),
    );
    const body: unknown = req.body;
    // An empty file is bytes as documented, but not a workbook: a rule broken, 422.
    if (!Buffer.isBuffer(body) || !body.length)
      throw new DomainError('unprocessable', `请上传 ${upload.description}`, { field: 'body' });
    return body;
  };
}

/** What the client will read, checked against the document (tests only: it costs a parse per answer). */
function checkResponse(def: RouteDef, status: number, payload: unknown): void {
  const json: unknown = JSON.parse(JSON.stringify(payload) ?? 'null');
  const schema = def.response as z.ZodType;
  const result = schema.safeParse(json);
  if (!result.success)
    throw new Error(
      `${def.method.toUpperCase()} ${def.path} answered ${status} with a body its schema refuses: ${z.prettifyError(result.error)}`,
    );
  if (containsInternalField(json))
    throw new Error(`${def.method.toUpperCase()} ${def.path} answered an internal field (_id or __v)`);
}

function containsInternalField(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(containsInternalField);
  if (v && typeof v === 'object')
    return Object.entries(v).some(([k, x]) => k === '_id' || k === '__v' || containsInternalField(x));
  return false;
}

/**
 * A path the API has, called with a method it does not: 405 with the methods it does take (the route
 * table knows them all), instead of a 404 that would suggest the path is wrong.
 */
export function methodNotAllowed(router: Router, routes: readonly RouteDef[]): void {
  const byPath = new Map<string, Set<string>>();
  for (const r of routes) {
    const set = byPath.get(r.path) ?? new Set<string>();
    set.add(r.method.toUpperCase());
    if (r.method === 'get') set.add('HEAD');
    byPath.set(r.path, set);
  }
  for (const [path, methods] of byPath) {
    const allow = [...methods].join(', ');
    router.all(path, (req: Request, res: Response) => {
      res.setHeader('Allow', allow);
      res.status(405).json({
        error: { code: 'method_not_allowed', message: `该接口不支持 ${req.method} 方法，可用：${allow}` },
      });
    });
  }
}
