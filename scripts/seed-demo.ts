/**
 * The demo community a newcomer sees on `npm start`: 芙蓉社区 with the compound 东顺苑 (from the
 * seed article), its five bodies, building leaders, residents — and a few voices with real workflows.
 * Idempotent: run it twice and nothing is duplicated.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { hashPassword } from '../services/passwords';
import { actOnVoice } from '../services/voice-actions';
import { submitVoice } from '../services/intake';
import { SeedMark } from '../models/seed-mark';
import { seedDemoHistory } from './demo-history';
import { TOOLS_BIN } from './servers';
import type { TemporalHandle } from '../services/temporal-client';
import { DEFAULT_VOICE_SETTINGS } from '../domain/voices';
import type { Role } from '../domain/roles';
import { Community, Compound } from '../models/compound';
import { User } from '../models/user';
import { BodyMembership } from '../models/body-membership';
import { BASES_OF, POSITIONS_OF, ROLE_OF_BODY, type MembershipBody } from '../domain/memberships';
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

export interface SeedOptions {
  /** "Now" for the seed (the history is the year before it). Default: the machine's clock. */
  now?: Date;
  /**
   * The past year, lived through on the time-skipping test server (scripts/demo-history.ts): its
   * launcher, and optionally a prebuilt workflow bundle. Without it the demo starts with no history.
   */
  history?: { testServerPath: string; workflowBundle?: { codePath: string } } | false;
}

/** The test server's launcher if it is provisioned (it needs Java), else undefined. */
export function provisionedTestServer(): string | undefined {
  const path = join(TOOLS_BIN, 'temporal-test-server');
  return existsSync(path) ? path : undefined;
}

/** Removes what a seed interrupted half-way left of the demo compound, so it can be made afresh. */
async function wipeDemo(): Promise<void> {
  const db = mongoose.connection.db!;
  const byCompound = { compoundId: DEMO_COMPOUND };
  for (const name of [
    'voices',
    'meetings',
    'rectifications',
    'referrals',
    'ledger', // the model refuses deletes; this is the demo's own half-made record
    'notifications',
    'evaluations',
    'agendas',
    'texts',
    'rate_members',
    'rate_counts',
    'body_memberships',
  ]) {
    await db.collection(name).deleteMany(byCompound);
  }
  await db.collection('ledger_heads').deleteMany({ _id: DEMO_COMPOUND as never });
  await db.collection('votes').deleteMany({ meetingId: { $regex: `/${DEMO_COMPOUND}/` } });
  await User.deleteMany({ _id: { $in: people.map((p) => p.id) } });
  await Compound.deleteOne({ _id: DEMO_COMPOUND });
}

export async function seedDemo(
  temporal: TemporalHandle,
  log: (line: string) => void = console.log,
  opts: SeedOptions = {},
): Promise<boolean> {
  const mark = await SeedMark.findById('demo').lean();
  if (mark?.stage === 'done') return false;
  // A demo seeded before seeds were marked is finished; an unfinished mark means an interrupted seed.
  if (!mark && (await Compound.exists({ _id: DEMO_COMPOUND }))) return false;
  if (mark) {
    log('[seed] an earlier seed of the demo was interrupted; making it afresh');
    await wipeDemo();
  }
  const now = opts.now ?? new Date();
  await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'people', at: new Date() } }, { upsert: true });
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
  // The bodies' memberships with their terms (the roles and the council's roster come from them).
  const day = 86_400_000;
  await BodyMembership.insertMany(
    people.flatMap((p) =>
      Object.entries(ROLE_OF_BODY)
        .filter(([, role]) => p.roles.includes(role) && p.compound !== '*')
        .map(([body], i) => ({
          _id: `m${p.id
            .replace(/[^a-z0-9]/g, '')
            .padEnd(14, '0')
            .slice(0, 14)}${i.toString(16).padStart(2, '0')}`,
          compoundId: DEMO_COMPOUND,
          userId: p.id,
          name: p.name,
          body,
          position: POSITIONS_OF[body as MembershipBody][0],
          category: body === 'residentsCouncil' ? 'residentRepresentative' : undefined,
          buildingId: body === 'buildingLeader' ? p.buildingId : undefined,
          termStart: new Date(now.getTime() - 400 * day),
          termEnd: body === 'staff' ? undefined : new Date(now.getTime() + 3 * 365 * day),
          basis: { kind: BASES_OF[body as MembershipBody][0], demo: true },
          status: 'current',
        })),
    ),
    { ordered: false },
  ).catch((err: unknown) => {
    if ((err as { code?: number }).code !== 11000) throw err;
  });
  await Compound.create({
    _id: DEMO_COMPOUND,
    name: '东顺苑',
    communityId: 'furong',
    // Yanchi County, Ningxia: China's one zone, named explicitly for the demo.
    timeZone: 'Asia/Shanghai',
    echoWallPublic: true,
    buildings: [1, 2, 3, 4, 5, 6].map((n) => ({
      _id: `b${n}`,
      name: `${n}号楼`,
      leaderUserId: n === 1 ? 'u-leader1' : undefined,
    })),
    settings: { voices: DEFAULT_VOICE_SETTINGS },
  });

  const history = opts.history === undefined ? defaultHistory() : opts.history;
  if (history) {
    await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'history', at: new Date() } });
    await seedDemoHistory({
      compoundId: DEMO_COMPOUND,
      people: people.map((p) => ({ id: p.id, name: p.name, roles: p.roles })),
      now,
      log,
      testServerPath: history.testServerPath,
      workflowBundle: history.workflowBundle,
    });
  } else {
    log(
      '[seed] the time-skipping test server is not provisioned (it needs Java): the demo starts without its past year',
    );
  }

  await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'live', at: new Date() } });
  const live = await seedLiveVoices(temporal, now);
  await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'done', at: new Date() } });
  log(`[seed] demo community 芙蓉社区 / 东顺苑 created (${people.length} users, ${live} open voices now)`);
  return true;
}

function defaultHistory(): SeedOptions['history'] {
  const testServerPath = provisionedTestServer();
  return testServerPath ? { testServerPath } : false;
}

const as = (id: string) => {
  const p = people.find((x) => x.id === id)!;
  return { id: p.id, userId: p.id, name: p.name, roles: p.roles };
};

/** What is open today: a fresh appeal, a complaint being handled, a resolved one awaiting its verdict. */
async function seedLiveVoices(temporal: TemporalHandle, now: Date): Promise<number> {
  const submit = (who: string, key: string, body: Parameters<typeof submitVoice>[3]) =>
    submitVoice({ temporal, clock: () => now }, DEMO_COMPOUND, as(who), {
      ...body,
      idempotencyKey: `demo-${key}`,
    });
  const untilAssigned = async (id: string) => {
    for (let i = 0; i < 100 && (await Voice.findById(id).lean())?.status === 'received'; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await submit('u-leader1', 'open', {
    kind: 'appeal',
    channel: 'buildingLeader',
    buildingId: 'b1',
    text: '1号楼楼道里有人飞线给电动车充电，存在消防隐患，希望尽快处理。',
    anonymous: true,
    onBehalfOf: { name: '1号楼住户' },
  });
  const handling = await submit('u-resident', 'handling', {
    kind: 'complaint',
    channel: 'online',
    buildingId: 'b2',
    text: '2号楼东侧的垃圾桶满了两天没人清运，气味很大。',
    anonymous: false,
  });
  const resolved = await submit('u-resident2', 'resolved', {
    kind: 'complaint',
    channel: 'online',
    buildingId: 'b5',
    text: '5号楼门口的路面破损，老人走路容易绊倒。',
    anonymous: false,
  });
  if (await handling.started) {
    await untilAssigned(handling.voice._id);
    await actOnVoice(temporal, DEMO_COMPOUND, handling.voice._id, as('u-selfmgmt'), {
      type: 'accept',
      note: '今天上午安排清运',
    });
  }
  if (await resolved.started) {
    await untilAssigned(resolved.voice._id);
    await actOnVoice(temporal, DEMO_COMPOUND, resolved.voice._id, as('u-staff'), {
      type: 'resolve',
      result: '已联系施工队修补路面，并设置了警示标志。',
    });
  }
  return 3;
}
