/** 住户: residents entered by the office, bound to their rooms. */
import { z } from 'zod';
import { MAX_ROOMS_PER_PERSON, MOBILE_PATTERN, RESIDENT_RELATIONS } from '../../domain/people';
import { rolesGrant } from '../../domain/roles';
import { createResident, listResidents } from '../../services/people';
import { route, type RouteDef } from '../route-table';
import { compoundParams, filled, idNumber, page, slugId } from '../schemas';

const person = z
  .strictObject({
    id: z.string(),
    username: z.string(),
    name: z.string(),
    phone: z.string().optional(),
    idNumber: z.string().optional(),
    deactivated: z.boolean(),
    rooms: z.array(
      z.strictObject({ roomId: z.string(), relation: z.enum(RESIDENT_RELATIONS), relationLabel: z.string() }),
    ),
  })
  .meta({ id: 'Resident', description: '住户：账号、电话和身份证号（除工作人员外脱敏显示）和所住房屋' });

export function peopleRoutes(): RouteDef[] {
  const base = '/compounds/:compoundId/people';
  return [
    route({
      method: 'post',
      path: base,
      tag: '住户',
      summary:
        '工作人员建账号：住户绑定房屋（业主、租户或家庭成员）；不绑定房屋则只建账号（工作人员、物管公司代表等，角色来自其任职）；未给密码时生成初始密码，只显示这一次',
      access: 'account:manage',
      params: compoundParams,
      body: z.strictObject({
        name: filled(1, '请填写姓名').max(50, '姓名最多 50 字'),
        phone: z.string().regex(MOBILE_PATTERN, '应为 11 位手机号码，如 13812345678'),
        username: slugId('用户名').optional(),
        password: z.string().min(1).max(200).optional(),
        idNumber: idNumber.optional(),
        rooms: z
          .array(z.strictObject({ roomId: z.string().min(1).max(300), relation: z.enum(RESIDENT_RELATIONS) }))
          .max(MAX_ROOMS_PER_PERSON, `一人最多绑定 ${MAX_ROOMS_PER_PERSON} 套房屋`),
      }),
      status: 201,
      refusals: [409],
      response: person.extend({ initialPassword: z.string().optional() }),
      handler: ({ params, body }) => createResident(params.compoundId, body),
    }),
    route({
      method: 'get',
      path: base,
      tag: '住户',
      summary: '住户名单（可按楼栋）；电话和身份证号只对工作人员完整显示',
      access: 'place:read',
      params: compoundParams,
      query: z.strictObject({ buildingId: slugId('楼栋编号').optional(), ...page(100, 50) }),
      response: z.strictObject({
        items: z.array(person),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query, roles }) =>
        listResidents(params.compoundId, query, rolesGrant(roles, 'account:manage')),
    }),
  ];
}
