/**
 * The demo community a newcomer sees on `npm start`: 芙蓉社区 with the compound 东顺苑 (from the
 * seed article), its five bodies, building leaders, residents — and a few voices with real workflows.
 * Idempotent: run it twice and nothing is duplicated.
 */
import { hashPassword } from '../api/auth';
import { actOnVoice, submitVoice } from '../api/voices';
import type { TemporalHandle } from '../client';
import { DEFAULT_VOICE_SETTINGS } from '../domain/voices';
import type { Role } from '../domain/roles';
import { Community, Compound } from '../models/compound';
import { User } from '../models/user';
import { Voice } from '../models/voice';

export const DEMO_COMPOUND = 'dongshunyuan';
export const DEMO_PASSWORD = 'gongzhi2026';

const people: {
  id: string;
  username: string;
  name: string;
  roles: Role[];
  compound?: string;
  partyMember?: 'retired' | 'mobile' | 'inService';
  buildingId?: string;
}[] = [
  { id: 'u-admin', username: 'admin', name: '系统管理员', roles: ['admin'], compound: '*' },
  { id: 'u-staff', username: 'staff', name: '马丽（社区干事）', roles: ['staff'] },
  {
    id: 'u-branch',
    username: 'branch',
    name: '王建国（党支部书记）',
    roles: ['partyBranch', 'councilMember'],
    partyMember: 'inService',
  },
  {
    id: 'u-owners',
    username: 'owners',
    name: '刘志强（业委会主任）',
    roles: ['ownersCommittee', 'councilMember', 'resident'],
    buildingId: 'b3',
  },
  {
    id: 'u-supervisor',
    username: 'supervisor',
    name: '杨振华（监事会）',
    roles: ['supervisoryBoard', 'councilMember', 'resident'],
    partyMember: 'retired',
    buildingId: 'b1',
  },
  {
    id: 'u-selfmgmt',
    username: 'selfmgmt',
    name: '张德福（自管会）',
    roles: ['selfManagementCommittee', 'resident'],
    partyMember: 'retired',
    buildingId: 'b2',
  },
  {
    id: 'u-council',
    username: 'council',
    name: '陈秀英（居民代表）',
    roles: ['councilMember', 'resident'],
    buildingId: 'b4',
  },
  {
    id: 'u-leader1',
    username: 'leader1',
    name: '李桂兰（1号楼楼栋长）',
    roles: ['buildingLeader', 'resident'],
    buildingId: 'b1',
  },
  {
    id: 'u-resident',
    username: 'resident',
    name: '王小明',
    roles: ['resident'],
    buildingId: 'b2',
    partyMember: 'mobile',
  },
  { id: 'u-resident2', username: 'resident2', name: '赵淑芬', roles: ['resident'], buildingId: 'b5' },
];

export async function seedDemo(
  temporal: TemporalHandle,
  log: (line: string) => void = console.log,
): Promise<boolean> {
  if (await Compound.exists({ _id: DEMO_COMPOUND })) return false;
  await Community.updateOne(
    { _id: 'furong' },
    { $setOnInsert: { name: '芙蓉社区', subdistrict: '盐州路街道', county: '宁夏盐池县' } },
    { upsert: true },
  );
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  for (const p of people) {
    await User.updateOne(
      { _id: p.id },
      {
        $setOnInsert: {
          username: p.username,
          name: p.name,
          passwordHash,
          memberships: [{ compoundId: p.compound ?? DEMO_COMPOUND, roles: p.roles }],
          partyMember: p.partyMember,
          buildingId: p.buildingId,
        },
      },
      { upsert: true },
    );
  }
  await Compound.create({
    _id: DEMO_COMPOUND,
    name: '东顺苑',
    communityId: 'furong',
    timeZone: 'Asia/Shanghai',
    echoWallPublic: true,
    buildings: [1, 2, 3, 4, 5, 6].map((n) => ({
      _id: `b${n}`,
      name: `${n}号楼`,
      leaderUserId: n === 1 ? 'u-leader1' : undefined,
    })),
    settings: { voices: DEFAULT_VOICE_SETTINGS },
  });

  const as = (id: string) => {
    const p = people.find((x) => x.id === id)!;
    return { id: p.id, userId: p.id, name: p.name, roles: p.roles };
  };
  const submit = (who: string, key: string, body: Parameters<typeof submitVoice>[3]) =>
    submitVoice({ temporal }, DEMO_COMPOUND, as(who), { ...body, idempotencyKey: `demo-${key}` });

  const praise = await submit('u-resident2', 'praise', {
    kind: 'praise',
    channel: 'online',
    text: '感谢自管会的保洁阿姨，小区卫生越来越好了！',
    anonymous: false,
  });
  const handled = await submit('u-resident', 'handled', {
    kind: 'complaint',
    channel: 'online',
    buildingId: 'b2',
    text: '2号楼东侧的垃圾桶满了两天没人清运，气味很大。',
    anonymous: false,
  });
  await submit('u-leader1', 'open', {
    kind: 'appeal',
    channel: 'buildingLeader',
    buildingId: 'b1',
    text: '1号楼楼道里有人飞线给电动车充电，存在消防隐患，希望尽快处理。',
    anonymous: true,
    onBehalfOf: { name: '1号楼住户' },
  });
  // Walk one complaint through its whole life so the echo wall has something to show.
  if (handled.workflowStarted) {
    const id = handled.voice._id;
    for (let i = 0; i < 50 && (await Voice.findById(id).lean())?.status !== 'assigned'; i++) {
      await new Promise((r) => setTimeout(r, 200));
    }
    await actOnVoice(temporal, DEMO_COMPOUND, id, as('u-selfmgmt'), {
      type: 'accept',
      note: '今天上午安排清运',
    });
    await actOnVoice(temporal, DEMO_COMPOUND, id, as('u-selfmgmt'), {
      type: 'resolve',
      result: '已清运垃圾并对垃圾桶消毒，自管会将2号楼清运改为每日两次。',
    });
    await actOnVoice(temporal, DEMO_COMPOUND, id, as('u-resident'), {
      type: 'feedback',
      satisfied: true,
      comment: '处理很及时',
    });
  }
  log(
    `[seed] demo community 芙蓉社区 / 东顺苑 created (${people.length} users, ${praise.created ? 3 : 0} voices)`,
  );
  return true;
}
