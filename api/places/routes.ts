/** 社区、小区、楼栋、单元、房屋: the places an office sets up before anyone can live in the software. */
import { z } from 'zod';
import {
  addBuilding,
  addUnit,
  compoundPlaces,
  createCommunity,
  createCompound,
  createRoom,
  listCommunities,
  listRooms,
  retireBuilding,
  retireRoom,
  updateBuilding,
  updateCompound,
  updateRoom,
} from '../../services/places';
import { route, type RouteDef } from '../route-table';
import { bool, compoundParams, filled, page, slugId } from '../schemas';

const name = (what: string) => filled(1, `请填写${what}名称`).max(50, `${what}名称最多 50 字`);
const timeZone = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, '应为 IANA 时区，如 Asia/Shanghai');
const buildingParams = compoundParams.extend({ buildingId: slugId('楼栋编号') });
const roomParams = compoundParams.extend({ roomId: z.string().min(1).max(300) });

const community = z.strictObject({
  id: z.string(),
  name: z.string(),
  subdistrict: z.string().optional(),
  county: z.string().optional(),
});
const unit = z.strictObject({ id: z.string(), name: z.string(), retired: z.boolean() });
const building = z
  .strictObject({
    id: z.string(),
    name: z.string(),
    leaderUserId: z.string().optional(),
    retired: z.boolean(),
    units: z.array(unit),
  })
  .meta({ id: 'Building', description: '楼栋及其单元（停用的仍保留，旧记录仍指向它们）' });
const places = z.strictObject({
  id: z.string(),
  name: z.string(),
  communityId: z.string(),
  timeZone: z.string().optional(),
  retired: z.boolean(),
  buildings: z.array(building),
});
const room = z
  .strictObject({
    id: z.string(),
    buildingId: z.string(),
    unitId: z.string().optional(),
    number: z.string(),
    floor: z.number().optional(),
    floorArea: z.number(),
    retired: z.boolean(),
  })
  .meta({ id: 'Room', description: '房屋：门牌号、楼层、建筑面积（平方米）' });

const roomNumber = z
  .string()
  .min(1, '请填写门牌号')
  .max(16, '门牌号最多 16 个字符')
  .regex(/^[0-9A-Za-z-]+$/, '门牌号只能由数字、字母和 - 组成，如 1201 或 3-502');
const floorArea = z.number().positive('建筑面积应大于 0').max(10_000, '建筑面积不超过 10000 平方米');
const floor = z.number().int().min(-10).max(200);

export function placeRoutes(): RouteDef[] {
  const base = '/compounds/:compoundId';
  return [
    route({
      method: 'get',
      path: '/communities',
      tag: '地点',
      summary: '社区列表',
      access: 'community:manage',
      response: z.strictObject({ items: z.array(community) }),
      handler: () => listCommunities(),
    }),
    route({
      method: 'post',
      path: '/communities',
      tag: '地点',
      summary: '新建社区',
      access: 'community:manage',
      body: z.strictObject({
        id: slugId('社区编号').optional(),
        name: name('社区'),
        subdistrict: name('街道').optional(),
        county: name('区县').optional(),
      }),
      status: 201,
      refusals: [409],
      response: community,
      handler: ({ body }) => createCommunity(body),
    }),
    route({
      method: 'post',
      path: '/communities/:communityId/compounds',
      tag: '地点',
      summary: '在社区下新建小区',
      access: 'community:manage',
      params: z.strictObject({ communityId: slugId('社区编号') }),
      body: z.strictObject({
        id: slugId('小区编号').optional(),
        name: name('小区'),
        timeZone: timeZone.optional(),
        echoWallPublic: z.boolean().optional(),
      }),
      status: 201,
      refusals: [409],
      response: places,
      handler: ({ params, body }) => createCompound(params.communityId, body),
    }),
    route({
      method: 'get',
      path: `${base}/places`,
      tag: '地点',
      summary: '小区的楼栋和单元（含已停用的）',
      access: 'place:read',
      params: compoundParams,
      response: places,
      handler: ({ params }) => compoundPlaces(params.compoundId),
    }),
    route({
      method: 'patch',
      path: base,
      tag: '地点',
      summary: '修改小区名称或时区',
      access: 'place:manage',
      params: compoundParams,
      body: z.strictObject({ name: name('小区').optional(), timeZone: timeZone.optional() }),
      response: places,
      handler: ({ params, body }) => updateCompound(params.compoundId, body),
    }),
    route({
      method: 'post',
      path: `${base}/buildings`,
      tag: '地点',
      summary: '新建楼栋',
      access: 'place:manage',
      params: compoundParams,
      body: z.strictObject({ name: name('楼栋'), leaderUserId: z.string().min(1).max(64).optional() }),
      status: 201,
      refusals: [409],
      response: building,
      handler: ({ params, body }) => addBuilding(params.compoundId, body),
    }),
    route({
      method: 'patch',
      path: `${base}/buildings/:buildingId`,
      tag: '地点',
      summary: '修改楼栋名称或楼栋长',
      access: 'place:manage',
      params: buildingParams,
      body: z.strictObject({
        name: name('楼栋').optional(),
        leaderUserId: z.string().min(1).max(64).nullable().optional(),
      }),
      refusals: [409],
      response: building,
      handler: ({ params, body }) => updateBuilding(params.compoundId, params.buildingId, body),
    }),
    route({
      method: 'post',
      path: `${base}/buildings/:buildingId/retire`,
      tag: '地点',
      summary: '停用楼栋（须先停用其房屋；旧的反映和会议仍指向它）',
      access: 'place:manage',
      params: buildingParams,
      refusals: [409],
      response: building,
      handler: ({ params }) => retireBuilding(params.compoundId, params.buildingId),
    }),
    route({
      method: 'post',
      path: `${base}/buildings/:buildingId/units`,
      tag: '地点',
      summary: '为楼栋新建单元',
      access: 'place:manage',
      params: buildingParams,
      body: z.strictObject({ name: name('单元') }),
      status: 201,
      refusals: [409],
      response: building,
      handler: ({ params, body }) => addUnit(params.compoundId, params.buildingId, body),
    }),
    route({
      method: 'get',
      path: `${base}/rooms`,
      tag: '地点',
      summary: '房屋列表（按楼栋、单元、门牌号）',
      access: 'place:read',
      params: compoundParams,
      query: z.strictObject({
        buildingId: slugId('楼栋编号').optional(),
        unitId: slugId('单元编号').optional(),
        includeRetired: bool.optional(),
        ...page(500, 100),
      }),
      response: z.strictObject({
        items: z.array(room),
        total: z.number(),
        page: z.number(),
        pageSize: z.number(),
      }),
      handler: ({ params, query }) => listRooms(params.compoundId, query),
    }),
    route({
      method: 'post',
      path: `${base}/rooms`,
      tag: '地点',
      summary: '新建房屋（同一楼栋单元内门牌号不重复）',
      access: 'place:manage',
      params: compoundParams,
      body: z.strictObject({
        buildingId: slugId('楼栋编号'),
        unitId: slugId('单元编号').optional(),
        number: roomNumber,
        floor: floor.optional(),
        floorArea,
      }),
      status: 201,
      refusals: [409],
      response: room,
      handler: ({ params, body }) => createRoom(params.compoundId, body),
    }),
    route({
      method: 'patch',
      path: `${base}/rooms/:roomId`,
      tag: '地点',
      summary: '修改房屋的楼层或建筑面积',
      access: 'place:manage',
      params: roomParams,
      body: z.strictObject({ floor: floor.optional(), floorArea: floorArea.optional() }),
      refusals: [409],
      response: room,
      handler: ({ params, body }) => updateRoom(params.compoundId, params.roomId, body),
    }),
    route({
      method: 'post',
      path: `${base}/rooms/:roomId/retire`,
      tag: '地点',
      summary: '停用房屋（记录保留）',
      access: 'place:manage',
      params: roomParams,
      response: room,
      handler: ({ params }) => retireRoom(params.compoundId, params.roomId),
    }),
  ];
}
