/**
 * The demo community a newcomer sees on `npm start`: 芙蓉社区 with the compound 东顺苑 (from the
 * seed article), its five bodies, building leaders, residents — and a few voices with real workflows.
 * Built through the API as an office would build it (the first administrator as `npm run admin`
 * makes one, then places, accounts, party members and memberships with their terms, then today's
 * voices); only the past year is lived through on the time-skipping server (scripts/demo-history.ts).
 * Idempotent: run it twice and nothing is duplicated.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { createAdministrator } from '../services/administrators';
import { SeedMark } from '../models/seed-mark';
import { seedDemoHistory } from './demo-history';
import { TOOLS_BIN } from './servers';
import type { Role } from '../domain/roles';
import type { ResidentRelation } from '../domain/people';
import type { PartyMemberType } from '../domain/party-members';
import type { MembershipBody, Position } from '../domain/memberships';
import { Compound } from '../models/compound';
import { User } from '../models/user';

export const DEMO_COMPOUND = 'dongshunyuan';
export const DEMO_PASSWORD = 'gongzhi-2026';

type Seat = { body: MembershipBody; position: Position; category?: 'residentRepresentative' };
interface DemoPerson {
  /** How the past year (scripts/demo-history.ts) names them. */
  key: string;
  username: string;
  name: string;
  phone: string;
  /** The roles the memberships give, the one the history acts as first. */
  roles: Role[];
  home?: { building: number; room: string; relation: ResidentRelation };
  party?: PartyMemberType;
  seats: Seat[];
}

const councilSeat: Seat = {
  body: 'residentsCouncil',
  position: 'member',
  category: 'residentRepresentative',
};
const people: DemoPerson[] = [
  {
    key: 'u-staff',
    username: 'staff',
    name: '马丽（社区干事）',
    phone: '13995300001',
    roles: ['staff'],
    seats: [{ body: 'staff', position: 'staffMember' }],
  },
  {
    key: 'u-branch',
    username: 'branch',
    name: '王建国（党支部书记）',
    phone: '13995300002',
    roles: ['partyBranch', 'councilMember'],
    seats: [{ body: 'partyBranch', position: 'secretary' }, councilSeat],
  },
  {
    key: 'u-owners',
    username: 'owners',
    name: '刘志强（业委会主任）',
    phone: '13995300003',
    roles: ['ownersCommittee', 'councilMember', 'resident'],
    home: { building: 3, room: '301', relation: 'owner' },
    seats: [{ body: 'ownersCommittee', position: 'chair' }, councilSeat],
  },
  {
    key: 'u-supervisor',
    username: 'supervisor',
    name: '杨振华（监事会）',
    phone: '13995300004',
    roles: ['supervisoryBoard', 'councilMember', 'resident'],
    home: { building: 1, room: '201', relation: 'owner' },
    party: 'retired',
    seats: [{ body: 'supervisoryBoard', position: 'chair' }, councilSeat],
  },
  {
    key: 'u-selfmgmt',
    username: 'selfmgmt',
    name: '张德福（自管会）',
    phone: '13995300005',
    roles: ['selfManagementCommittee', 'resident'],
    home: { building: 2, room: '101', relation: 'owner' },
    party: 'retired',
    seats: [{ body: 'selfManagementCommittee', position: 'chair' }],
  },
  {
    key: 'u-council',
    username: 'council',
    name: '陈秀英（居民代表）',
    phone: '13995300006',
    roles: ['councilMember', 'resident'],
    home: { building: 4, room: '102', relation: 'owner' },
    seats: [councilSeat],
  },
  {
    key: 'u-leader1',
    username: 'leader1',
    name: '李桂兰（1号楼楼栋长）',
    phone: '13995300007',
    roles: ['buildingLeader', 'resident'],
    home: { building: 1, room: '102', relation: 'owner' },
    seats: [{ body: 'buildingLeader', position: 'buildingLeader' }],
  },
  {
    key: 'u-resident',
    username: 'resident',
    name: '王小明',
    phone: '13995300008',
    roles: ['resident'],
    home: { building: 2, room: '202', relation: 'tenant' },
    party: 'mobile',
    seats: [],
  },
  {
    key: 'u-resident2',
    username: 'resident2',
    name: '赵淑芬',
    phone: '13995300009',
    roles: ['resident'],
    home: { building: 5, room: '101', relation: 'family' },
    seats: [],
  },
];
const ADMIN = { username: 'admin', name: '系统管理员' };

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
  // Everything of the compound (the ledger and audit models refuse deletes; this is the demo's own half-made record).
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray())
    await db.collection(c.name).deleteMany({ compoundId: DEMO_COMPOUND });
  await db.collection('ledger_heads').deleteMany({ _id: DEMO_COMPOUND as never });
  await db.collection('votes').deleteMany({ meetingId: { $regex: `/${DEMO_COMPOUND}/` } });
  await User.deleteMany({ username: { $in: [ADMIN.username, ...people.map((p) => p.username)] } });
  await Compound.deleteOne({ _id: DEMO_COMPOUND });
}

/** A call to the API the demo is built through; anything but a success stops the seed, saying why. */
function apiClient(base: string) {
  return async <T = Record<string, unknown>>(
    token: string | undefined,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`[seed] ${method} ${path} → ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}
type Api = ReturnType<typeof apiClient>;

/** The calendar day (YYYY-MM-DD, Beijing time) `days` before an instant. */
const dayBefore = (t: number, days: number) =>
  new Date(t - days * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * Seeds the demo through the API at `apiUrl` (…/api/v1), once. The API must run on the same database
 * (the first administrator is made as `npm run admin` makes one, in this process).
 */
export async function seedDemo(
  apiUrl: string,
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
  const api = apiClient(apiUrl);
  const ids = await buildCompound(api, now.getTime());

  const history = opts.history === undefined ? defaultHistory() : opts.history;
  if (history) {
    await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'history', at: new Date() } });
    await seedDemoHistory({
      compoundId: DEMO_COMPOUND,
      people: people.map((p) => ({ id: ids.get(p.key)!, key: p.key, name: p.name, roles: p.roles })),
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
  const live = await seedLiveVoices(api);
  await SeedMark.updateOne({ _id: 'demo' }, { $set: { stage: 'done', at: new Date() } });
  log(
    `[seed] demo community 芙蓉社区 / 东顺苑 created (${people.length + 1} users, ${live} open voices now)`,
  );
  return true;
}

/** The office's first hour, as the README walks it: the places, the accounts, the party members, the bodies. */
async function buildCompound(api: Api, now: number): Promise<Map<string, string>> {
  await createAdministrator({ ...ADMIN, password: DEMO_PASSWORD });
  const { token: ops } = await api<{ token: string }>(undefined, 'POST', '/auth/login', {
    username: ADMIN.username,
    password: DEMO_PASSWORD,
  });
  await api(ops, 'POST', '/communities', {
    id: 'furong',
    name: '芙蓉社区',
    subdistrict: '盐州路街道',
    county: '宁夏盐池县',
  });
  // Yanchi County, Ningxia: China's one zone, named explicitly for the demo.
  await api(ops, 'POST', '/communities/furong/compounds', {
    id: DEMO_COMPOUND,
    name: '东顺苑',
    timeZone: 'Asia/Shanghai',
    echoWallPublic: true,
  });
  const c = `/compounds/${DEMO_COMPOUND}`;
  const buildings = new Map<number, string>();
  const rooms = new Map<string, string>();
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const b = await api<{ id: string }>(ops, 'POST', `${c}/buildings`, { name: `${n}号楼` });
    // The voices below and the past year name the buildings b1…b6, as the API numbers them.
    if (b.id !== `b${n}`) throw new Error(`[seed] building ${n} was numbered ${b.id}, not b${n}`);
    buildings.set(n, b.id);
    for (const [number, floor] of [
      ['101', 1],
      ['102', 1],
      ['201', 2],
      ['202', 2],
      ['301', 3],
      ['302', 3],
    ] as const) {
      const r = await api<{ id: string }>(ops, 'POST', `${c}/rooms`, {
        buildingId: b.id,
        number,
        floor,
        floorArea: number.endsWith('1') ? 89.5 : 72.3,
      });
      rooms.set(`${n}/${number}`, r.id);
    }
  }

  const ids = new Map<string, string>();
  for (const p of people) {
    const made = await api<{ id: string }>(ops, 'POST', `${c}/people`, {
      name: p.name,
      phone: p.phone,
      username: p.username,
      password: DEMO_PASSWORD,
      rooms: p.home
        ? [{ roomId: rooms.get(`${p.home.building}/${p.home.room}`), relation: p.home.relation }]
        : [],
    });
    ids.set(p.key, made.id);
  }
  // Party members living here, found and linked by the branch (the mobile one is still being contacted).
  for (const p of people.filter((x) => x.party)) {
    const m = await api<{ id: string }>(ops, 'POST', `${c}/party-members`, {
      userId: ids.get(p.key),
      type: p.party,
      partyGroup: '第一党小组',
      relationLocation: p.party === 'retired' ? '盐池县委老干部局' : '甘肃省庆阳市某街道党工委',
    });
    if (p.party !== 'retired') continue;
    await api(ops, 'POST', `${c}/party-members/${m.id}/contacts`, {
      at: new Date(now - 3_600_000).toISOString(),
      method: 'visit',
      note: '入户走访，核实组织关系',
    });
    await api(ops, 'POST', `${c}/party-members/${m.id}/link`, {});
  }
  // The bodies with their terms, begun before the past year so its meetings have their people.
  const termStart = new Date(now - 400 * 86_400_000).toISOString();
  const termEnd = new Date(now + 3 * 365 * 86_400_000).toISOString();
  const basisOf = (body: MembershipBody) => {
    switch (body) {
      case 'ownersCommittee':
      case 'residentsCouncil':
        return { kind: 'elected', electedOn: dayBefore(now, 403), ballotsFor: 186, ballotsCast: 243 };
      case 'selfManagementCommittee':
        return {
          kind: 'hired',
          resolutionRef: '东顺苑居民议事会决议〔2025〕1号',
          contractNo: 'DSY-ZGH-2025-01',
        };
      case 'staff':
        return { kind: 'appointed', by: 'community' };
      default:
        return { kind: 'appointed', by: 'partyOrganization' };
    }
  };
  for (const p of people)
    for (const seat of p.seats)
      await api(ops, 'POST', `${c}/memberships`, {
        userId: ids.get(p.key),
        ...seat,
        ...(seat.body === 'buildingLeader' ? { buildingId: buildings.get(p.home!.building) } : {}),
        termStart,
        ...(seat.body === 'staff' ? {} : { termEnd }),
        basis: basisOf(seat.body),
      });
  // The roles are the memberships' (and the homes'): what the past year acts with must be what they give.
  for (const p of people) {
    const u = await User.findById(ids.get(p.key)).lean();
    const got = [...(u?.memberships.find((m) => m.compoundId === DEMO_COMPOUND)?.roles ?? [])].sort();
    if (got.join() !== [...p.roles].sort().join())
      throw new Error(`[seed] ${p.username} holds ${got.join(', ')}, not ${p.roles.join(', ')}`);
  }
  return ids;
}

function defaultHistory(): SeedOptions['history'] {
  const testServerPath = provisionedTestServer();
  return testServerPath ? { testServerPath } : false;
}

/** What is open today: a fresh appeal, a complaint being handled, a resolved one awaiting its verdict. */
async function seedLiveVoices(api: Api): Promise<number> {
  const c = `/compounds/${DEMO_COMPOUND}`;
  const tokens = new Map<string, string>();
  const tokenOf = async (username: string) => {
    if (!tokens.has(username)) {
      const r = await api<{ token: string }>(undefined, 'POST', '/auth/login', {
        username,
        password: DEMO_PASSWORD,
      });
      tokens.set(username, r.token);
    }
    return tokens.get(username)!;
  };
  const submit = async (who: string, key: string, body: Record<string, unknown>) =>
    (
      await api<{ voice: { id: string } }>(await tokenOf(who), 'POST', `${c}/voices`, body, {
        'idempotency-key': `demo-${key}`,
      })
    ).voice.id;
  // Accepting waits for the workflow to have assigned the voice (the API answers 202 before that).
  const untilAssigned = async (id: string) => {
    const staff = await tokenOf('staff');
    for (let i = 0; i < 300; i++) {
      const v = await api<{ status: string }>(staff, 'GET', `${c}/voices/${id}`);
      if (v.status !== 'received') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`[seed] voice ${id} was not assigned within 30 s`);
  };
  await submit('leader1', 'open', {
    kind: 'appeal',
    channel: 'buildingLeader',
    buildingId: 'b1',
    text: '1号楼楼道里有人飞线给电动车充电，存在消防隐患，希望尽快处理。',
    anonymous: true,
    onBehalfOf: { name: '1号楼住户' },
  });
  const handling = await submit('resident', 'handling', {
    kind: 'complaint',
    channel: 'online',
    buildingId: 'b2',
    text: '2号楼东侧的垃圾桶满了两天没人清运，气味很大。',
    anonymous: false,
  });
  const resolved = await submit('resident2', 'resolved', {
    kind: 'complaint',
    channel: 'online',
    buildingId: 'b5',
    text: '5号楼门口的路面破损，老人走路容易绊倒。',
    anonymous: false,
  });
  await untilAssigned(handling);
  await api(await tokenOf('selfmgmt'), 'POST', `${c}/voices/${handling}/accept`, {
    note: '今天上午安排清运',
  });
  await untilAssigned(resolved);
  await api(await tokenOf('staff'), 'POST', `${c}/voices/${resolved}/resolve`, {
    result: '已联系施工队修补路面，并设置了警示标志。',
  });
  return 3;
}
