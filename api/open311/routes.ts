/**
 * The open intake (Open311 GeoReport v2, JSON), mounted at /api/open311/v2: jurisdiction_id is the
 * compound's id, services are the kinds of voice × categories, a request is a voice. Outside systems call
 * with the key staff issued them; refusals are Open311's `[{ code, description }]`.
 */
import { z } from 'zod';
import { SERVICE_CODES, open311Services, parseServiceCode } from '../../domain/open311';
import { DomainError } from '../../domain/errors';
import { loadCompound } from '../../services/compounds';
import type { AppDeps } from '../deps';
import { rateLimit } from '../rate-limit';
import { route, type RouteDef } from '../route-table';
import { classificationCode, compoundId, idempotencyKey, isoDate, workOrderNo } from '../schemas';
import { fileRequest, findRequests, getRequest } from './requests';

export const open311Errors = z
  .array(
    z.strictObject({
      code: z.number().int().meta({ description: '与 HTTP 状态码一致' }),
      description: z.string().meta({ description: '给人看的说明（中文）' }),
    }),
  )
  .meta({ id: 'Open311Errors', description: 'Open311 的错误：每个问题一条' });

const TAG = '外部系统接入（Open311 GeoReport v2）';
const apiKey = z.string().max(200).meta({ description: '接入密钥（也可见 apiKey 安全方案）' }).optional();
const jurisdiction = compoundId.meta({ description: '小区编号（一个接口服务多个小区，故必填）' });
const phone = z.string().regex(/^[0-9+\-\s]{5,20}$/, '不是有效的电话号码');
const personal = (max: number) => z.string().trim().min(1).max(max);
const coordinate = (limit: number) => z.coerce.number().min(-limit).max(limit);

const service = z.looseObject({
  service_code: z.enum(SERVICE_CODES as [string, ...string[]]),
  service_name: z.string(),
  description: z.string(),
  metadata: z.literal(false),
  type: z.literal('realtime'),
  keywords: z.string(),
  group: z.string(),
});

const requestBody = z.strictObject({
  api_key: apiKey,
  jurisdiction_id: jurisdiction,
  service_code: z
    .string()
    .min(1, '请填写 service_code')
    .max(100)
    .meta({ description: '如 complaint.sanitation' }),
  lat: coordinate(90).optional(),
  long: coordinate(180).optional(),
  address_string: z.string().trim().min(1).max(200).optional(),
  address_id: z.string().min(1).max(64).optional().meta({ description: '楼栋编号' }),
  email: z.email('不是有效的电子邮箱').max(100).optional(),
  device_id: z.string().max(100).optional().meta({ description: '接受但不保存' }),
  account_id: z.string().max(100).optional().meta({ description: '接受但不保存' }),
  first_name: personal(25).optional(),
  last_name: personal(25).optional(),
  phone: phone.optional(),
  description: z.string().trim().min(2, '内容至少 2 个字').max(2000, '内容最多 2000 字'),
  media_url: z.url('不是有效的链接').max(500).optional().meta({ description: '接受但不保存' }),
  hotline_work_order_no: workOrderNo.optional().meta({ description: '12345 工单号（扩展字段）' }),
  hotline_classification_code: classificationCode
    .optional()
    .meta({ description: '12345 分类编码（扩展字段）' }),
  attribute: z
    .never({ message: '本接口的服务类型没有附加属性（metadata 为 false），请勿提交 attribute[…]' })
    .optional(),
});

const serviceRequest = z
  .looseObject({
    service_request_id: z.string(),
    status: z.enum(['open', 'closed']),
    status_notes: z.string(),
    service_name: z.string(),
    service_code: z.string(),
    description: z.string().meta({ description: '遮蔽后的摘要' }),
    agency_responsible: z.string(),
    service_notice: z.null(),
    requested_datetime: z.iso.datetime(),
    updated_datetime: z.iso.datetime(),
    expected_datetime: z.iso.datetime().nullable(),
    address_id: z.string().nullable(),
    hotline_work_order_no: z.string().nullable(),
  })
  .meta({ id: 'Open311ServiceRequest', description: '一条服务请求（即一条反映），不含居民个人信息' });

const keyed = { api_key: apiKey, jurisdiction_id: jurisdiction };

export function open311Routes(deps: AppDeps): RouteDef[] {
  const perKey = rateLimit('外部系统调用', { burst: 60, perMinute: 120 });
  const common = { tag: TAG, errorBody: open311Errors } as const;
  return [
    route({
      ...common,
      method: 'get',
      path: '/services.json',
      summary: '服务类型列表：反映的种类 × 类别',
      access: 'public',
      query: z.strictObject({ jurisdiction_id: jurisdiction }),
      response: z.array(service),
      handler: async ({ query }) => {
        await loadCompound(query.jurisdiction_id);
        return open311Services();
      },
    }),
    route({
      ...common,
      method: 'get',
      path: '/services/:service_code.json',
      operationId: 'getServiceDefinitionJson',
      summary: '服务类型定义（本接口的服务类型都没有附加属性）',
      access: 'public',
      params: z.strictObject({ service_code: z.string().max(100) }),
      query: z.strictObject({ jurisdiction_id: jurisdiction }),
      response: z.looseObject({ service_code: z.string(), attributes: z.array(z.never()) }),
      handler: async ({ params, query }) => {
        await loadCompound(query.jurisdiction_id);
        if (!parseServiceCode(params.service_code))
          throw new DomainError('not_found', `没有这个服务类型：service_code=${params.service_code}`);
        return { service_code: params.service_code, attributes: [] };
      },
    }),
    route({
      ...common,
      method: 'post',
      path: '/requests.json',
      summary: '提交服务请求：登记为一条反映，走与居民端相同的受理流程',
      description:
        '表单（application/x-www-form-urlencoded）或 JSON 均可。位置须给出 lat 与 long、address_string 或 address_id（楼栋编号）之一。' +
        '姓名、电话、邮箱、地址作为个人信息保存，只给经办人看，查询接口从不返回。' +
        'hotline_work_order_no / hotline_classification_code 为 12345 工单扩展字段：带工单号的请求按 12345 热线渠道登记，工单号在本小区唯一，同一密钥重复提交同一内容答原请求，否则答 409。' +
        '不带工单号时，可用 Idempotency-Key 请求头避免重试造成重复登记。device_id、account_id、media_url 接受但不保存；attribute[…] 一律拒绝（服务类型没有附加属性）。',
      access: 'apiKey',
      // The key may come in the query too: that is where the apiKey scheme says it goes.
      query: z.strictObject({ api_key: apiKey }),
      body: requestBody,
      bodyTypes: ['application/x-www-form-urlencoded', 'application/json'],
      headers: z.looseObject({ 'idempotency-key': idempotencyKey.optional() }),
      rateLimit: perKey,
      refusals: [409, 413, 415],
      response: z.array(
        z.looseObject({
          service_request_id: z.string(),
          service_notice: z.string(),
          account_id: z.null().optional(),
        }),
      ),
      handler: ({ body, req, apiKey: key }) =>
        fileRequest(
          { temporal: deps.temporal, log: deps.log, clock: deps.clock },
          key(),
          body,
          req.header('idempotency-key'),
        ),
    }),
    route({
      ...common,
      method: 'get',
      path: '/requests.json',
      summary:
        '查询服务请求：按 service_request_id（逗号分隔），或按时间、状态、服务类型（默认最近 90 天，最多 1000 条）',
      description: '只看得到本小区的密钥提交的请求。',
      access: 'apiKey',
      query: z.strictObject({
        ...keyed,
        service_request_id: z
          .string()
          .regex(
            /^[0-9a-f]{24}(,[0-9a-f]{24}){0,99}$/,
            'service_request_id 应为逗号分隔的请求编号，最多 100 个',
          )
          .optional(),
        service_code: z
          .string()
          .regex(/^[a-z]+\.[A-Za-z]+(,[a-z]+\.[A-Za-z]+){0,49}$/, 'service_code 应为逗号分隔的服务类型编码')
          .max(2000)
          .optional(),
        start_date: isoDate.optional(),
        end_date: isoDate.optional(),
        status: z
          .string()
          .regex(/^(open|closed)(,(open|closed))?$/, 'status 只能是 open、closed 或 open,closed')
          .optional(),
      }),
      rateLimit: perKey,
      response: z.array(serviceRequest),
      handler: ({ query, apiKey: key }) => findRequests(key(), query, deps.clock?.() ?? new Date()),
    }),
    route({
      ...common,
      method: 'get',
      path: '/requests/:service_request_id.json',
      operationId: 'getRequestJson',
      summary: '一条服务请求的状态：open/closed、责任方、期望办结时间',
      access: 'apiKey',
      params: z.strictObject({ service_request_id: z.string().max(100) }),
      query: z.strictObject(keyed),
      rateLimit: perKey,
      response: z.array(serviceRequest),
      handler: ({ params, query, apiKey: key }) =>
        getRequest(key(), query.jurisdiction_id, params.service_request_id),
    }),
  ];
}
