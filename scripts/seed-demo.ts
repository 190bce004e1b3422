/**
 * The demo community a newcomer sees on `npm start`: 芙蓉社区 with the compound 东顺苑 (from the
 * seed article), its five bodies, building leaders, residents — and a few voices with real workflows.
 * Idempotent: run it twice and nothing is duplicated.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { createAdministrator } from '../services/administrators';
import { actOnVoice } from '../services/voice-actions';
import { submitVoice } from '../services/intake';
import { SeedMark } from '../models/seed-mark';
import { seedDemoHistory } from './demo-history';
import { TOOLS_BIN } from './servers';
import type { TemporalHandle } from '../services/temporal-client';
import type { Role } from '../domain/roles';
import { Compound } from '../models/compound';
import { User } from '../models/user';
import { Voice } from '../models/voice';

export const DEMO_COMPOUND = 'dongshunyuan';
export const DEMO_PASSWORD = 'gongzhi-2026';

type Formation =
  | { body: 'staff' }
  | { body: 'partyBranch'; position: 'secretary' | 'member' }
  | { body: 'ownersCommittee'; position: 'chair' | 'member' }
  | { body: 'supervisoryBoard'; position: 'chair' | 'member' }
  | { body: 'selfManagementCommittee'; position: 'chair' | 'member' }
  | {
      body: 'residentsCouncil';
      category: 'residentRepresentative' | 'propertyCompany' | 'partyMemberRepresentative';
    }
  | { body: 'buildingLeader'; buildingId: string };

/**
 * The demo's people and what they are, as the office would enter them: an account (a home where they
 * live), the bodies they serve on, their standing as party members. Their ids are the API's; `key` is the
 * name the demo's history calls them by.
 */
const people: {
  key: string;
  username: string;
  name: string;
  phone: string;
  /** The demo's past acts them as these roles (what their memberships give). */
  roles: Role[];
  home?: { buildingId: string; number: string; floorArea: number; relation: 'owner' | 'tenant' | 'family' };
  serves?: Formation[];
  partyMember?: 'retired' | 'mobile' | 'inService';
}[] = [
  {
    key: 'u-staff',
    username: 'staff',
    name: '马丽（社区干事）',
    phone: '13995300001',
    roles: ['staff'],
    serves: [{ body: 'staff' }],
  },
  {
    key: 'u-branch',
    username: 'branch',
    name: '王建国（党支部书记）',
    phone: '13995300002',
    roles: ['partyBranch'],
    serves: [{ body: 'partyBranch', position: 'secretary' }],
    partyMember: 'inService',
  },
  {
    key: 'u-owners',
    username: 'owners',
    name: '刘志强（业委会主任）',
    phone: '13995300003',
    roles: ['ownersCommittee', 'resident'],
    home: { buildingId: 'b3', number: '301', floorArea: 98.5, relation: 'owner' },
    serves: [{ body: 'ownersCommittee', position: 'chair' }],
  },
  {
    key: 'u-supervisor',
    username: 'supervisor',
    name: '杨振华（监事会）',
    phone: '13995300004',
    roles: ['supervisoryBoard', 'resident'],
    home: { buildingId: 'b1', number: '102', floorArea: 76.2, relation: 'owner' },
    serves: [{ body: 'supervisoryBoard', position: 'chair' }],
    partyMember: 'retired',
  },
  {
    key: 'u-selfmgmt',
    username: 'selfmgmt',
    name: '张德福（自管会）',
    phone: '13995300005',
    roles: ['selfManagementCommittee', 'resident'],
    home: { buildingId: 'b2', number: '201', floorArea: 88, relation: 'owner' },
    serves: [{ body: 'selfManagementCommittee', position: 'chair' }],
    partyMember: 'retired',
  },
  {
    key: 'u-council',
    username: 'council',
    name: '陈秀英（居民代表）',
    phone: '13995300006',
    roles: ['councilMember', 'resident'],
    home: { buildingId: 'b4', number: '402', floorArea: 92.3, relation: 'owner' },
    serves: [{ body: 'residentsCouncil', category: 'residentRepresentative' }],
  },
  {
    key: 'u-leader1',
    username: 'leader1',
    name: '李桂兰（1号楼楼栋长）',
    phone: '13995300007',
    roles: ['buildingLeader', 'resident'],
    home: { buildingId: 'b1', number: '301', floorArea: 80.6, relation: 'owner' },
    serves: [{ body: 'buildingLeader', buildingId: 'b1' }],
  },
  {
    key: 'u-resident',
    username: 'resident',
    name: '王小明',
    phone: '13995300008',
    roles: ['resident'],
    home: { buildingId: 'b2', number: '502', floorArea: 65.4, relation: 'tenant' },
    partyMember: 'mobile',
  },
  {
    key: 'u-resident2',
    username: 'resident2',
    name: '赵淑芬',
    phone: '13995300009',
    roles: ['resident'],
    home: { buildingId: 'b5', number: '101', floorArea: 110, relation: 'owner' },
  },
];

export interface SeedOptions {
  /** The API the demo is built through (the running server's address, e.g. http://127.0.0.1:3000). */
  apiUrl: string;
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
    'rooms',
    'residences',
    'body_memberships',
    'party_members',
    'audit_log',
  ]) {
    await db.collection(name).deleteMany(byCompound);
  }
  await db.collection('ledger_heads').deleteMany({ _id: DEMO_COMPOUND as never });
  await db.collection('votes').deleteMany({ meetingId: { $regex: `/${DEMO_COMPOUND}/` } });
  await User.deleteMany({ username: { $in: [...people.map((p) => p.username), DEMO_ADMIN] } });
  await Compound.deleteOne({ _id: DEMO_COMPOUND });
}

export async function seedDemo(
  temporal: TemporalHandle,
  log: (line: string) => void = console.log,
  opts: SeedOptions,
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
  const ids = await buildThroughApi(opts.apiUrl, now);
  const cast = people.map((p) => ({ id: ids.get(p.key)!, key: p.key, name: p.name, roles: p.roles }));
  actors = new Map(cast.map((p) => [p.key, { id: p.id, userId: p.id, name: p.name, roles: p.roles }]));

  const history = opts.history === undefined ? defaultHistory() : opts.history;
  if (history) {
    await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'history', at: new Date() } });
    await seedDemoHistory({
      compoundId: DEMO_COMPOUND,
      people: cast,
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

/** The demo's people as the API made them, by the key its story calls them. */
let actors = new Map<string, { id: string; userId: string; name: string; roles: Role[] }>();
const as = (key: string) => actors.get(key)!;

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

export const DEMO_ADMIN = 'admin';

/**
 * The demo compound built as an office would build it, through the API: the first administrator (the
 * CLI's way), the community and compound, six buildings and the homes, the people, the party members
 * registered, and the five bodies formed with their terms. Returns the API's ids by the demo's keys.
 */
async function buildThroughApi(apiUrl: string, now: Date): Promise<Map<string, string>> {
  await createAdministrator({ username: DEMO_ADMIN, name: '系统管理员', password: DEMO_PASSWORD });
  const base = `${apiUrl.replace(/\/$/, '')}/api/v1`;
  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`[seed] ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json as { id: string; token: string } & Record<string, unknown>;
  };
  const login = async (username: string) =>
    (await call(undefined, 'POST', '/auth/login', { username, password: DEMO_PASSWORD })).token;
  const admin = await login(DEMO_ADMIN);
  const c = `/compounds/${DEMO_COMPOUND}`;
  await call(admin, 'POST', '/communities', {
    id: 'furong',
    name: '芙蓉社区',
    subdistrict: '盐州路街道',
    county: '宁夏盐池县',
  }).catch((err: Error) => {
    if (!/ 409 /.test(err.message)) throw err; // the community of another compound's seed
  });
  // Yanchi County, Ningxia: China's one zone, named explicitly for the demo.
  await call(admin, 'POST', '/communities/furong/compounds', {
    id: DEMO_COMPOUND,
    name: '东顺苑',
    timeZone: 'Asia/Shanghai',
    echoWallPublic: true,
  });
  for (let n = 1; n <= 6; n++) await call(admin, 'POST', `${c}/buildings`, { name: `${n}号楼` });
  const ids = new Map<string, string>();
  for (const p of people) {
    const rooms = [];
    if (p.home) {
      const room = await call(admin, 'POST', `${c}/rooms`, {
        buildingId: p.home.buildingId,
        number: p.home.number,
        floorArea: p.home.floorArea,
      });
      rooms.push({ roomId: room.id, relation: p.home.relation });
    }
    const made = await call(admin, 'POST', `${c}/people`, {
      name: p.name,
      phone: p.phone,
      username: p.username,
      password: DEMO_PASSWORD,
      rooms,
    });
    ids.set(p.key, made.id);
  }
  // The bodies first (a party member must be of the compound), then the registry, then the board from it.
  await formBodies(call, admin, c, ids, now, (f) => f.body !== 'supervisoryBoard');
  for (const p of people.filter((x) => x.partyMember))
    await call(admin, 'POST', `${c}/party-members`, {
      userId: ids.get(p.key),
      type: p.partyMember,
      partyGroup: p.partyMember === 'retired' ? '第一党小组（离退休）' : '第二党小组',
      relationLocation: p.partyMember === 'mobile' ? '银川市金凤区' : '芙蓉社区党支部',
    });
  await formBodies(call, admin, c, ids, now, (f) => f.body === 'supervisoryBoard');
  return ids;
}

type Call = (
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ id: string; token: string } & Record<string, unknown>>;

/** The five bodies with their terms: elected, appointed, hired — each as its own rule asks. */
async function formBodies(
  call: Call,
  admin: string,
  c: string,
  ids: Map<string, string>,
  now: Date,
  which: (f: Formation) => boolean,
) {
  const day = 86_400_000;
  const termStart = new Date(now.getTime() - 400 * day).toISOString();
  const termEnd = new Date(now.getTime() + 3 * 365 * day).toISOString();
  const electedOn = termStart.slice(0, 10);
  for (const p of people)
    for (const f of (p.serves ?? []).filter(which)) {
      const userId = ids.get(p.key);
      const common = { userId, termStart, termEnd };
      const body =
        f.body === 'staff'
          ? {
              userId,
              termStart,
              body: 'staff',
              position: 'staffMember',
              basis: { kind: 'appointed', by: 'community' },
            }
          : f.body === 'partyBranch'
            ? {
                ...common,
                body: f.body,
                position: f.position,
                basis: { kind: 'appointed', by: 'partyOrganization' },
              }
            : f.body === 'ownersCommittee'
              ? {
                  ...common,
                  body: f.body,
                  position: f.position,
                  basis: {
                    kind: 'elected',
                    electedOn,
                    ballotsFor: 186,
                    ballotsCast: 243,
                    meetingName: '东顺苑业主大会',
                  },
                }
              : f.body === 'supervisoryBoard'
                ? {
                    ...common,
                    body: f.body,
                    position: f.position,
                    basis: { kind: 'appointed', by: 'partyOrganization' },
                  }
                : f.body === 'selfManagementCommittee'
                  ? {
                      ...common,
                      body: f.body,
                      position: f.position,
                      basis: {
                        kind: 'hired',
                        resolutionRef: '社区党组织主导季度议事会决议（上线前）',
                        contractNo: 'DSY-ZG-01',
                      },
                    }
                  : f.body === 'residentsCouncil'
                    ? {
                        ...common,
                        body: f.body,
                        position: 'member',
                        category: f.category,
                        basis: { kind: 'elected', electedOn, ballotsFor: 41, ballotsCast: 52 },
                      }
                    : {
                        ...common,
                        body: f.body,
                        position: 'buildingLeader',
                        buildingId: f.buildingId,
                        basis: { kind: 'elected', electedOn, ballotsFor: 30, ballotsCast: 36 },
                      };
      await call(admin, 'POST', `${c}/memberships`, body);
    }
}
