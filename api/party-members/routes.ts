/**
 * 党员登记: party members living in the compound, found and linked by the branch; the joint party
 * committee's member units. Read and managed by the branch and the office only; an in-service member
 * reports (报到) themself. Phones: in full to the office in lists, to every reader in the detail (the
 * branch must call them), masked in the branch's lists.
 */
import { z } from 'zod';
import {
  CONTACT_METHODS,
  JOINT_UNIT_KINDS,
  PARTY_MEMBER_STATUSES,
  PARTY_MEMBER_TYPES,
} from '../../domain/party-members';
import { MOBILE_PATTERN } from '../../domain/people';
import { isStaff } from '../../domain/bodies';
import {
  createJointPartyUnit,
  linkPartyMember,
  listJointPartyUnits,
  listPartyMembers,
  partyMemberDetail,
  recordPartyMemberContact,
  registerPartyMember,
  reportInService,
  retireJointPartyUnit,
  withdrawPartyMember,
} from '../../services/party-members';
import type { AppDeps } from '../deps';
import { route, type RouteDef } from '../route-table';
import { at, bool, compoundId, isoDate, page, slugId, text } from '../schemas';

const memberParams = z.strictObject({ compoundId, memberId: slugId('党员登记编号') });
const unitParams = z.strictObject({ compoundId, unitId: slugId('成员单位编号') });
const phone = z.string().regex(MOBILE_PATTERN, '应为 11 位手机号码，如 13812345678');

const member = z
  .strictObject({
    id: z.string(),
    userId: z.string().optional(),
    name: z.string(),
    phone: z.string().optional(),
    type: z.enum(PARTY_MEMBER_TYPES),
    typeLabel: z.string(),
    partyGroup: z.string(),
    relationLocation: z.string(),
    jointPartyUnitId: z.string().optional(),
    status: z.enum(PARTY_MEMBER_STATUSES),
    statusLabel: z.string(),
    contactDeadline: at,
    escalationLevel: z.number(),
    reportedAt: at.optional(),
    linkedAt: at.optional(),
    withdrawnAt: at.optional(),
    createdAt: at,
  })
  .meta({ id: 'PartyMember', description: '党员登记：类型、党小组、组织关系所在、排查联系状态' });
const detail = member
  .extend({
    contacts: z.array(
      z.strictObject({
        byName: z.string(),
        at,
        method: z.enum(CONTACT_METHODS),
        note: z.string().optional(),
      }),
    ),
  })
  .meta({ id: 'PartyMemberDetail' });
const unit = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    kind: z.enum(JOINT_UNIT_KINDS),
    contactName: z.string().optional(),
    contactPhone: z.string().optional(),
    retiredAt: at.optional(),
  })
  .meta({ id: 'JointPartyUnit', description: '联合党委成员单位' });

export function partyMemberRoutes(deps: AppDeps): RouteDef[] {
  const base = '/compounds/:compoundId/party-members';
  const units = '/compounds/:compoundId/joint-party-units';
  const d = { temporal: deps.temporal, clock: deps.clock };
  const tag = '党员';
  return [
    route({
      method: 'post',
      path: base,
      tag,
      summary: '登记小区党员（离退休/流动/在职），并开始排查联系流程',
      access: 'partyMember:manage',
      params: z.strictObject({ compoundId }),
      body: z.strictObject({
        userId: z.string().min(1).max(64).optional(),
        name: text('姓名', 50).optional(),
        phone: phone.optional(),
        type: z.enum(PARTY_MEMBER_TYPES),
        partyGroup: text('党小组', 50),
        relationLocation: text('组织关系所在单位或地区', 100),
        jointPartyUnitId: slugId('成员单位编号').optional(),
      }),
      status: 201,
      refusals: [409],
      response: member,
      handler: ({ params, body, actor }) => registerPartyMember(params.compoundId, body, actor(), d),
    }),
    route({
      method: 'get',
      path: base,
      tag,
      summary: '党员名单（可按类型、状态、党小组）；名单中电话只对工作人员完整显示',
      access: 'partyMember:read',
      params: z.strictObject({ compoundId }),
      query: z.strictObject({
        type: z.enum(PARTY_MEMBER_TYPES).optional(),
        status: z.enum(PARTY_MEMBER_STATUSES).optional(),
        partyGroup: text('党小组', 50).optional(),
        ...page(100, 20),
      }),
      response: z.strictObject({
        items: z.array(member),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query, roles }) => listPartyMembers(params.compoundId, query, isStaff(roles)),
    }),
    route({
      method: 'get',
      path: `${base}/:memberId`,
      tag,
      summary: '一条党员登记及其联系记录',
      access: 'partyMember:read',
      params: memberParams,
      response: detail,
      handler: ({ params }) => partyMemberDetail(params.compoundId, params.memberId),
    }),
    route({
      method: 'post',
      path: `${base}/:memberId/contacts`,
      tag,
      summary: '记录与党员的联系（时间不能晚于现在）',
      access: 'partyMember:manage',
      params: memberParams,
      body: z.strictObject({
        at: isoDate,
        method: z.enum(CONTACT_METHODS),
        note: text('备注', 500).optional(),
      }),
      refusals: [409],
      response: detail,
      handler: ({ params, body, actor }) =>
        recordPartyMemberContact(params.compoundId, params.memberId, body, actor(), d),
    }),
    route({
      method: 'post',
      path: `${base}/:memberId/link`,
      tag,
      summary: '纳入支部管理（可挂联合党委成员单位），排查联系流程结束',
      access: 'partyMember:manage',
      params: memberParams,
      body: z.strictObject({ jointPartyUnitId: slugId('成员单位编号').optional() }),
      refusals: [409],
      response: detail,
      handler: ({ params, body, actor }) =>
        linkPartyMember(params.compoundId, params.memberId, body, actor(), d),
    }),
    route({
      method: 'post',
      path: `${base}/:memberId/report`,
      tag,
      summary: '在职党员到社区报到：本人，或工作人员、党支部代为登记',
      access: 'partyMember:report',
      params: memberParams,
      refusals: [409],
      response: z.strictObject({ id: z.string(), reportedAt: at }),
      handler: ({ params, actor }) => reportInService(params.compoundId, params.memberId, actor(), d),
    }),
    route({
      method: 'post',
      path: `${base}/:memberId/withdraw`,
      tag,
      summary: '撤销党员登记（排查联系流程结束）',
      access: 'partyMember:manage',
      params: memberParams,
      body: z.strictObject({ reason: text('撤销理由', 200) }),
      refusals: [409],
      response: detail,
      handler: ({ params, body, actor }) =>
        withdrawPartyMember(params.compoundId, params.memberId, body, actor(), d),
    }),
    route({
      method: 'post',
      path: units,
      tag,
      summary: '登记联合党委成员单位（单位或商户）',
      access: 'partyMember:manage',
      params: z.strictObject({ compoundId }),
      body: z.strictObject({
        name: text('单位名称', 100),
        kind: z.enum(JOINT_UNIT_KINDS),
        contactName: text('联系人', 50).optional(),
        contactPhone: phone.optional(),
      }),
      status: 201,
      refusals: [409],
      response: unit,
      handler: ({ params, body }) => createJointPartyUnit(params.compoundId, body),
    }),
    route({
      method: 'get',
      path: units,
      tag,
      summary: '联合党委成员单位',
      access: 'partyMember:read',
      params: z.strictObject({ compoundId }),
      query: z.strictObject({ includeRetired: bool.optional() }),
      response: z.strictObject({ items: z.array(unit) }),
      handler: ({ params, query }) => listJointPartyUnits(params.compoundId, query.includeRetired ?? false),
    }),
    route({
      method: 'post',
      path: `${units}/:unitId/retire`,
      tag,
      summary: '成员单位退出（保留记录）',
      access: 'partyMember:manage',
      params: unitParams,
      response: unit,
      handler: ({ params }) => retireJointPartyUnit(params.compoundId, params.unitId, deps.clock),
    }),
  ];
}
