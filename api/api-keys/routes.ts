/** 外部系统接入密钥: staff issue, list and revoke the keys outside systems file voices with. */
import { z } from 'zod';
import { MAX_ACTIVE_API_KEYS } from '../../domain/open311';
import { issueApiKey, listApiKeys, revokeApiKey } from '../../services/api-keys';
import type { AppDeps } from '../deps';
import { route, type RouteDef } from '../route-table';
import { at, compoundId, compoundParams, opt, text } from '../schemas';

const keyParams = z.strictObject({
  compoundId,
  keyId: z.string().regex(/^[0-9a-f]{10}$/, '不是有效的密钥编号'),
});
const keyView = z
  .looseObject({
    id: z.string(),
    name: z.string(),
    masked: z.string().meta({ description: '密钥的可见前缀，其余部分从不保存' }),
    issuedAt: at,
    issuedBy: opt(z.string()),
    revokedAt: opt(at),
    revokedBy: opt(z.string()),
    active: z.boolean(),
  })
  .meta({ id: 'ApiKey', description: '外部系统接入密钥（遮蔽）' });

export function apiKeyRoutes(deps: AppDeps): RouteDef[] {
  const now = () => deps.clock?.() ?? new Date();
  return [
    route({
      method: 'post',
      path: '/compounds/:compoundId/api-keys',
      tag: '外部系统接入',
      summary: '为外部系统（如 12345 热线平台）签发接入密钥（完整密钥只在此次答复中出现一次）',
      description: `每个小区同时在用的密钥最多 ${MAX_ACTIVE_API_KEYS} 个；签发记入监事会记实。`,
      access: 'apikey:manage',
      params: compoundParams,
      body: z.strictObject({ name: text('外部系统名称', 50) }),
      status: 201,
      refusals: [409],
      response: keyView.extend({
        key: z.string().meta({ description: '完整密钥：请立即交给外部系统保存，之后无法再次查看' }),
      }),
      handler: ({ params, body, actor }) => {
        const a = actor();
        return issueApiKey(params.compoundId, body.name, { userId: a.userId, name: a.name }, now());
      },
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/api-keys',
      tag: '外部系统接入',
      summary: '本小区的外部系统接入密钥（遮蔽），新的在前',
      access: 'apikey:manage',
      params: compoundParams,
      response: z.looseObject({ items: z.array(keyView) }),
      handler: async ({ params }) => ({ items: await listApiKeys(params.compoundId) }),
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/api-keys/:keyId/revoke',
      tag: '外部系统接入',
      summary: '吊销外部系统接入密钥（立即生效；吊销记入监事会记实）',
      access: 'apikey:manage',
      params: keyParams,
      response: keyView,
      handler: ({ params, actor }) => {
        const a = actor();
        return revokeApiKey(params.compoundId, params.keyId, { userId: a.userId, name: a.name }, now());
      },
    }),
  ];
}
