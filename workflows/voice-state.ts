/**
 * What one voice's workflow holds and the steps its story takes: its state, its record (one writer,
 * one event at a time), its notices, its deadlines with their reminders, and the escalation ladder a
 * missed deadline climbs. The handlers that change it are in voice-handlers.ts.
 */
import { condition, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { DEFAULT_TIME_ZONE, formatLocal } from '../domain/calendar';
import { promptCoordinationDates } from '../domain/meetings';
import { maskedSummary } from '../domain/privacy';
import {
  BODY_LABELS,
  escalatedDeadline,
  escalationLadder,
  feedbackClosesAt,
  reminderTime,
  voiceDeadline,
  type Category,
  type ResponsibleBody,
} from '../domain/voices';
import { describeUncovered } from '../domain/working-days';
import { statusAttribute } from './search-attributes';
import type { Actor, VoiceState, VoiceWorkflowInput } from './contract';

const remote = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
// A voice's own steps (its record, its notices) are short writes: run as local activities they cost the
// Temporal server no task of their own, so a voice's first step is one workflow task, not three.
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
// A notification channel that stays down must not hold the voice's timeline back: few attempts.
const localNotify = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});
const { loadCompoundSettings, startWorkflow, fileLedgerEntry } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});
const remoteNotify = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5, maximumInterval: '1 minute' },
});
export { fileLedgerEntry };

export type Phase = 'acknowledge' | 'resolve';
export const PHASE_ACTIONS: Record<Phase, string> = { acknowledge: '接单', resolve: '办结' };
/** How early a deadline's first timer wakes, at most, so the last stretch is timed from an idle task. */
const DEADLINE_LEAD_MS = 5 * 60_000;

export const now = () => Date.now();
export const iso = (t: number) => new Date(t).toISOString();

export class Voice {
  readonly state: VoiceState;
  readonly timeZone: string;
  /** Deadlines as epoch ms, and when each was set (reminders fall between the two). */
  readonly deadline: Record<Phase, { at: number; setAt: number } | undefined> = {
    acknowledge: undefined,
    resolve: undefined,
  };
  /** Bumped whenever a deadline or the phase changes, so the step waiting on it wakes. */
  deadlineVersion = 0;
  /** Events recorded: each event's id, and the revision the drift check hears back. */
  seq = 0;
  progressReports = 0;
  extensions = 0;
  reassignments = 0;
  coordinationCalled = false;
  category: Category;

  private readonly inOrder: <T>(f: () => Promise<T>) => Promise<T>;
  private readonly recordVoiceEvent: Activities['recordVoiceEvent'];
  private readonly sendNotification: Activities['sendNotification'];
  private readonly showStatus: (status: string) => void;
  private readonly reminded = new Set<string>();
  private readonly overdueAtTop = new Set<string>();

  constructor(readonly input: VoiceWorkflowInput) {
    this.timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
    this.category = input.category;
    this.state = {
      voiceId: input.voiceId,
      status: 'received',
      assignee: input.assignee,
      escalationLevel: 0,
      responsible: input.assignee,
      overdue: false,
      reopened: false,
      escalations: [],
    };
    const serialRecords = patched('serial-voice-records');
    this.recordVoiceEvent = (patched('local-voice-activities') ? local : remote).recordVoiceEvent;
    this.sendNotification = (patched('local-voice-notices') ? localNotify : remoteNotify).sendNotification;
    // One writer, one event at a time: a handler's event waits for the one in flight (the read model's
    // revision compare-and-set relies on it).
    let recordTail: Promise<unknown> = Promise.resolve();
    this.inOrder = serialRecords
      ? <T>(f: () => Promise<T>): Promise<T> => {
          const run = recordTail.then(f, f);
          recordTail = run.catch(() => undefined);
          return run;
        }
      : <T>(f: () => Promise<T>) => f();
    this.showStatus = statusAttribute();
  }

  when(t: number): string {
    return formatLocal(new Date(t), this.timeZone);
  }

  /** A phase's deadline from an instant, by the kind's hours or working days; says if holidays were unknown. */
  deadlineFrom(from: number, phase: Phase): { at: number; note: string } {
    const { input } = this;
    if (input.kind === 'praise') return { at: from, note: '' };
    const d = voiceDeadline(
      new Date(from),
      phase,
      input.settings.deadlines[input.kind],
      this.timeZone,
      input.calendar,
    );
    const note = describeUncovered(d.uncoveredYears);
    return { at: d.at.getTime(), note: note ? `（${note}）` : '' };
  }

  setDeadline(phase: Phase, at: number): void {
    this.deadline[phase] = { at, setAt: now() };
    this.state[phase === 'acknowledge' ? 'acknowledgeBy' : 'resolveBy'] = iso(at);
    this.deadlineVersion++;
  }

  /** 响应率: the first response counts as on time if it came before the acknowledgement deadline unescalated. */
  markResponse(): void {
    const { state } = this;
    if (state.respondedOnTime !== undefined) return;
    const ack = this.deadline.acknowledge?.at ?? Infinity;
    state.respondedOnTime = !state.escalations.some((e) => e.missed === 'acknowledge') && now() <= ack;
  }

  /** The body an actor acts for: the highest rung of the ladder so far that they belong to, else staff. */
  bodyOf(actor: Actor): ResponsibleBody {
    const ladder = escalationLadder(this.state.assignee).slice(0, this.state.escalationLevel + 1);
    return ladder.find((b) => b !== 'staff' && actor.roles.includes(b)) ?? 'staff';
  }

  /** An event on the voice's timeline, with the state the read model follows. */
  record(type: string, message: string, actor?: Actor): Promise<unknown> {
    this.showStatus(this.state.status);
    const eventId = `${this.input.voiceId}:${++this.seq}`;
    return this.inOrder(() =>
      this.recordVoiceEvent({
        voiceId: this.input.voiceId,
        compoundId: this.input.compoundId,
        eventId,
        type,
        at: iso(now()),
        message,
        actor: actor && { userId: actor.userId, name: actor.name, body: this.bodyOf(actor) },
        set: this.recorded(),
      }),
    );
  }

  /** The handling result, kept on the record for the echo wall (before the `resolved` event). */
  recordResolution(result: string, actor: Actor): Promise<unknown> {
    const resolutionId = `${this.input.voiceId}:${++this.seq}:resolution`;
    return this.inOrder(() =>
      this.recordVoiceEvent({
        voiceId: this.input.voiceId,
        compoundId: this.input.compoundId,
        eventId: resolutionId,
        type: 'resolutionRecorded',
        at: iso(now()),
        message: result,
        set: { result, resolvedAt: iso(now()), handledBy: this.bodyOf(actor) },
      }),
    );
  }

  /** The drift check's repair: the current state written after whatever is being recorded. */
  async syncRecord(): Promise<{ rev: number }> {
    const { voiceId, compoundId } = this.input;
    await this.inOrder(() => local.syncVoiceRecord({ voiceId, compoundId, set: this.recorded() }));
    return { rev: this.seq };
  }

  /** What the read model follows of the state. */
  private recorded() {
    const { state } = this;
    return {
      status: state.status,
      ...(state.category ? { category: state.category, subject: state.subject } : {}),
      assignee: state.assignee,
      escalationLevel: state.escalationLevel,
      responsible: state.responsible,
      acknowledgeBy: state.acknowledgeBy,
      resolveBy: state.resolveBy,
      overdue: state.overdue,
      reopened: state.reopened,
      satisfaction: state.satisfaction,
      respondedOnTime: state.respondedOnTime,
    };
  }

  async notify(
    key: string,
    to: { role?: ResponsibleBody; userId?: string },
    title: string,
    body: string,
  ): Promise<void> {
    const { voiceId, compoundId } = this.input;
    try {
      await this.sendNotification({
        key: `${voiceId}:${key}`,
        compoundId,
        to,
        title,
        body,
        voiceId,
        at: iso(now()),
      });
    } catch {
      // Already retried; the inbox copy is written first, so only an outside channel was lost.
    }
  }

  /** Assignment: deadlines run from intake, not from when the workflow happened to start. */
  assign(): { note: string } {
    const { deadline } = this;
    const submitted = Date.parse(this.input.submittedAt);
    this.state.status = 'assigned';
    const ack = this.deadlineFrom(submitted, 'acknowledge');
    const res = this.deadlineFrom(submitted, 'resolve');
    this.setDeadline('acknowledge', Math.max(ack.at, now()));
    this.setDeadline('resolve', Math.max(res.at, now()));
    deadline.acknowledge!.setAt = submitted;
    deadline.resolve!.setAt = submitted;
    return { note: ack.note || res.note };
  }

  /**
   * A complaint or appeal about the self-management committee's service calls the owners' committee and
   * the committee to a coordination meeting within a few days (a prompt one, beside the regular cadence).
   */
  async callCoordination(): Promise<void> {
    const { voiceId, compoundId } = this.input;
    this.coordinationCalled = true;
    const { timeZone: zone, meetings } = await loadCompoundSettings(compoundId, iso(now()));
    const dates = promptCoordinationDates(new Date(now()), meetings);
    await startWorkflow({
      type: 'periodicCoordination',
      workflowId: `periodic-coordination/${compoundId}/prompt-${voiceId}`,
      args: [
        {
          compoundId,
          type: 'periodicCoordination',
          period: `prompt-${voiceId}`,
          timeZone: zone,
          settings: meetings,
          plannedAt: dates.plannedAt.toISOString(),
          holdBy: dates.holdBy.toISOString(),
          // The agenda is read by the whole compound: a masked summary, not the resident's words.
          trigger: { voiceId, summary: maskedSummary(this.input.text ?? '') },
        },
      ],
    });
    await this.record(
      'coordinationCalled',
      `该反映涉及自管会服务，已提请业委会、自管会于 ${this.when(dates.holdBy.getTime())} 前召开协调会`,
    );
  }

  /**
   * Waits out the current phase's deadline, reminding the responsible body before it; returns when
   * anything changed or after acting on the missed deadline: one rung up the ladder, or flagged at its top.
   */
  async watchDeadline(): Promise<void> {
    // Its awaits stay in this one function, as they always were: a step moved into an async function of
    // its own would resume a microtask later, which reorders its commands against those of a handler
    // resuming in the same activation (the replay of such a history fails).
    const { state, input } = this;
    const phase: Phase = state.status === 'assigned' ? 'acknowledge' : 'resolve';
    const d = this.deadline[phase];
    if (!d) return;
    const status = state.status;
    const version = this.deadlineVersion;
    const changed = () => state.status !== status || this.deadlineVersion !== version;
    const action = PHASE_ACTIONS[phase];

    const remindAt = reminderTime(
      new Date(d.setAt),
      new Date(d.at),
      input.settings.reminderLeadHours[phase],
    ).getTime();
    const reminderKey = `${phase}:${d.at}`;
    if (!this.reminded.has(reminderKey) && now() < remindAt) {
      if (await condition(changed, remindAt - now())) return;
      this.reminded.add(reminderKey);
      await this.notify(
        `reminder:${reminderKey}:${state.responsible}`,
        { role: state.responsible },
        `提醒：居民反映即将到期未${action}`,
        `请于 ${this.when(d.at)} 前${action}。`,
      );
      await this.record(
        'reminderSent',
        `已提醒${BODY_LABELS[state.responsible]}于 ${this.when(d.at)} 前${action}`,
      );
    }
    if (now() < d.at && patched('deadline-final-step')) {
      // A timer runs from when the task that sets it completes, but now() is when that task began: its
      // local activities (records, notices) would make the deadline fire late by their duration. So wake
      // a little early, then set the last stretch from a task that does nothing else.
      const left = d.at - now();
      const lead = Math.min(DEADLINE_LEAD_MS, Math.floor(left / 4));
      if (lead >= 1000 && (await condition(changed, left - lead))) return;
      if (now() < d.at && (await condition(changed, d.at - now()))) return;
    } else if (now() < d.at) {
      if (await condition(changed, d.at - now())) return;
    }

    // Overdue: climb the ladder, or stay at the top, flagged, until someone acts.
    const ladder = escalationLadder(state.assignee);
    state.overdue = true;
    if (state.escalationLevel < ladder.length - 1) {
      const from = this.climb(phase, ladder);
      const to = () => BODY_LABELS[state.responsible];
      const by = () => this.when(this.deadline[phase]!.at);
      await this.record(
        'escalated',
        `逾期未${action}，已由${BODY_LABELS[from]}升级至${to()}督办，新期限 ${by()}`,
      );
      await this.notify(
        `escalated:${state.escalationLevel}:${phase}`,
        { role: state.responsible },
        '居民反映逾期升级，请督办',
        `${BODY_LABELS[from]}逾期未${action}，现升级至你们督办，请于 ${by()} 前${action}。`,
      );
      // Escalations are filed with the supervisory board's record too (一事一记，一时一记).
      if (patched('ledger-voice-escalation')) await this.fileEscalation(phase, from);
      await this.notify(
        `escalated:${state.escalationLevel}:${phase}:from`,
        { role: from },
        '居民反映已逾期升级',
        `该事项逾期未${action}，已升级至${to()}督办。`,
      );
      return;
    }
    await this.flagAtTop(phase);
    await condition(changed);
  }

  /** At the top of the ladder: said once per deadline; then the voice waits, flagged, for someone to act. */
  private async flagAtTop(phase: Phase): Promise<void> {
    // Split off safely: what follows it in watchDeadline issues no command (a wait on the state only).
    const { state } = this;
    const action = PHASE_ACTIONS[phase];
    const topKey = `${phase}:${this.deadlineVersion}`;
    if (this.overdueAtTop.has(topKey)) return;
    this.overdueAtTop.add(topKey);
    await this.record('overdue', `逾期未${action}，已在最高督办层级（${BODY_LABELS[state.responsible]}）`);
    await this.notify(
      `overdue:${topKey}`,
      { role: state.responsible },
      '居民反映严重逾期',
      `该事项仍未${action}，请立即处理。`,
    );
  }

  /** One rung up the ladder, with a fresh deadline for the body above; says whom it came from. */
  private climb(phase: Phase, ladder: ResponsibleBody[]): ResponsibleBody {
    const { state } = this;
    const from = state.responsible;
    state.escalationLevel++;
    state.responsible = ladder[state.escalationLevel] ?? from;
    state.escalations.push({ at: iso(now()), from, to: state.responsible, missed: phase });
    this.setDeadline(phase, escalatedDeadline(new Date(now()), this.input.settings).getTime());
    return from;
  }

  private fileEscalation(phase: Phase, from: ResponsibleBody): Promise<void> {
    const { state, input } = this;
    const action = PHASE_ACTIONS[phase];
    return fileLedgerEntry({
      entryId: `${input.voiceId}#escalated:${state.escalationLevel}:${phase}`,
      compoundId: input.compoundId,
      matterId: input.voiceId,
      matterType: 'voice',
      event: 'escalated',
      at: iso(now()),
      summary: `居民反映逾期未${action}，由${BODY_LABELS[from]}升级至${BODY_LABELS[state.responsible]}督办`,
      content: { level: state.escalationLevel, from, to: state.responsible, missed: phase },
      bodies: [from, state.responsible],
    });
  }

  /** The resident's window to give feedback; unanswered, the voice closes. */
  async awaitFeedback(): Promise<void> {
    const until = feedbackClosesAt(new Date(now()), this.input.settings).getTime();
    if (await condition(() => this.state.status !== 'resolved', until - now())) return;
    this.state.status = 'closed';
    await this.record('closed', '居民未在评价期限内评价，事项自动关闭');
  }
}
