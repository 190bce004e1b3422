/**
 * Faults survived (issue 9, point 7). The whole stack as separate processes (scripts/stack.ts) —
 * FerretDB, the Temporal dev server with its state in a file, the worker, the API — with residents'
 * phones raising voices over HTTP, each request under an idempotency key and retried with the same key
 * on a network error or a 5xx until it is answered with a 2xx (as a phone would; bounded).
 *
 *   1. a burst with no fault;
 *   2. a burst during which the worker is killed -9, then one for the Temporal server, then one for
 *      the database, each restarted a few seconds later;
 *   3. a quarterly council's vote over HTTP during which the worker, then the Temporal server, is
 *      killed -9 and restarted: every ballot answered is counted once, none twice.
 * After each, test/helpers/consistency.ts waits (bounded) for the system to settle and checks it.
 *
 * It runs its own stack: the suite's global setup servers (MONGODB_URI, TEMPORAL_ADDRESS in the
 * environment) are not used, and the stack's processes get their whole configuration pinned here.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import { signToken } from '../../services/tokens';
import { voiceIdFor } from '../../services/intake';
import { LedgerEntry } from '../../models/ledger-entry';
import { Meeting } from '../../models/meeting';
import { Community, Compound, setDefaultTimeZone } from '../../models/compound';
import { User } from '../../models/user';
import { BodyMembership } from '../../models/body-membership';
import { BASES_OF, POSITIONS_OF, ROLE_OF_BODY, type MembershipBody } from '../../domain/memberships';
import { Vote } from '../../models/vote';
import type { Role } from '../../domain/roles';
import { Stack, type Part } from '../../scripts/stack';
import { waitForConsistency, type AcceptedVoice, type ConsistencySummary } from '../helpers/consistency';

const TIME_ZONE = 'Asia/Shanghai';
/** A client gives up (and the test fails) when a request has had no 2xx for this long. */
const GIVE_UP_MS = 60_000;
/** One attempt's own limit: a request hanging on a dead part is abandoned and sent again. */
const ATTEMPT_MS = 10_000;
/**
 * How long the system may take to settle after a phase. Fault-free, 150 voices' first steps take
 * 20–35 s on a loaded two-core machine (CI runs another test file beside this one).
 */
const SETTLE_MS = 90_000;
const VOICES_PER_BURST = 150;
const CLIENTS = 10;
const DOWN_MS = 3_000;

const VOICE_COMPOUND = 'chaos-v';
const COUNCIL_COMPOUND = 'chaos-m';

/** What residents say: the sixteenth of each burst complains of the committee's service (a prompt coordination). */
const SAYINGS: { kind: string; text: string }[] = [
  { kind: 'complaint', text: '3号楼门口的垃圾三天没人清运了' },
  { kind: 'suggestion', text: '建议在小区东门增加几个快递柜' },
  { kind: 'appeal', text: '2号楼电梯经常故障，请尽快维修' },
  { kind: 'praise', text: '感谢保洁阿姨把楼道打扫得很干净' },
  { kind: 'complaint', text: '地下车库的灯坏了好几盏，晚上很黑' },
];
const SERVICE_COMPLAINT = { kind: 'complaint', text: '自管会保洁员服务态度太差，说了也不改' };

const stackLog: string[] = [];
const stack = new Stack({
  env: {
    // Pinned, so nothing the suite's environment carries reaches the stack's processes.
    NODE_ENV: 'test',
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'gongzhi-chaos',
    DEFAULT_TIME_ZONE: TIME_ZONE,
    LOG_LEVEL: 'WARN',
    NOTIFY_LOG: 'false',
    NOTIFY_WEBHOOK_URL: undefined,
    TOKEN_TTL_SECONDS: '86400',
  },
  log: (part, line) => {
    stackLog.push(`${new Date().toISOString().slice(11, 23)} [${part}] ${line}`);
    if (stackLog.length > 20_000) stackLog.splice(0, 5_000);
    if (process.env.CHAOS_LOG) process.stderr.write(`[${part}] ${line}\n`);
  },
});

/** A process's descendants (Linux /proc), deepest first. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const line = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (line) children.push(...line.split(/\s+/).map(Number));
    }
  } catch {
    children = [];
  }
  return children.flatMap((c) => [...descendants(c), c]);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * kill -9 of a part and all it started. The worker and the API run under the tsx launcher, whose
 * SIGKILL cannot reach its node child: Stack.kill alone would leave the real process running.
 */
async function killPart(part: Part): Promise<number> {
  const pid = stack.pid(part);
  const tree = pid ? descendants(pid) : [];
  const at = Date.now();
  for (const p of tree) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await stack.kill(part);
  const deadline = Date.now() + 10_000;
  while (tree.some(alive)) {
    if (Date.now() > deadline)
      throw new Error(`${part}: processes ${tree.filter(alive).join(', ')} outlived kill -9`);
    await sleep(20);
  }
  return at;
}

/** Set in afterAll: clients still retrying stop at once. */
let tearingDown = false;

const report: string[] = [];
const note = (line: string) => {
  report.push(line);
  if (process.env.CHAOS_LOG) process.stderr.write(`${line}\n`);
};

/** Waits for every task and then throws the first failure (no client is left retrying unawaited). */
async function allOrFirstError<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

interface Person {
  id: string;
  name: string;
  token: string;
}

async function person(compoundId: string, id: string, name: string, roles: Role[]): Promise<Person> {
  await User.create({
    _id: id,
    username: id,
    name,
    passwordHash: 'unused: tokens are minted with the stack secret',
    memberships: [{ compoundId, roles }],
  });
  // The bodies' memberships on record, as the office registers them: the council's roster comes from them.
  const now = Date.now();
  await BodyMembership.insertMany(
    Object.entries(ROLE_OF_BODY)
      .filter(([, role]) => roles.includes(role))
      .map(([body], i) => ({
        _id: `m-${id}-${i}`,
        compoundId,
        userId: id,
        name,
        body,
        position: POSITIONS_OF[body as MembershipBody][0],
        category: body === 'residentsCouncil' ? 'residentRepresentative' : undefined,
        buildingId: body === 'buildingLeader' ? 'b1' : undefined,
        termStart: new Date(now - 86_400_000),
        termEnd: body === 'staff' ? undefined : new Date(now + 365 * 86_400_000),
        basis: { kind: BASES_OF[body as MembershipBody][0], fixture: true },
        status: 'current',
      })),
  );
  return { id, name, token: signToken(id, stack.secret, 86_400) };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  attempts: number;
  /** Why the earlier attempts failed (network errors, 5xx), for the report. */
  failures: string[];
  /** Every attempt: when it was sent, when it ended (UTC clock) and how. */
  history: string[];
}

const clock = (t: number) => new Date(t).toISOString().slice(11, 23);

const describeError = (err: unknown) => {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return `${e.name ?? 'Error'}: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(err)}`;
};

/**
 * Sends a request until it is answered with anything but a 5xx (network errors and 5xx are retried,
 * the same request each time, with backoff); fails after GIVE_UP_MS without such an answer.
 */
async function untilAnswered(
  what: string,
  method: 'GET' | 'POST',
  path: string,
  who: Person,
  body?: object,
  opts: { headers?: Record<string, string>; onSend?: () => void } = {},
): Promise<Answer> {
  const t0 = Date.now();
  const failures: string[] = [];
  const history: string[] = [];
  for (let attempt = 1; ; attempt++) {
    if (tearingDown) throw new Error(`${what}: abandoned, the stack is stopping`);
    const sent = Date.now();
    try {
      const sending = fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${who.token}`,
          'content-type': 'application/json',
          ...opts.headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(ATTEMPT_MS),
      });
      opts.onSend?.();
      const res = await sending;
      const text = await res.text();
      history.push(`${clock(sent)}→${clock(Date.now())} ${res.status}`);
      if (res.status < 500) {
        return {
          status: res.status,
          body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
          attempts: attempt,
          failures,
          history,
        };
      }
      failures.push(`HTTP ${res.status} ${text.slice(0, 120)}`);
    } catch (err) {
      failures.push(describeError(err));
      history.push(`${clock(sent)}→${clock(Date.now())} ${describeError(err)}`);
    }
    if (Date.now() - t0 > GIVE_UP_MS) {
      throw new Error(
        `${what}: no answer but errors for ${Math.round((Date.now() - t0) / 1000)} s (${attempt} attempts); last: ${failures.at(-1)}\n` +
          `stack log (last lines):\n${stackLog.slice(-40).join('\n')}`,
      );
    }
    await sleep(Math.min(2_000, 200 * 1.5 ** Math.min(attempt, 8)) * (0.75 + Math.random() / 2));
  }
}

/**
 * A fault: `part` is killed -9 just after a request is sent, once `after` requests are answered (so it
 * lands while requests are being stored, not between them), and started again `downMs` later.
 */
interface Fault {
  part: Part;
  after: number;
  downMs: number;
}
interface FaultRun {
  /** When its moment came (the kill follows within milliseconds). */
  firedAt: number;
  /** When the signals were sent. */
  killedAt: number;
  restartedAt: number;
  upAt: number;
}

/** How long after a request is sent the kill comes: about when intake writes it (a 3 ms group commit). */
const KILL_AFTER_SEND_MS = 8;

/**
 * Runs a fault when its moment comes; `finished` settles once the part is up again. Given the fault
 * before it in the same burst, it waits until that one's part is back.
 */
function faultRunner(fault: Fault | undefined, before?: { up(): boolean }) {
  let done: Promise<FaultRun> | undefined;
  let up = false;
  let armed = false;
  return {
    up: () => up,
    answered(count: number) {
      if (fault && count >= fault.after) armed = true;
    },
    sent() {
      if (!fault || !armed || done || (before && !before.up())) return;
      const firedAt = Date.now();
      done = (async () => {
        await sleep(KILL_AFTER_SEND_MS);
        const killedAt = await killPart(fault.part);
        await sleep(fault.downMs);
        const restartedAt = Date.now();
        await stack.startPart(fault.part);
        up = true;
        return { firedAt, killedAt, restartedAt, upAt: Date.now() };
      })();
      // Surfaced through `finished`; this keeps an early failure from being reported as unhandled.
      done.catch(() => undefined);
    },
    async finished(): Promise<FaultRun | undefined> {
      if (!fault) return undefined;
      if (!done) throw new Error(`the ${fault.part} fault never ran: fewer than ${fault.after} answers`);
      return done;
    },
  };
}

let residents: Person[] = [];
const accepted: AcceptedVoice[] = [];
/** How each voice's requests went, for the messages of the checks. */
const requests = new Map<string, string>();
/** The voices of the phase being checked: these are compared with their workflows by query. */
let current = new Set<string>();

interface Burst {
  startedAt: number;
  voices: AcceptedVoice[];
  retried: number;
  attempts: number;
  lastAnswerAt: number;
  faults: FaultRun[];
  failures: string[];
}

/** `n` voices from CLIENTS phones at once (each sends its next when answered), retried under its key. */
async function burst(label: string, n: number, planned: Fault[] = []): Promise<Burst> {
  const runners: ReturnType<typeof faultRunner>[] = [];
  for (const f of planned) runners.push(faultRunner(f, runners.at(-1)));
  const faults = {
    sent: () => runners.forEach((r) => r.sent()),
    answered: (count: number) => runners.forEach((r) => r.answered(count)),
  };
  const t0 = Date.now();
  const voices: AcceptedVoice[] = [];
  let answered = 0;
  let retried = 0;
  let attempts = 0;
  let lastAnswerAt = 0;
  const failures = new Map<string, number>();
  const run = randomBytes(3).toString('hex');
  const raise = async (i: number) => {
    const resident = residents[i % residents.length]!;
    const key = `${label}-${run}-${i}`;
    const saying = i % 16 === 15 ? SERVICE_COMPLAINT : SAYINGS[i % SAYINGS.length]!;
    const a = await untilAnswered(
      `voice ${key}`,
      'POST',
      `/compounds/${VOICE_COMPOUND}/voices`,
      resident,
      { ...saying, buildingId: 'b1' },
      { headers: { 'idempotency-key': key }, onSend: () => faults.sent() },
    );
    // 202: stored now; 200: a retry that found the voice an earlier attempt stored. Nothing else.
    if (a.status !== 202 && a.status !== 200)
      throw new Error(`voice ${key}: answered ${a.status} ${JSON.stringify(a.body)}`);
    if (a.status === 200 && a.attempts === 1)
      throw new Error(`voice ${key}: a first request answered as a replay (200): ${JSON.stringify(a.body)}`);
    const voiceId = (a.body.voice as { id?: string } | undefined)?.id;
    const expected = voiceIdFor(VOICE_COMPOUND, resident.id, key);
    if (voiceId !== expected)
      throw new Error(`voice ${key}: answered with id ${voiceId}, expected ${expected}`);
    voices.push({ voiceId, compoundId: VOICE_COMPOUND, submittedBy: resident.id, idempotencyKey: key });
    requests.set(voiceId, `key ${key}: ${a.history.join(', ')}`);
    attempts += a.attempts;
    if (a.attempts > 1) retried++;
    for (const f of a.failures) {
      const kind = f.replace(/\d+/g, '#').slice(0, 60);
      failures.set(kind, (failures.get(kind) ?? 0) + 1);
    }
    lastAnswerAt = Date.now();
    faults.answered(++answered);
  };
  await allOrFirstError(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; i < n; i += CLIENTS) {
        await raise(i);
      }
    }),
  );
  const ran = await allOrFirstError(runners.map((r) => r.finished()));
  accepted.push(...voices);
  current = new Set(voices.map((v) => v.voiceId));
  return {
    startedAt: t0,
    voices,
    retried,
    attempts,
    lastAnswerAt,
    faults: ran.filter((f): f is FaultRun => f !== undefined),
    failures: [...failures].map(([k, v]) => `${v}× ${k}`),
  };
}

/** The consistency checks over everything answered so far. */
function settle(extra?: () => Promise<string[]>): Promise<ConsistencySummary> {
  return waitForConsistency(
    {
      temporalAddress: stack.temporalAddress,
      voices: accepted,
      closedCompounds: [VOICE_COMPOUND, COUNCIL_COMPOUND],
      compounds: [VOICE_COMPOUND, COUNCIL_COMPOUND],
      query: (id) => current.has(id),
      onPoll: (poll, ms, problems) => {
        if (!process.env.CHAOS_LOG) return;
        const kinds = new Map<string, number>();
        for (const p of problems) {
          const k = p
            .replace(/^voice \w+: /, '')
            .replace(/ — .*/, '')
            .replace(/[0-9a-f]{24}/g, '…')
            .replace(/\d+/g, '#');
          kinds.set(k, (kinds.get(k) ?? 0) + 1);
        }
        process.stderr.write(
          `poll ${poll} at ${(ms / 1000).toFixed(1)} s: ${problems.length} problems: ${[...kinds].map(([k, n]) => `${n}× ${k}`).join('; ')}\n`,
        );
      },
      extra,
      context: (id) => {
        const log = stackLog.filter((l) => l.includes(id)).slice(-5);
        return `${requests.get(id) ?? 'no requests noted'}${log.length ? `; stack log: ${log.join(' | ')}` : ''}`;
      },
    },
    { timeoutMs: SETTLE_MS },
  );
}

function noteBurst(title: string, b: Burst, s: ConsistencySummary) {
  const at = (t: number) => `+${((t - b.startedAt) / 1000).toFixed(1)} s`;
  note(
    `${title}: ${b.voices.length} voices answered in ${((b.lastAnswerAt - b.startedAt) / 1000).toFixed(1)} s, ${b.retried} retried (${b.attempts} requests)` +
      b.faults
        .map(
          (f) =>
            `; fired at ${at(f.firedAt)}, killed at ${at(f.killedAt)}, restarted at ${at(f.restartedAt)}, up at ${at(f.upAt)}`,
        )
        .join('') +
      (b.failures.length ? `; failed attempts: ${b.failures.join('; ')}` : '') +
      `; settled in ${(s.settledInMs / 1000).toFixed(1)} s (${s.polls} polls): ${s.voices} voices, workflows ${JSON.stringify(s.workflows)}, ${s.outbox} left in the outbox, ledger ${JSON.stringify(s.ledgerEntries)}`,
  );
}

/** A fault must land while the burst is still being answered, or it tested nothing. */
function expectMidBurst(b: Burst, faults: number) {
  expect(b.faults).toHaveLength(faults);
  for (const f of b.faults) expect(b.lastAnswerAt).toBeGreaterThan(f.killedAt);
}

beforeAll(async () => {
  setDefaultTimeZone(TIME_ZONE);
  const t0 = Date.now();
  await stack.start();
  await mongoose.connect(stack.mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  await Community.create({ _id: 'chaos', name: '演练社区' });
  for (const [id, name] of [
    [VOICE_COMPOUND, '演练小区'],
    [COUNCIL_COMPOUND, '议事小区'],
  ] as const) {
    await Compound.create({
      _id: id,
      name,
      communityId: 'chaos',
      timeZone: TIME_ZONE,
      buildings: [{ _id: 'b1', name: '1号楼' }],
    });
  }
  residents = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) =>
      person(VOICE_COMPOUND, `chaos-r${i}`, `居民${i + 1}`, ['resident']),
    ),
  );
  note(`stack up and seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, 180_000);

afterAll(async () => {
  tearingDown = true;
  await mongoose.disconnect().catch(() => undefined);
  const parts = ['api', 'worker', 'temporal', 'database'] as const;
  const tree = parts.flatMap((p) => {
    const pid = stack.pid(p);
    return pid ? [...descendants(pid), pid] : [];
  });
  await stack.stop();
  // Whatever outlived a graceful stop (nothing, normally) goes too: it would hold this process open.
  for (const p of tree.filter(alive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  // The stack's data (FerretDB's and Temporal's files), unless asked to keep it for a look.
  if (!process.env.CHAOS_KEEP) rmSync(stack.dir, { recursive: true, force: true });
  if (report.length) console.log(`faults survived:\n  ${report.join('\n  ')}`);
}, 60_000);

describe('faults survived', () => {
  it('a burst with no fault: each voice stored once, its workflow started, all consistent', async () => {
    const b = await burst('calm', VOICES_PER_BURST);
    expect(b.voices).toHaveLength(VOICES_PER_BURST);
    const s = await settle();
    noteBurst('no fault', b, s);
  }, 200_000);

  // The database twice: a write in flight when it dies is what its fault is about, and one kill may
  // fall between writes.
  for (const [part, after] of [
    ['worker', [40]],
    ['temporal', [40]],
    ['database', [40, 100]],
  ] as const) {
    it(`the ${part} killed -9 mid-burst and restarted: nothing lost, nothing twice`, async () => {
      const faults = after.map((a) => ({ part, after: a, downMs: DOWN_MS }));
      const b = await burst(`kill-${part}`, VOICES_PER_BURST, faults);
      expect(b.voices).toHaveLength(VOICES_PER_BURST);
      expectMidBurst(b, faults.length);
      const s = await settle();
      noteBurst(`${part} killed`, b, s);
    }, 240_000);
  }

  it('a council votes while the worker, then Temporal, is killed: each ballot counted once', async () => {
    const c = COUNCIL_COMPOUND;
    const staff = await person(c, 'chaos-staff', '马丽', ['staff']);
    const branch = await person(c, 'chaos-branch', '王书记', ['partyBranch']);
    const owners = await person(c, 'chaos-owners', '刘主任', ['ownersCommittee']);
    const supervisor = await person(c, 'chaos-supervisor', '杨大爷', ['supervisoryBoard']);
    const reps = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        person(c, `chaos-rep${String(i).padStart(2, '0')}`, `代表${i + 1}`, ['councilMember']),
      ),
    );
    const members = [branch, owners, supervisor, ...reps];

    // An extraordinary council, two hours ahead: its window is open at once.
    const trigger = await untilAnswered('trigger', 'POST', `/compounds/${c}/meetings`, staff, {
      type: 'quarterlyDeliberation',
      reason: '故障演练：临时议事会',
      plannedAt: new Date(Date.now() + 2 * 3_600_000).toISOString(),
    });
    expect(trigger).toMatchObject({ status: 201, attempts: 1 });
    const meetingId = trigger.body.id as string;
    const path = `/compounds/${c}/meetings/${meetingId.split('/')[0]}/${trigger.body.period as string}`;
    const until = async (what: string, ok: (body: Record<string, unknown>) => boolean) => {
      const t0 = Date.now();
      for (;;) {
        const a = await untilAnswered(what, 'GET', path, staff);
        if (a.status === 200 && ok(a.body)) return a.body;
        if (Date.now() - t0 > SETTLE_MS)
          throw new Error(`${what}: not within ${SETTLE_MS} ms: ${JSON.stringify(a.body)}`);
        await sleep(250);
      }
    };
    await until('agenda', (m) => m.agendaAssembledAt !== undefined);
    const post = async (who: Person, action: string, body: object = {}) => {
      const a = await untilAnswered(`${action} by ${who.name}`, 'POST', `${path}/${action}`, who, body);
      if (a.status !== 200)
        throw new Error(`${action} by ${who.name}: ${a.status} ${JSON.stringify(a.body)}`);
      return a.body;
    };
    await post(branch, 'confirm-convening');
    await post(owners, 'confirm-convening');
    const withMotion = await post(reps[0]!, 'motions', {
      title: '更换小区门禁系统',
      matter: 'fundUse',
      amount: 50_000,
    });
    const motionId = (withMotion.agenda as { id: string; title: string }[]).find(
      (i) => i.title === '更换小区门禁系统',
    )!.id;
    await post(staff, 'record', {
      heldAt: new Date().toISOString(),
      attendance: members.map((m) => m.id),
      minutes: '审议门禁议案（故障演练）',
    });
    await until('voting', (m) => m.status === 'voting');

    // 10 yes, 3 no, 2 abstain: 5030 passes it.
    const choiceOf = (i: number) => (i < 10 ? 'yes' : i < 13 ? 'no' : 'abstain');
    /** Ballots answered 2xx (or, to a retry, "already voted": an earlier attempt counted). */
    const confirmed = new Map<string, string>();
    /** Ballots whose retry was answered "voting is closed": counted or not, the answer does not say. */
    const ambiguous = new Map<string, string>();
    const ballots: string[] = [];
    const vote = async (i: number, onSend: () => void) => {
      const who = members[i]!;
      const a = await untilAnswered(
        `ballot of ${who.name}`,
        'POST',
        `${path}/votes`,
        who,
        { motionId, choice: choiceOf(i) },
        { onSend },
      );
      const said = String((a.body.error as { message?: string } | undefined)?.message);
      ballots.push(`${who.name}:${a.status}×${a.attempts}`);
      if (a.status === 200 || (a.status === 409 && a.attempts > 1 && said.includes('已对该议案表决')))
        confirmed.set(who.id, choiceOf(i));
      else if (a.status === 409 && a.attempts > 1 && said.includes('不在表决时间内'))
        ambiguous.set(who.id, `${who.name} (${a.history.join(', ')})`);
      else
        throw new Error(
          `ballot of ${who.name}: ${a.status} after ${a.attempts} attempts: ${JSON.stringify(a.body)}`,
        );
    };
    /** Ballots `from`…`to`-1, one every 500 ms, with a fault after the second answer. */
    const phase = async (from: number, to: number, fault: Fault) => {
      const faults = faultRunner(fault);
      let answered = 0;
      await allOrFirstError(
        Array.from({ length: to - from }, async (_, k) => {
          await sleep(k * 500);
          await vote(from + k, () => faults.sent());
          faults.answered(++answered);
        }),
      );
      return faults.finished();
    };
    const t0 = Date.now();
    const workerFault = await phase(0, 7, { part: 'worker', after: 2, downMs: DOWN_MS });
    const temporalFault = await phase(7, 15, { part: 'temporal', after: 2, downMs: DOWN_MS });
    note(
      `council: ${members.length} ballots in ${((Date.now() - t0) / 1000).toFixed(1)} s; worker down ${((workerFault!.upAt - workerFault!.killedAt) / 1000).toFixed(1)} s, Temporal down ${((temporalFault!.upAt - temporalFault!.killedAt) / 1000).toFixed(1)} s; answers ${ballots.join(', ')}`,
    );

    // Everyone present voted: the council closes by itself, with each ballot counted once.
    const closed = await until('closed', (m) => m.status === 'closed');
    const result = (closed.quarterly as { results: Record<string, { tally: object; passed: boolean }> })
      .results[motionId];
    const listed = await untilAnswered('votes', 'GET', `${path}/votes?motionId=${motionId}`, staff);
    const stored = (listed.body.items as { userId: string; choice: string }[]).map(
      (v) => `${v.userId}:${v.choice}`,
    );
    // Each member's ballot once, with the choice they sent; every confirmed one among them.
    expect(stored.sort()).toEqual(members.map((m, i) => `${m.id}:${choiceOf(i)}`).sort());
    for (const [userId, choice] of confirmed) expect(stored).toContain(`${userId}:${choice}`);
    const tally = { yes: 0, no: 0, abstain: 0 };
    for (const v of stored) tally[v.split(':')[1] as keyof typeof tally]++;
    expect(result).toMatchObject({ tally, passed: true });
    expect(await Vote.countDocuments({ motionId })).toBe(members.length);
    expect(await LedgerEntry.countDocuments({ matterId: meetingId, event: 'motionDecided' })).toBe(1);
    if (ambiguous.size)
      note(
        `council: ${ambiguous.size} counted ballots whose retry was told voting had closed (not that they were counted): ${[...ambiguous.values()].join('; ')}`,
      );

    const s = await settle(async () => {
      const m = await Meeting.findById(meetingId, { status: 1 }).lean();
      return m?.status === 'closed' ? [] : [`meeting ${meetingId}: read model '${m?.status}'`];
    });
    note(
      `council settled in ${(s.settledInMs / 1000).toFixed(1)} s: tally ${JSON.stringify(tally)}, ledger ${JSON.stringify(s.ledgerEntries)}`,
    );
  }, 300_000);
});
