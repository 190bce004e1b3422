/** 组织与任期: the five bodies formed with terms, the council's roster, and the SMC changed by resolution. */
import { z } from 'zod';
import {
  COUNCIL_CATEGORIES,
  COUNCIL_SEATS,
  END_REASONS,
  MEMBERSHIP_BODIES,
  POSITIONS,
} from '../../domain/memberships';
import {
  bodiesNow,
  carryOutResolution,
  councilRoster,
  endMembership,
  formMembership,
  getMembership,
  listMemberships,
  renewMembership,
} from '../../services/memberships';
import type { AppDeps } from '../deps';
import { route, type RouteDef } from '../route-table';
import { at, compoundId, compoundParams, filled, isoDate, opt, page, slugId } from '../schemas';

const userId = z
  .string()
  .min(1, '请填写账号编号')
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, '不是有效的账号编号');
const membershipId = z.string().regex(/^m[0-9a-f]{16}$/, '不是有效的任职编号');
const orderId = z.string().min(1, '请填写决议编号').max(200);
const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, '应为 yyyy-mm-dd');
const note = (label: string) => filled(1, `请填写${label}`).max(500, `${label}最多 500 字`);
const count = z.number().int().min(0).max(100_000);

const basis = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('elected'),
    electedOn: day,
    ballotsFor: count,
    ballotsCast: count,
    meetingId: z.string().min(1).max(200).optional(),
    meetingName: note('选举会议名称').optional(),
  }),
  z.strictObject({
    kind: z.literal('hired'),
    resolutionOrderId: orderId.optional(),
    resolutionRef: note('决议文号').optional(),
    contractNo: note('合同编号').optional(),
  }),
  z.strictObject({
    kind: z.literal('appointed'),
    by: z.enum(['partyOrganization', 'community']),
    documentNo: note('任命文号').optional(),
  }),
]);

const membership = z
  .strictObject({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    body: z.enum(MEMBERSHIP_BODIES),
    bodyLabel: z.string(),
    position: z.enum(POSITIONS),
    positionLabel: z.string(),
    category: opt(z.enum(COUNCIL_SEATS)),
    buildingId: opt(z.string()),
    termStart: at,
    termEnd: opt(at),
    basis: z.looseObject({ kind: z.string() }),
    basisLabel: z.string(),
    renews: opt(z.string()),
    exceptionReason: opt(z.string()),
    status: z.enum(['upcoming', 'current', 'ended']),
    statusLabel: z.string(),
    endedAt: opt(at),
    endReason: opt(z.enum(END_REASONS)),
    endReasonLabel: opt(z.string()),
    endNote: opt(z.string()),
    endResolutionOrderId: opt(z.string()),
  })
  .meta({ id: 'Membership', description: '一项任职：组织、职务、任期、产生方式与卸任原因' });

const membershipParams = z.strictObject({ compoundId, membershipId });

export function membershipRoutes(deps: AppDeps): RouteDef[] {
  const base = '/compounds/:compoundId/memberships';
  return [
    route({
      method: 'post',
      path: base,
      tag: '组织与任期',
      summary:
        '登记一项任职（业委会选举产生、自管会由业委会依议事会决议聘请、监事会由党组织从离退休党员中任命…），并开始其任期流程',
      access: 'membership:form',
      params: compoundParams,
      body: z.strictObject({
        userId,
        body: z.enum(MEMBERSHIP_BODIES),
        position: z.enum(POSITIONS),
        category: z.enum(COUNCIL_SEATS).optional(),
        buildingId: slugId('楼栋编号').optional(),
        termStart: isoDate,
        termEnd: isoDate.optional(),
        basis,
        exceptionReason: note('理由').optional(),
      }),
      status: 201,
      refusals: [409, 503],
      response: membership,
      handler: ({ params, body, actor }) => formMembership(deps.temporal, params.compoundId, body, actor()),
    }),
    route({
      method: 'get',
      path: base,
      tag: '组织与任期',
      summary: '任职记录（可按组织、状态、人）',
      access: 'membership:read',
      params: compoundParams,
      query: z.strictObject({
        body: z.enum(MEMBERSHIP_BODIES).optional(),
        status: z.enum(['upcoming', 'current', 'ended']).optional(),
        userId: userId.optional(),
        ...page(100, 50),
      }),
      response: z.strictObject({
        items: z.array(membership),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query }) => listMemberships(params.compoundId, query),
    }),
    route({
      method: 'get',
      path: `${base}/:membershipId`,
      tag: '组织与任期',
      summary: '一项任职',
      access: 'membership:read',
      params: membershipParams,
      response: membership,
      handler: ({ params }) => getMembership(params.compoundId, params.membershipId),
    }),
    route({
      method: 'post',
      path: `${base}/:membershipId/renew`,
      tag: '组织与任期',
      summary: '续任 / 续聘：新任期自本任期届满时开始',
      access: 'membership:form',
      params: membershipParams,
      body: z.strictObject({ termEnd: isoDate, basis }),
      status: 201,
      refusals: [409, 503],
      response: membership,
      handler: ({ params, body, actor }) =>
        renewMembership(deps.temporal, params.compoundId, params.membershipId, body, actor()),
    }),
    route({
      method: 'post',
      path: `${base}/:membershipId/end`,
      tag: '组织与任期',
      summary: '提前结束任期：解聘 / 罢免（自管会须依据议事会决议）或辞职',
      access: 'membership:form',
      params: membershipParams,
      body: z.strictObject({
        reason: z.enum(['dismissed', 'resigned']),
        note: note('说明').optional(),
        resolutionOrderId: orderId.optional(),
      }),
      refusals: [409, 503],
      response: membership,
      handler: ({ params, body, actor }) =>
        endMembership(deps.temporal, params.compoundId, params.membershipId, body, actor()),
    }),
    route({
      method: 'post',
      path: '/compounds/:compoundId/self-management-committee/resolutions',
      tag: '组织与任期',
      summary: '业委会执行议事会解(续)聘自管会的决议：聘任、续聘、解聘一并办理，先全部核对，有误则一项不改',
      access: 'membership:form',
      params: compoundParams,
      body: z.strictObject({
        resolutionOrderId: orderId,
        hire: z
          .array(
            z.strictObject({
              userId,
              position: z.enum(POSITIONS),
              termStart: isoDate,
              termEnd: isoDate,
              contractNo: note('合同编号').optional(),
            }),
          )
          .max(30, '一次最多聘任 30 人')
          .default([]),
        renew: z
          .array(z.strictObject({ membershipId, termEnd: isoDate, contractNo: note('合同编号').optional() }))
          .max(30, '一次最多续聘 30 人')
          .default([]),
        dismiss: z
          .array(z.strictObject({ membershipId, note: note('说明').optional() }))
          .max(30, '一次最多解聘 30 人')
          .default([]),
      }),
      refusals: [409, 503],
      response: z.strictObject({
        resolutionOrderId: z.string(),
        hired: z.array(z.string()),
        renewed: z.array(z.string()),
        dismissed: z.array(z.string()),
      }),
      handler: ({ params, body, actor }) =>
        carryOutResolution(deps.temporal, params.compoundId, body, actor()),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/bodies',
      tag: '组织与任期',
      summary: '五方组织现任成员，及业委会中党员所占比例',
      access: 'membership:read',
      params: compoundParams,
      response: z.strictObject({
        bodies: z.array(
          z.strictObject({
            body: z.enum(MEMBERSHIP_BODIES),
            label: z.string(),
            members: z.array(
              z.strictObject({
                membershipId: z.string(),
                userId: z.string(),
                name: z.string(),
                position: z.enum(POSITIONS),
                positionLabel: z.string(),
                termEnd: opt(at),
              }),
            ),
          }),
        ),
        ownersCommitteePartyShare: z.strictObject({
          members: z.number(),
          partyMembers: z.number(),
          percent: z.number(),
        }),
      }),
      handler: ({ params }) => bodiesNow(params.compoundId),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId/council-roster',
      tag: '组织与任期',
      summary: '居民议事会名单（按类别）：议事会开启表决时即取此时在任者',
      access: 'membership:read',
      params: compoundParams,
      response: z.strictObject({
        items: z.array(
          z.strictObject({
            userId: z.string(),
            name: z.string(),
            category: z.enum(COUNCIL_CATEGORIES),
            categoryLabel: z.string(),
          }),
        ),
      }),
      handler: async ({ params }) => ({ items: await councilRoster(params.compoundId) }),
    }),
  ];
}
