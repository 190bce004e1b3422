/** 注册与审核: a resident registers with the building's code and a one-time code; the leader or staff approve. */
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { MOBILE_PATTERN, RESIDENT_RELATIONS } from '../../domain/people';
import { sendOneTimeCode } from '../../services/one-time-codes';
import {
  decideRegistration,
  invitationQr,
  issueInvitation,
  listRegistrations,
  register,
} from '../../services/registrations';
import { forgetUser } from '../auth';
import { DEFAULT_PUBLIC_BASE_URL, type AppDeps } from '../deps';
import { rateLimit } from '../rate-limit';
import { WRITTEN, route, type RouteDef } from '../route-table';
import { compoundParams, filled, slugId } from '../schemas';

const phone = z.string().regex(MOBILE_PATTERN, '应为 11 位手机号码，如 13812345678');
const registrationParams = compoundParams.extend({
  registrationId: z.string().regex(/^r[0-9a-f]{16}$/, '不是有效的申请编号'),
});
const decided = z.strictObject({ id: z.string(), status: z.enum(['approved', 'rejected']) });

export function registrationRoutes(deps: AppDeps): RouteDef[] {
  const codesByAddress = rateLimit('获取验证码', { burst: 5, perMinute: 5 });
  const registerByAddress = rateLimit('注册', { burst: 10, perMinute: 10 });
  return [
    route({
      method: 'post',
      path: '/auth/register/code',
      tag: '注册与审核',
      summary: '获取注册验证码（短信发送到该手机号，10 分钟内有效）',
      access: 'public',
      body: z.strictObject({ phone }),
      rateLimit: codesByAddress,
      refusals: [503],
      response: z.strictObject({ sent: z.boolean(), validSeconds: z.number() }),
      handler: ({ body }) => {
        if (!deps.oneTimeCodes)
          throw new DomainError('unavailable', '短信服务未配置，请联系社区工作人员登记');
        return sendOneTimeCode(deps.oneTimeCodes, body.phone);
      },
    }),
    route({
      method: 'post',
      path: '/auth/register',
      tag: '注册与审核',
      summary: '用楼栋邀请码和验证码注册；楼栋长或社区工作人员审核通过后才能使用',
      access: 'public',
      body: z.strictObject({
        phone,
        code: z.string().regex(/^\d{6}$/, '验证码为 6 位数字'),
        invitationCode: z.string().regex(/^[A-Z2-9]{8}$/, '邀请码为 8 位字母或数字'),
        name: filled(1, '请填写姓名').max(50, '姓名最多 50 字'),
        password: z.string().min(1, '请设置密码').max(200),
        relation: z.enum(RESIDENT_RELATIONS),
        roomNumber: z
          .string()
          .regex(/^[0-9A-Za-z-]{1,16}$/, '门牌号只能由数字、字母和 - 组成')
          .optional(),
      }),
      rateLimit: registerByAddress,
      status: 201,
      refusals: [409],
      response: z.strictObject({
        id: z.string(),
        status: z.literal('pending'),
        compound: z.strictObject({ id: z.string(), name: z.string() }),
        building: z.strictObject({ id: z.string(), name: z.string() }),
        message: z.string(),
      }),
      handler: ({ body }) => register(body),
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/buildings/:buildingId/invitation',
      tag: '注册与审核',
      summary: '生成楼栋邀请码（旧码随之作废），用于打印注册二维码',
      access: 'place:manage',
      params: compoundParams.extend({ buildingId: slugId('楼栋编号') }),
      status: 201,
      refusals: [409],
      response: z.strictObject({
        compoundId: z.string(),
        buildingId: z.string(),
        buildingName: z.string(),
        invitationCode: z.string(),
        registerPath: z.string(),
      }),
      handler: ({ params }) => issueInvitation(params.compoundId, params.buildingId),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/buildings/:buildingId/invitation-qr',
      tag: '注册与审核',
      summary: '楼栋邀请码的二维码（SVG，供打印张贴），扫码打开注册页',
      access: 'place:manage',
      params: compoundParams.extend({ buildingId: slugId('楼栋编号') }),
      refusals: [409],
      response: {
        file: ['image/svg+xml'],
        description: '二维码，内容为注册页地址 <PUBLIC_BASE_URL>/m/register?code=<邀请码>',
      },
      handler: async ({ params, res }) => {
        const { svg } = await invitationQr(
          params.compoundId,
          params.buildingId,
          deps.config.publicBaseUrl ?? DEFAULT_PUBLIC_BASE_URL,
        );
        res.status(200).type('image/svg+xml').send(svg);
        return WRITTEN;
      },
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/registrations',
      tag: '注册与审核',
      summary: '注册申请（楼栋长只看本楼栋的）',
      access: 'registration:approve',
      params: compoundParams,
      query: z.strictObject({ status: z.enum(['pending', 'approved', 'rejected']).default('pending') }),
      response: z.strictObject({
        items: z.array(
          z.strictObject({
            id: z.string(),
            buildingId: z.string(),
            name: z.string(),
            phone: z.string().optional(),
            relation: z.enum(RESIDENT_RELATIONS),
            relationLabel: z.string(),
            roomNumber: z.string().optional(),
            status: z.string(),
            submittedAt: z.string(),
          }),
        ),
      }),
      handler: ({ params, query, actor }) => listRegistrations(params.compoundId, query.status, actor()),
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/registrations/:registrationId/approve',
      tag: '注册与审核',
      summary: '通过注册申请（成为本小区住户）',
      access: 'registration:approve',
      params: registrationParams,
      refusals: [409],
      response: decided,
      handler: async ({ params, actor }) => {
        const done = await decideRegistration(
          params.compoundId,
          params.registrationId,
          { approve: true },
          actor(),
        );
        forgetUser(done.userId);
        return { id: done.id, status: done.status };
      },
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/registrations/:registrationId/reject',
      tag: '注册与审核',
      summary: '驳回注册申请（须说明理由）',
      access: 'registration:approve',
      params: registrationParams,
      body: z.strictObject({ reason: filled(2, '请说明驳回理由').max(200) }),
      refusals: [409],
      response: decided,
      handler: ({ params, body, actor }) =>
        decideRegistration(
          params.compoundId,
          params.registrationId,
          { approve: false, reason: body.reason },
          actor(),
        ),
    }),
  ];
}
