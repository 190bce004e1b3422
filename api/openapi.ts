/** The API document (OpenAPI 3.1), written from the route table: the same schemas that validate. */
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import type { RouteDef } from './route-table';
import { errorBody } from './schemas';

const REFUSALS: Record<number, string> = {
  400: '请求有误：body/query/params 中哪个字段有什么问题',
  401: '未登录，或登录凭证无效、已过期',
  403: '已登录，但无权在该小区进行此操作',
  404: '没有这个小区或事项',
  405: '该路径不支持此方法（Allow 头给出可用方法）',
  409: '事项此刻的状态不允许这样做（如已办结、表决已结束、流程未启动）',
  413: '请求体过大',
  422: '格式正确，但违反了说明中的规则（如没有这个楼栋、时间已过、两个字段互相矛盾）',
  415: '不支持的请求体类型或编码（请用 UTF-8 JSON）',
  429: '过于频繁（Retry-After 头给出多少秒后再试）',
  503: '依赖的服务暂时不可用，请稍后再试',
};

const errorContent = { 'application/json': { schema: errorBody } };

function operation(def: RouteDef): ZodOpenApiOperationObject {
  const statuses = new Set<number>([400, 404, 405, 429, ...(def.refusals ?? [])]);
  if (def.access !== 'public') statuses.add(401).add(403);
  // A bad token is refused on any route, public ones too (a client should learn its token is wrong).
  statuses.add(401);
  // A key is not a sign-in: a missing or wrong one is 403 (as Open311 says), never 401.
  if (def.access === 'apiKey') statuses.delete(401);
  const refusalContent = def.errorBody ? { 'application/json': { schema: def.errorBody } } : errorContent;
  if (def.method !== 'get') statuses.add(413).add(415);
  // Routes refusing in another standard's shape (Open311) answer such rules with its 400 instead.
  if ((def.body || def.query || def.upload) && !def.errorBody) statuses.add(422);
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  const status = def.status ?? 200;
  if ('file' in def.response) {
    const file = def.response;
    responses[status] = {
      description: file.description,
      content: Object.fromEntries(file.file.map((t) => [t, { schema: z.string() }])),
    };
  } else {
    const content = { 'application/json': { schema: def.response } };
    responses[status] = { description: '成功', content };
    for (const [s, description] of Object.entries(def.otherSuccess ?? {}))
      responses[s] = { description, content };
  }
  for (const s of [...statuses].sort()) responses[s] = { description: REFUSALS[s]!, content: refusalContent };
  const op: ZodOpenApiOperationObject = {
    operationId: def.operationId ?? operationId(def),
    tags: [def.tag],
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    requestParams: {
      ...(def.params ? { path: def.params as never } : {}),
      ...(def.query ? { query: def.query as never } : {}),
      ...(def.headers ? { header: def.headers as never } : {}),
    },
    responses: responses as ZodOpenApiOperationObject['responses'],
    // Public routes (and published pages) take a token but do not need one; the others need one.
    security:
      def.access === 'apiKey'
        ? [{ apiKey: [] }]
        : def.access === 'public' || typeof def.access === 'object'
          ? [{}, { bearer: [] }]
          : [{ bearer: [] }],
    'x-permission': typeof def.access === 'object' ? def.access.permission : def.access,
  };
  if (def.upload)
    op.requestBody = {
      required: true,
      description: `${def.upload.description}，最大 ${Math.round(def.upload.maxBytes / 1024 / 1024)} MB`,
      content: Object.fromEntries(
        def.upload.types.map((t) => [t, { schema: z.string().meta({ format: 'binary' }) }]),
      ),
    };
  // A body whose fields are all optional may be left out (it reads as {}): the document says so.
  else if (def.body)
    op.requestBody = {
      required: !def.body.safeParse({}).success,
      content: Object.fromEntries(
        (def.bodyTypes ?? ['application/json']).map((t) => [t, { schema: def.body }]),
      ),
    };
  return op;
}

/** get /compounds/:compoundId/voices/:voiceId/accept → acceptVoice-like ids, unique by method and path. */
function operationId(def: RouteDef): string {
  const words = def.path
    .split(/[/.]/)
    .filter((p) => p && !p.startsWith(':'))
    .map((p) => p.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()));
  return [def.method, ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join('');
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/**
 * The document of the route table at `base`; `elsewhere` are tables mounted at other bases (the open
 * intake at /api/open311/v2), their paths carrying their own server.
 */
export function openApiDocument(
  routes: readonly RouteDef[],
  base = '/api/v1',
  elsewhere: { base: string; routes: readonly RouteDef[] }[] = [],
) {
  const paths: ZodOpenApiPathsObject = {};
  for (const def of routes) {
    const p = (paths[openApiPath(def.path)] ??= {});
    (p as Record<string, unknown>)[def.method] = operation(def);
  }
  for (const other of elsewhere) {
    for (const def of other.routes) {
      const p = (paths[openApiPath(def.path)] ??= { servers: [{ url: other.base }] });
      (p as Record<string, unknown>)[def.method] = operation(def);
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: '共治 gongzhi API',
      version: '1',
      description:
        '小区“五力合一”共治：居民反映、四会、整改、监事会记实、年度评估。每个接口声明所需权限（x-permission）；错误一律为 JSON：{ error: { code, message, details } }。',
    },
    servers: [{ url: base }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'POST /auth/login 得到的登录凭证',
        },
        apiKey: {
          type: 'apiKey',
          in: 'query',
          name: 'api_key',
          description:
            '社区工作人员为外部系统签发的接入密钥（gz311_…），只属于一个小区；POST 时也可放在表单或 JSON 请求体的 api_key 字段（Open311 的做法）',
        },
      },
    },
    paths,
  });
}
