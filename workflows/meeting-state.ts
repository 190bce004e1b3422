/**
 * What every meeting's workflow holds and the steps of the life it shares: its state and record, the
 * window in which the agenda is gathered, the reminders before it, and the escalation ladder when it is
 * not held in time. The handlers that change it are in meeting-handlers.ts.
 */
import { allHandlersFinished, condition, patched, workflowInfo } from '@temporalio/workflow';
import { formatLocal } from '../domain/calendar';
import {
  CONVENERS,
  MEETING_LABELS,
  agendaOpensAt,
  meetingDates,
  meetingEscalation,
  meetingLadderClimbed,
  nextMeetingReminder,
} from '../domain/meetings';
import { maskedSummary } from '../domain/privacy';
import type { Role } from '../domain/roles';
import { describeUncovered } from '../domain/working-days';
import { acts, iso, recorder, type MatterRecord } from './matter-record';
import type { AgendaItem, MeetingInput, MeetingState, RecordMeetingInput } from './meeting-contract';
import { statusAttribute } from './search-attributes';

export interface MeetingLifeOptions {
  /** Whether every agenda item needs a decision in the record (the quarterly council decides by vote). */
  decisionsRequired: boolean;
  validateRecord?: (r: RecordMeetingInput) => void;
  /** Runs once the agenda is assembled (the council loads its roster, the evaluation its record). */
  onWindowOpen?: () => Promise<void>;
}

export class Meeting {
  readonly meetingId = workflowInfo().workflowId;
  readonly label: string;
  readonly conveners: Role[];
  readonly state: MeetingState;
  readonly rec: MatterRecord;
  /** Bumped by every handler that changes the dates or holds the meeting, so the waiting step wakes. */
  version = 0;
  /** Scheduled before its window opens: the agenda is gathered at once. */
  assembleEarly = false;
  /** The planned date the meeting started with (its window opens before it). */
  private readonly plannedAt: number;
  private readonly serialSaves: boolean;
  private saveTail: Promise<unknown> = Promise.resolve();
  private readonly showStatus: (status: string) => void;
  /** Reminders sent, by planned date and time. */
  private readonly reminded = new Set<string>();

  constructor(
    readonly input: MeetingInput,
    readonly opts: MeetingLifeOptions,
  ) {
    this.label = MEETING_LABELS[input.type];
    this.conveners = CONVENERS[input.type];
    const dates = meetingDates(input.type, input.period, input.timeZone, input.settings, input);
    const calendarNote = describeUncovered(dates.uncoveredYears);
    this.plannedAt = dates.plannedAt.getTime();
    this.state = {
      meetingId: this.meetingId,
      compoundId: input.compoundId,
      type: input.type,
      period: input.period,
      status: 'planned',
      plannedAt: iso(this.plannedAt),
      holdBy: iso(dates.holdBy.getTime()),
      participants: [],
      agenda: [],
      escalationLevel: 0,
      overdue: false,
      postponements: [],
      decisions: [],
      extraordinary: input.extraordinary,
      ...(calendarNote ? { calendarNote } : {}),
    };
    this.rec = recorder(input.compoundId, this.meetingId, 'meeting', CONVENERS[input.type]);
    // The read model has one writer, and its saves go one after another (a save started by a handler
    // waits for the one in flight), so an older state never lands after a newer one.
    this.serialSaves = patched('serial-meeting-saves');
    this.showStatus = statusAttribute();
  }

  save(): Promise<void> {
    this.showStatus(this.state.status);
    if (!this.serialSaves) return acts.saveMeeting(this.state);
    const run = this.saveTail.then(() => acts.saveMeeting(this.state));
    this.saveTail = run.catch(() => undefined);
    return run;
  }

  when(t: string | number): string {
    return formatLocal(new Date(t), this.input.timeZone);
  }

  held(): boolean {
    return this.state.held !== undefined;
  }

  /** The life every meeting shares, until it is held and its record's handler has finished. */
  async run(): Promise<MeetingState> {
    // Its awaits stay in this one function, as they always were: a step moved into an async function of
    // its own would resume a microtask later, which reorders its commands against those of a handler
    // resuming in the same activation (the replay of such a history fails).
    const { state, input, rec, label } = this;
    await this.save();
    // The window opens a few days before the planned date: then the agenda is gathered.
    const openAt = agendaOpensAt(new Date(this.plannedAt), input.settings).getTime();
    if (Date.now() < openAt) await condition(() => this.assembleEarly, openAt - Date.now());
    state.agenda = [...this.ownItems(), ...(await this.gatherAgenda())];
    await this.opts.onWindowOpen?.();
    state.agendaAssembledAt = iso(Date.now());
    await this.save();
    await rec.file('agendaAssembled', `${label}议程已生成，共 ${state.agenda.length} 项`, undefined, {
      agenda: state.agenda.map((i) => i.title),
    });
    await rec.notify(
      this.conveners,
      'agenda',
      `${label}议程已生成`,
      `共 ${state.agenda.length} 项议题，请于 ${this.when(state.holdBy)} 前召开。`,
    );

    while (!this.held()) {
      const v = this.version;
      const changed = () => this.held() || this.version !== v;
      const due = this.nextReminder();
      if (due) {
        if (await condition(changed, due.at.getTime() - Date.now())) continue;
        this.reminded.add(`${state.plannedAt}@${due.at.getTime()}`);
        await rec.notify([...this.conveners], ...this.reminder(due.daysBefore));
        // The participants staff named are reminded in person too.
        if (state.participants.length && patched('participant-reminders')) {
          await rec.notifyUsers(state.participants, ...this.reminder(due.daysBefore));
        }
        continue;
      }
      if (meetingLadderClimbed(state.escalationLevel)) {
        await condition(changed);
        continue;
      }
      if (await condition(changed, Math.max(0, Date.parse(state.holdBy) - Date.now()))) continue;
      // Not held in time: up to the community party organization, and on.
      const { missed, to } = this.climb();
      await this.save();
      await rec.file(
        'escalated',
        `${label}未在 ${this.when(missed)} 前召开，已第 ${state.escalationLevel} 次上报社区党组织督办，新期限 ${this.when(state.holdBy)}`,
        undefined,
        { level: state.escalationLevel, missed },
      );
      await rec.notify(
        to,
        `escalated:${state.escalationLevel}`,
        `督办：${label}逾期未召开`,
        `原定期限 ${this.when(missed)}，请督促于 ${this.when(state.holdBy)} 前召开。`,
      );
    }
    // Let the record's handler finish first, so its reply never coincides with the workflow's end.
    await condition(allHandlersFinished);
    return state;
  }

  /** The items the meeting brings itself: the voice that called it, or an extraordinary one's reason. */
  private ownItems(): AgendaItem[] {
    const { trigger, extraordinary } = this.input;
    return [
      ...(trigger
        ? [
            {
              id: `trigger-${trigger.voiceId}`,
              // Everyone in the compound reads agendas: the category and a masked summary, never the text.
              title: `投诉自管会服务：${trigger.summary ?? maskedSummary(trigger.text ?? '')}`,
              source: 'trigger' as const,
              voiceIds: [trigger.voiceId],
            },
          ]
        : []),
      ...(extraordinary
        ? [
            {
              id: 'extraordinary',
              title: `临时会议事由：${extraordinary.reason}`,
              source: 'extraordinary' as const,
            },
          ]
        : []),
    ];
  }

  /** What the compound brings: the month's voices, referrals, open orders, motions (by the activity). */
  private gatherAgenda(): Promise<AgendaItem[]> {
    const { input } = this;
    return acts.assembleAgenda({
      compoundId: input.compoundId,
      type: input.type,
      meetingId: this.meetingId,
      asOf: iso(Date.now()),
    });
  }

  /** The next reminder still to send before the planned date (keyed by it, so a new date is reminded afresh). */
  private nextReminder(): { at: Date; daysBefore: number } | undefined {
    const { state, input } = this;
    return nextMeetingReminder(
      new Date(state.plannedAt),
      new Date(state.holdBy),
      input.settings.reminderDaysBefore,
      new Date(Date.now()),
      (t) => this.reminded.has(`${state.plannedAt}@${t.getTime()}`),
    );
  }

  /** A reminder `days` before the date: its key, title and text, as the state reads now. */
  private reminder(days: number): [key: string, title: string, body: string] {
    const { state } = this;
    return [
      `reminder:${state.plannedAt}:${days}`,
      `提醒：${this.label}将于 ${days} 天后召开`,
      `时间 ${this.when(state.plannedAt)}${state.place ? `，地点 ${state.place}` : ''}。`,
    ];
  }

  /** One rung up the ladder: a new deadline, flagged overdue; says the deadline missed and whom to tell. */
  private climb(): { missed: string; to: Role[] } {
    const { state } = this;
    state.escalationLevel++;
    state.overdue = true;
    const missed = state.holdBy;
    const rung = meetingEscalation(state.escalationLevel, new Date(Date.now()), this.input.settings);
    state.holdBy = iso(rung.holdBy.getTime());
    this.version++;
    return { missed, to: rung.to };
  }

  /**
   * Ends the meeting: marks what it took up (voices only for the consultation, which is where they are
   * discussed), closes it, and waits for any handler still running.
   */
  async close(consume: { voices: boolean } | false): Promise<MeetingState> {
    const { state } = this;
    if (consume) {
      await acts.consumeAgenda({
        meetingId: this.meetingId,
        voiceIds: consume.voices ? state.agenda.flatMap((i) => i.voiceIds ?? []) : [],
        referralIds: state.agenda.flatMap((i) => i.referralIds ?? []),
        agendaVoices: consume.voices,
      });
    }
    state.status = 'closed';
    await this.save();
    await condition(allHandlersFinished);
    return state;
  }
}
