/**
 * The demo's past year, lived through by the real workflows. A time-skipping Temporal test server whose
 * clock starts a year back runs the compound's meetings, residents' voices, orders, council votes and
 * last year's evaluation, with the real activities writing to the same database; then it stops. What it
 * leaves — read models, the ledger, the rates — is a year of finished history. Everything still open
 * (this month's meetings, open voices) runs on the real Temporal server afterwards (seed-demo.ts).
 *
 * Nothing here writes a read model by hand: every record comes from a workflow or from the API's own
 * intake, as it would in a year of use.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { localParts, monthBounds, zonedTime, DAY_MS, HOUR_MS } from '../domain/calendar';
import { meetingWindow, meetingWorkflowId, type MeetingType } from '../domain/meetings';
import type { Role } from '../domain/roles';
import type { Category, VoiceKind } from '../domain/voices';
import { Compound, timeZoneOf } from '../models/compound';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { Voice } from '../models/voice';
import { meetingSettingsWithCalendar } from '../activities/meetings';
import { actOnVoice } from '../services/voice-actions';
import { submitVoice, type SubmitVoiceInput } from '../services/intake';
import type { TemporalHandle } from '../services/temporal-client';
import type { Actor } from '../workflows/contract';
import {
  addMotionUpdate,
  castVoteUpdate,
  completeRectificationUpdate,
  confirmConveningUpdate,
  meetingStatusQuery,
  rectificationWorkflowId,
  recordMeetingUpdate,
  signEvaluationUpdate,
  verifyRectificationUpdate,
  type Decision,
  type MeetingInput,
  type MeetingState,
} from '../workflows/meeting-contract';

export interface HistoryWindow {
  /** Local start of the first month of history, and of the current month (history ends there). */
  start: Date;
  end: Date;
  /** "2025-12" … the months lived through, in order. */
  months: string[];
  /** The year whose annual evaluation is held, signed and published within the history. */
  evaluatedYear: number;
}

/**
 * The twelve complete months before the current one — reaching back to the December of the last year
 * whose evaluation can be signed before now (in January, the year before last).
 */
export function historyWindow(now: Date, timeZone: string): HistoryWindow {
  const end = monthBounds(now, timeZone).start;
  const p = localParts(now, timeZone);
  const evaluatedYear = p.month === 1 ? p.year - 2 : p.year - 1;
  const back12 = zonedTime(timeZone, p.year - 1, p.month, 1);
  const december = zonedTime(timeZone, evaluatedYear, 12, 1);
  const start = december.getTime() < back12.getTime() ? december : back12;
  const months: string[] = [];
  for (let t = start; t.getTime() < end.getTime(); t = monthBounds(t, timeZone).end) {
    const lp = localParts(t, timeZone);
    months.push(`${lp.year}-${String(lp.month).padStart(2, '0')}`);
  }
  return { start, end, months, evaluatedYear };
}

/** What each month's residents raise, in turn (the texts are the kind this compound hears). */
const VOICE_TEXTS: { kind: VoiceKind; text: string; category?: Category }[] = [
  { kind: 'complaint', text: '2号楼东侧的垃圾桶满了两天没人清运，气味很大。' },
  { kind: 'complaint', text: '3号楼楼道里堆满了杂物，清扫不及时。' },
  { kind: 'complaint', text: '晚上小区东门没人值守，门禁坏了好几天，有陌生人进出。' },
  { kind: 'complaint', text: '5号楼下的路灯坏了一个星期，晚上出门很不方便。' },
  { kind: 'complaint', text: '绿化带里的垃圾好几天没人清扫。' },
  { kind: 'complaint', text: '4号楼有人在楼道里飞线给电动车充电，存在消防隐患。' },
];
const PRAISE = [
  '感谢自管会的保洁阿姨，小区卫生越来越好了！',
  '自管会巡逻队晚上很负责，给你们点赞。',
  '感谢业委会及时公开了公共收益账目。',
];
const SUGGESTIONS = [
  '建议在6号楼旁增设几个电动车充电桩。',
  '建议在小区广场增加几张休息长椅，方便老人。',
  '建议物业公司每月公布一次维修工单的处理情况。',
];
const MOTIONS = [
  { title: '更换小区门禁系统', amount: 50_000 },
  { title: '增设电动车集中充电棚', amount: 38_000 },
  { title: '维修小区北侧围墙和道路', amount: 26_000 },
  { title: '更新健身器材和老年活动室设施', amount: 18_000 },
];

interface Person {
  id: string;
  name: string;
  roles: Role[];
}

export interface HistoryOptions {
  compoundId: string;
  /** The demo's people by id (seed-demo.ts). */
  people: Person[];
  now: Date;
  log?: (line: string) => void;
  /** The workflow bundle (tests pass the one they built), or the workflows' source path. */
  workflowBundle?: { codePath: string };
  /** The test server's launcher (scripts/provision.sh links it into .tools/bin). */
  testServerPath: string;
}

/** Runs the history. Returns what it made, for the log. */
export async function seedDemoHistory(opts: HistoryOptions): Promise<{ months: number; voices: number }> {
  const { startTestServer } = await import('./test-server');
  const { Worker } = await import('@temporalio/worker');
  const { createActivities } = await import('../activities');
  const { createNotifier } = await import('../activities/notifications');
  const log = opts.log ?? (() => undefined);
  const compound = await Compound.findById(opts.compoundId).lean();
  if (!compound) throw new Error(`demo compound ${opts.compoundId} must exist before its history`);
  const tz = timeZoneOf(compound);
  const w = historyWindow(opts.now, tz);
  log(`[seed] living through ${w.months[0]} … ${w.months.at(-1)} on a time-skipping Temporal server…`);

  const env: TestWorkflowEnvironment = await startTestServer({
    path: opts.testServerPath,
    startAt: new Date(w.start.getTime() - HOUR_MS),
  });
  const taskQueue = `demo-history-${opts.compoundId}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({
      // The inbox keeps every notice; no outside channel is told about the past.
      notifier: createNotifier({ channels: [] }),
      temporal: async () => env.client,
    }),
  });
  const running = worker.run();
  try {
    const history = new History(env, taskQueue, opts, w, tz, compound);
    await history.plan();
    await history.run();
    log(`[seed] history done: ${w.months.length} months, ${history.voices} voices`);
    return { months: w.months.length, voices: history.voices };
  } finally {
    worker.shutdown();
    await running;
    await env.teardown();
  }
}

type Step = { at: number; seq: number; what: string; run: () => Promise<void> };

/** The year's events, each at its local time, run in order against the test server's clock. */
class History {
  voices = 0;
  private steps: Step[] = [];
  private seq = 0;
  private offset = 0;
  private ordersSeen = new Set<string>();
  private readonly temporal: TemporalHandle;
  private readonly person: (role: Role) => Actor;

  constructor(
    private readonly env: TestWorkflowEnvironment,
    private readonly taskQueue: string,
    private readonly opts: HistoryOptions,
    private readonly w: HistoryWindow,
    private readonly tz: string,
    private readonly compound: { timeZone?: string | null; settings?: unknown },
  ) {
    this.temporal = { client: async () => env.client, taskQueue, close: async () => undefined };
    this.person = (role) => {
      // The one whose first role it is (the branch secretary also sits on the council, but is the branch).
      const p =
        opts.people.find((x) => x.roles[0] === role) ?? opts.people.find((x) => x.roles.includes(role));
      if (!p) throw new Error(`the demo has nobody with the role ${role}`);
      return { userId: p.id, name: p.name, roles: p.roles };
    };
  }

  private at(t: Date | number, what: string, run: () => Promise<void>) {
    const at = typeof t === 'number' ? t : t.getTime();
    if (at >= this.w.end.getTime()) return; // history stops where the present begins
    this.steps.push({ at, seq: this.seq++, what, run });
  }

  /** The server's time as the API sees it while the clock is not being skipped. */
  private clock = () => new Date(Date.now() + this.offset);

  private async sleepUntil(t: number) {
    let now = Number(await this.env.currentTimeMs());
    // Day by day: each call to the test server stays short.
    while (now < t) {
      await this.env.sleep(Math.min(t - now, DAY_MS));
      now = Number(await this.env.currentTimeMs());
    }
    this.offset = now - Date.now();
  }

  async run() {
    const t0 = Date.now();
    while (this.steps.length) {
      this.steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const step = this.steps.shift()!;
      await this.sleepUntil(step.at);
      // DEMO_TRACE=1 prints where the history is, for when a step hangs.
      if (process.env.DEMO_TRACE)
        console.log(
          `[history] +${((Date.now() - t0) / 1000).toFixed(1)}s ${new Date(step.at).toISOString()} ${step.what}`,
        );
      try {
        await step.run();
      } catch (err) {
        throw new Error(`demo history, ${step.what} at ${new Date(step.at).toISOString()}: ${String(err)}`, {
          cause: err,
        });
      }
    }
    // Let the last activities land before the server goes away.
    await this.sleepUntil(this.w.end.getTime() - 60_000);
    await this.settle();
  }

  /** Waits until no voice or order of the history is still moving in the read models. */
  private async settle() {
    const { compoundId } = this.opts;
    for (let i = 0; i < 200; i++) {
      const [voices, orders, meetings] = await Promise.all([
        Voice.countDocuments({ compoundId, status: { $nin: ['closed', 'published'] } }),
        Rectification.countDocuments({ compoundId, status: { $ne: 'verified' } }),
        Meeting.countDocuments({ compoundId, status: { $ne: 'closed' } }),
      ]);
      if (voices === 0 && orders === 0 && meetings === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private local(month: string, day: number, hour = 10, minute = 0) {
    const [y, m] = month.split('-').map(Number) as [number, number];
    return zonedTime(this.tz, y, m, day, hour, minute);
  }

  private async startMeeting(type: MeetingType, period: string) {
    const args: [MeetingInput] = [
      {
        compoundId: this.opts.compoundId,
        type,
        period,
        timeZone: this.tz,
        settings: meetingSettingsWithCalendar(this.compound, this.clock()),
      },
    ];
    await this.env.client.workflow.start(type, {
      workflowId: meetingWorkflowId(type, this.opts.compoundId, period),
      taskQueue: this.taskQueue,
      args,
    });
  }

  private meeting(type: MeetingType, period: string): WorkflowHandle {
    return this.env.client.workflow.getHandle(meetingWorkflowId(type, this.opts.compoundId, period));
  }

  /** A meeting's state once its agenda is assembled (it assembles when its window opens). */
  private async agendaOf(h: WorkflowHandle): Promise<MeetingState> {
    for (let i = 0; i < 400; i++) {
      const s = await h.query(meetingStatusQuery);
      if (s.agendaAssembledAt) return s;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the agenda of ${h.workflowId} was not assembled`);
  }

  private async record(
    h: WorkflowHandle,
    attendance: Role[],
    minutes: string,
    decide: (s: MeetingState) => Decision[],
  ) {
    const s = await this.agendaOf(h);
    await h.executeUpdate(recordMeetingUpdate, {
      args: [
        {
          actor: this.person('staff'),
          heldAt: this.clock().toISOString(),
          attendance: attendance.map((r) => this.person(r).userId),
          minutes,
          decisions: decide(s),
        },
      ],
    });
    // The record's consequences (orders, referrals) follow it: pick up the orders it issued.
    this.at(this.clock().getTime() + HOUR_MS, `orders after ${h.workflowId}`, () => this.followOrders());
  }

  /** Each new order is carried out and verified well before the history ends. */
  private async followOrders() {
    const open = await Rectification.find({ compoundId: this.opts.compoundId, status: 'open' }).lean();
    const end = this.w.end.getTime();
    for (const o of open) {
      if (this.ordersSeen.has(o._id)) continue;
      this.ordersSeen.add(o._id);
      const h = this.env.client.workflow.getHandle(rectificationWorkflowId(o._id));
      const now = this.clock().getTime();
      // A resolution waits for the next coordination to agree its procedure; an order is done in days.
      const done = Math.min(now + (o.kind === 'resolution' ? 20 : 2) * DAY_MS, end - 4 * HOUR_MS);
      const owner = o.owner as Role;
      this.at(done, `complete ${o._id}`, async () => {
        await h.executeUpdate(completeRectificationUpdate, {
          args: [
            {
              actor: this.person(owner),
              evidence:
                o.kind === 'resolution'
                  ? '已按议事会决议完成，票据和照片已交监事会存档'
                  : '已整改完毕，附现场照片',
            },
          ],
        });
      });
      this.at(done + 2 * HOUR_MS, `verify ${o._id}`, async () => {
        await h.executeUpdate(verifyRectificationUpdate, {
          args: [{ actor: this.person('ownersCommittee'), accepted: true, comment: '经现场查看，验收合格' }],
        });
      });
    }
  }

  private async raise(
    who: string,
    key: string,
    body: Omit<SubmitVoiceInput, 'anonymous' | 'channel'> & Partial<SubmitVoiceInput>,
  ) {
    const p = this.opts.people.find((x) => x.id === who)!;
    const { voice } = await submitVoice(
      { temporal: this.temporal, clock: this.clock },
      this.opts.compoundId,
      { id: p.id, name: p.name, roles: p.roles },
      { channel: 'online', anonymous: false, ...body, idempotencyKey: `demo-history-${key}` },
    );
    this.voices++;
    return voice._id;
  }

  /** Waits for the voice's workflow to have assigned it, then acts as `role`. */
  private async act(voiceId: string, role: Role | 'submitter', action: Parameters<typeof actOnVoice>[4]) {
    for (let i = 0; i < 400; i++) {
      const v = await Voice.findById(voiceId).lean();
      if (v && v.status !== 'received') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const v = (await Voice.findById(voiceId).lean())!;
    const actor =
      role === 'submitter'
        ? (() => {
            const p = this.opts.people.find((x) => x.id === v.submittedBy)!;
            return { userId: p.id, name: p.name, roles: p.roles };
          })()
        : this.person(role);
    await actOnVoice(this.temporal, this.opts.compoundId, voiceId, actor, action);
  }

  /** Everything the history holds, each at its time. */
  async plan() {
    const { months, evaluatedYear } = this.w;
    months.forEach((month, i) => this.planMonth(month, i));
    // Last year's evaluation, held in its December, signed after the year end and published.
    const dec = `${evaluatedYear}-12`;
    if (months.includes(dec)) this.planEvaluation(evaluatedYear);
  }

  private planMonth(month: string, i: number) {
    const [y, m] = month.split('-').map(Number) as [number, number];
    const quarter = `${y}-Q${Math.ceil(m / 3)}`;
    this.at(this.local(month, 1, 0, 5), `meetings of ${month}`, async () => {
      await this.startMeeting('monthlyConsultation', month);
      await this.startMeeting('periodicCoordination', month);
      // The council is started with its quarter (or with the history, if that begins mid-quarter) —
      // only if it is held before the history ends; a later one is the real server's to run.
      const councilInHistory =
        this.planned('quarterlyDeliberation', quarter).getTime() < this.w.end.getTime();
      if ((m % 3 === 1 || i === 0) && councilInHistory)
        await this.startMeeting('quarterlyDeliberation', quarter);
    });
    this.planVoices(month, i);
    this.planCoordination(month, i);
    if (m % 3 === 0) this.planCouncil(quarter, month, i);
    this.planConsultation(month, i);
  }

  private planVoices(month: string, i: number) {
    const complaint = VOICE_TEXTS[i % VOICE_TEXTS.length]!;
    let id = '';
    this.at(this.local(month, 3, 9, 30), `complaint of ${month}`, async () => {
      id = await this.raise(i % 2 ? 'u-resident2' : 'u-resident', `${month}-complaint`, {
        kind: complaint.kind,
        text: complaint.text,
        buildingId: `b${(i % 6) + 1}`,
      });
    });
    const v = () => id;
    // Accepted and resolved in time; once in a while the resident is not satisfied the first time.
    const handler = async () => (await Voice.findById(v()).lean())!.assignee as Role;
    this.at(this.local(month, 3, 15), 'accept', async () =>
      this.act(v(), await handler(), { type: 'accept', note: '已安排人员处理' }),
    );
    this.at(this.local(month, 4, 11), 'resolve', async () =>
      this.act(v(), await handler(), { type: 'resolve', result: '已处理完毕，并安排专人每日巡查。' }),
    );
    const unhappy = i % 4 === 2;
    this.at(this.local(month, 5, 9), 'feedback', async () =>
      this.act(
        v(),
        'submitter',
        unhappy
          ? { type: 'feedback', satisfied: false, comment: '过两天又出现了，希望彻底解决' }
          : { type: 'feedback', satisfied: true, comment: '处理很及时' },
      ),
    );
    if (unhappy) {
      this.at(this.local(month, 6, 16), 'resolve again', async () =>
        this.act(v(), await handler(), { type: 'resolve', result: '已彻底整改，建立每日台账。' }),
      );
      this.at(this.local(month, 7, 9), 'feedback again', async () =>
        this.act(v(), 'submitter', { type: 'feedback', satisfied: true, comment: '这次解决了' }),
      );
    }

    // Praise, published at once.
    this.at(this.local(month, 6, 19), `praise of ${month}`, async () => {
      await this.raise('u-resident2', `${month}-praise`, {
        kind: 'praise',
        text: PRAISE[i % PRAISE.length]!,
      });
    });

    // A suggestion every third month.
    if (i % 3 === 0) {
      let s = '';
      this.at(this.local(month, 8, 20), `suggestion of ${month}`, async () => {
        s = await this.raise('u-council', `${month}-suggestion`, {
          kind: 'suggestion',
          text: SUGGESTIONS[(i / 3) % SUGGESTIONS.length]!,
        });
      });
      const sh = async () => (await Voice.findById(s).lean())!.assignee as Role;
      this.at(this.local(month, 9, 10), 'accept suggestion', async () =>
        this.act(s, await sh(), { type: 'accept' }),
      );
      this.at(this.local(month, 12, 10), 'resolve suggestion', async () =>
        this.act(s, await sh(), { type: 'resolve', result: '建议已采纳，列入本季度议事会议题。' }),
      );
      this.at(this.local(month, 13, 10), 'feedback suggestion', async () =>
        this.act(s, 'submitter', { type: 'feedback', satisfied: true }),
      );
    }

    // Now and then an appeal the building leader enters is not taken up in time, and climbs the ladder.
    if (i % 5 === 1) {
      let a = '';
      this.at(this.local(month, 10, 9), `appeal of ${month}`, async () => {
        a = await this.raise('u-leader1', `${month}-appeal`, {
          kind: 'appeal',
          channel: 'buildingLeader',
          text: '1号楼顶楼漏水，住户家里墙面发霉，希望尽快维修。',
          buildingId: 'b1',
          onBehalfOf: { name: '1号楼住户' },
        });
      });
      this.at(this.local(month, 12, 14), 'owners take up the escalated appeal', async () =>
        this.act(a, 'ownersCommittee', { type: 'accept', note: '业委会督办，已联系维修' }),
      );
      this.at(this.local(month, 14, 16), 'resolve appeal', async () =>
        this.act(a, 'ownersCommittee', { type: 'resolve', result: '已修复屋面防水，墙面重新粉刷。' }),
      );
      this.at(this.local(month, 16, 10), 'staff record the resident’s word', async () =>
        this.act(a, 'staff', { type: 'feedback', satisfied: true, comment: '楼栋长电话回访：住户满意' }),
      );
    }

    // Once, a complaint about the committee's own service: the prompt coordination and an order follow.
    if (i === 3) {
      let c = '';
      this.at(this.local(month, 16, 9), `service complaint of ${month}`, async () => {
        c = await this.raise('u-resident', `${month}-service`, {
          kind: 'complaint',
          text: '自管会保洁员服务态度差，反映问题时推诿不管。',
          buildingId: 'b2',
        });
      });
      this.at(this.local(month, 17, 15), 'prompt coordination', async () => {
        const h = this.meeting('periodicCoordination', `prompt-${c}`);
        await this.record(
          h,
          ['ownersCommittee', 'selfManagementCommittee'],
          '约谈自管会保洁负责人，责令整改服务态度。',
          (s) =>
            s.agenda.map((item) => ({
              itemId: item.id,
              decision: '责令自管会整改',
              rectify: item.source === 'trigger',
              handlingOpinion:
                item.source === 'trigger' ? '对保洁员进行服务规范培训，一周内回访投诉居民' : undefined,
              deadline: item.source === 'trigger' ? '7' : undefined,
            })),
        );
      });
      this.at(this.local(month, 17, 16), 'accept service complaint', async () =>
        this.act(c, 'ownersCommittee', { type: 'accept', note: '已召开协调会，责令自管会整改' }),
      );
      this.at(this.local(month, 21, 16), 'resolve service complaint', async () =>
        this.act(c, 'ownersCommittee', { type: 'resolve', result: '自管会已完成培训并上门致歉。' }),
      );
      this.at(this.local(month, 22, 10), 'feedback on service', async () =>
        this.act(c, 'submitter', { type: 'feedback', satisfied: true }),
      );
    }
  }

  /** When a period's meeting is planned by default, as its workflow will compute it. */
  private planned(type: MeetingType, period: string): Date {
    const year = Number(period.slice(0, 4));
    const settings = meetingSettingsWithCalendar(this.compound, zonedTime(this.tz, year, 6, 1));
    return meetingWindow(type, period, this.tz, settings).plannedAt;
  }

  private planCoordination(month: string, i: number) {
    const planned = this.planned('periodicCoordination', month);
    // Once the coordination slips past its deadline: it is escalated, then held late.
    const late = i === 5;
    const when = late ? planned.getTime() + 7 * DAY_MS : planned.getTime() + 30 * 60_000;
    this.at(when, `coordination of ${month}`, async () => {
      await this.record(
        this.meeting('periodicCoordination', month),
        ['ownersCommittee', 'selfManagementCommittee'],
        late ? '因人员外出推迟召开，逐项督办整改和决议执行。' : '逐项督办整改和决议执行情况。',
        (s) =>
          s.agenda.map((item) => ({
            itemId: item.id,
            decision: '督促按期完成',
            procedure:
              item.source === 'resolution' ? '自管会每周向业委会报告进展，完工后由监事会参与验收' : undefined,
          })),
      );
    });
  }

  private planConsultation(month: string, i: number) {
    const planned = this.planned('monthlyConsultation', month);
    const [, m] = month.split('-').map(Number) as [number, number];
    this.at(planned.getTime() + 30 * 60_000, `consultation of ${month}`, async () => {
      await this.record(
        this.meeting('monthlyConsultation', month),
        ['partyBranch', 'ownersCommittee'],
        '汇总本月民情，逐类研究处理意见。',
        (s) =>
          s.agenda.map((item) => {
            if (
              item.category === 'sanitation' ||
              item.category === 'security' ||
              item.category === 'fireSafety'
            ) {
              return {
                itemId: item.id,
                decision: '交自管会限期整改',
                disposition: 'selfManagementCommittee' as const,
                handlingOpinion: '加强日常巡查，限期整改到位',
                deadline: '5',
              };
            }
            // In the quarter's middle month, one matter goes to the residents' council.
            if (m % 3 === 2 && item.source === 'voices' && i % 2 === 0) {
              return {
                itemId: item.id,
                decision: '提交居民议事会',
                disposition: 'residentsCouncil' as const,
                handlingOpinion: '涉及居民切身利益，提请季度议事会表决',
              };
            }
            return {
              itemId: item.id,
              decision: '已研究，做好解释工作',
              disposition: 'noFurtherAction' as const,
            };
          }),
      );
    });
  }

  private planCouncil(quarter: string, month: string, i: number) {
    const planned = this.planned('quarterlyDeliberation', quarter).getTime();
    const h = () => this.meeting('quarterlyDeliberation', quarter);
    this.at(planned - 2 * DAY_MS, `convening ${quarter}`, async () => {
      await this.agendaOf(h());
      await h().executeUpdate(confirmConveningUpdate, { args: [{ actor: this.person('partyBranch') }] });
      await h().executeUpdate(confirmConveningUpdate, { args: [{ actor: this.person('ownersCommittee') }] });
    });
    const motion = MOTIONS[Math.floor(i / 3) % MOTIONS.length]!;
    this.at(planned - DAY_MS, `motion ${quarter}`, async () => {
      await h().executeUpdate(addMotionUpdate, {
        args: [
          {
            actor: this.person('councilMember'),
            title: motion.title,
            matter: 'fundUse',
            amount: motion.amount,
          },
        ],
      });
    });
    const present: Role[] = ['partyBranch', 'ownersCommittee', 'supervisoryBoard', 'councilMember'];
    this.at(planned + 30 * 60_000, `council ${quarter}`, async () => {
      await this.record(h(), present, `审议${month}季度议案，出席人数达到法定人数。`, () => []);
      let s = await h().query(meetingStatusQuery);
      for (let k = 0; k < 400 && s.status !== 'voting'; k++) {
        await new Promise((r) => setTimeout(r, 25));
        s = await h().query(meetingStatusQuery);
      }
      for (const m of s.agenda.filter((x) => x.motion)) {
        // The members' motion carries 3 : 1; referred matters split 2 : 1 : 1 and fail the 5030 rule.
        const byMember = m.motion!.proposedBy !== 'referral';
        const choices = byMember ? ['yes', 'yes', 'no', 'yes'] : ['yes', 'yes', 'no', 'abstain'];
        for (const [k, role] of present.entries()) {
          await h().executeUpdate(castVoteUpdate, {
            args: [
              { actor: this.person(role), motionId: m.id, choice: choices[k] as 'yes' | 'no' | 'abstain' },
            ],
          });
        }
      }
      this.at(this.clock().getTime() + 2 * HOUR_MS, `resolutions of ${quarter}`, () => this.followOrders());
    });
  }

  private planEvaluation(year: number) {
    const period = String(year);
    this.at(zonedTime(this.tz, year, 12, 1, 0, 10), `evaluation ${year}`, () =>
      this.startMeeting('annualEvaluation', period),
    );
    const planned = this.planned('annualEvaluation', period).getTime();
    const h = () => this.meeting('annualEvaluation', period);
    this.at(planned + 30 * 60_000, `evaluation meeting ${year}`, async () => {
      await this.record(
        h(),
        ['partyBranch', 'supervisoryBoard'],
        '依据全年监事会记实评议两委工作。',
        () => [],
      );
    });
    // After the year end the record is final: the two bodies sign what it proposes, and it is published.
    this.at(zonedTime(this.tz, year + 1, 1, 3, 10), `sign-off ${year}`, async () => {
      let s = await h().query(meetingStatusQuery);
      for (let k = 0; k < 400 && s.status !== 'signing'; k++) {
        await new Promise((r) => setTimeout(r, 25));
        s = await h().query(meetingStatusQuery);
      }
      const ratings = {
        ownersCommittee: s.annual!.proposals.ownersCommittee?.rating ?? 'average',
        selfManagementCommittee: s.annual!.proposals.selfManagementCommittee?.rating ?? 'average',
      };
      for (const role of ['partyBranch', 'supervisoryBoard'] as const) {
        await h().executeUpdate(signEvaluationUpdate, {
          args: [{ actor: this.person(role), ratings, comment: '依据全年记实，同意建议评级。' }],
        });
      }
    });
  }
}
