/**
 * What an order's workflow holds: its state, its record, who owns and who issued it, and the texts of
 * its notices. The handlers that change it are in rectification-handlers.ts.
 */
import { patched } from '@temporalio/workflow';
import { isStaff } from '../domain/bodies';
import { DEFAULT_TIME_ZONE, formatLocal } from '../domain/calendar';
import { excerptOf } from '../domain/limits';
import { ORDER_BODY_LABELS, motionForOverdueOrder } from '../domain/meetings';
import { ORDER_ESCALATION_LADDER, nextOrderReminder, orderEscalationDue } from '../domain/rectification';
import type { Role } from '../domain/roles';
import type { Actor } from './contract';
import { acts, recorder, type MatterRecord } from './matter-record';
import type { RectificationInput, RectificationState } from './meeting-contract';
import { statusAttribute } from './search-attributes';

export class Order {
  readonly state: RectificationState;
  readonly rec: MatterRecord;
  readonly kindLabel: string;
  /** Bumped by every handler that moves the deadline or the status, so the waiting step wakes. */
  version = 0;
  private readonly serialSaves: boolean;
  private saveTail: Promise<unknown> = Promise.resolve();
  private readonly showStatus: (status: string) => void;
  /** Reminders sent, by deadline and time, so a moved deadline is reminded afresh. */
  private readonly reminded = new Set<string>();

  constructor(readonly input: RectificationInput) {
    this.kindLabel = input.kind === 'resolution' ? '决议执行' : '整改';
    this.state = {
      orderId: input.orderId,
      compoundId: input.compoundId,
      kind: input.kind,
      title: input.title,
      owner: input.owner,
      issuer: input.issuer,
      status: 'open',
      deadline: input.deadline,
      escalationLevel: 0,
      overdue: false,
      progress: [],
      procedures: [],
      sentBack: 0,
      extensions: [],
    };
    this.rec = recorder(
      input.compoundId,
      input.orderId,
      input.kind === 'resolution' ? 'resolution' : 'rectification',
      [input.owner, input.issuer],
    );
    // One writer, saves one after another (see Meeting).
    this.serialSaves = patched('serial-order-saves');
    this.showStatus = statusAttribute();
  }

  save(): Promise<void> {
    this.showStatus(this.state.status);
    const { state, input } = this;
    if (!this.serialSaves) return acts.saveRectification({ ...state, source: input.source });
    const run = this.saveTail.then(() => acts.saveRectification({ ...state, source: input.source }));
    this.saveTail = run.catch(() => undefined);
    return run;
  }

  when(t: string | number): string {
    return formatLocal(new Date(t), this.input.timeZone ?? DEFAULT_TIME_ZONE);
  }

  ownerName(): string {
    return ORDER_BODY_LABELS[this.input.owner];
  }
  issuerName(): string {
    return ORDER_BODY_LABELS[this.input.issuer];
  }
  isOwner(a: Actor): boolean {
    return isStaff(a.roles) || a.roles.includes(this.input.owner as Role);
  }
  isIssuer(a: Actor): boolean {
    return isStaff(a.roles) || a.roles.includes(this.input.issuer as Role);
  }

  /** The next reminder still to send before `deadline`, if the order has not escalated. */
  nextReminder(deadline: number): { at: Date; daysBefore: number } | undefined {
    const { state, input } = this;
    return nextOrderReminder(
      new Date(deadline),
      state.escalationLevel,
      input.settings,
      new Date(Date.now()),
      (t) => this.reminded.has(`${deadline}@${t.getTime()}`),
    );
  }

  markReminded(deadline: number, at: Date): void {
    this.reminded.add(`${deadline}@${at.getTime()}`);
  }

  /** How long until the order, past `deadline`, climbs the next rung of its ladder. */
  untilEscalation(deadline: number): number {
    const due = orderEscalationDue(new Date(deadline), this.state.escalationLevel, this.input.settings);
    return Math.max(0, due.getTime() - Date.now());
  }

  /** Issuing: the ledger's summary and the owner's notice. */
  issued() {
    const { input, kindLabel } = this;
    return {
      summary: `${this.issuerName()}下达${kindLabel}：${input.title}，由${this.ownerName()}于 ${this.when(input.deadline)} 前完成`,
      title: `新的${kindLabel}：${input.title}`,
      body: `请于 ${this.when(input.deadline)} 前完成。${excerptOf(input.detail)}`,
    };
  }

  /** The reminder `days` before the deadline. */
  reminder(deadline: number, days: number): [key: string, title: string, body: string] {
    return [
      `reminder:${deadline}:${days}`,
      `提醒：${this.kindLabel}还有 ${days} 天到期`,
      `${this.input.title}，期限 ${this.when(deadline)}。`,
    ];
  }

  /** Rung `level` of the ladder for the deadline missed: its ledger entry, notice and referral. */
  overdue(level: number, deadline: number) {
    const { input, kindLabel } = this;
    const rung = ORDER_ESCALATION_LADDER[level - 1]!;
    const referral = (title: string, detail: string) => ({
      referralId: `${input.orderId}-overdue-${level}`,
      compoundId: input.compoundId,
      target: rung.referTo,
      title,
      detail,
      source: { orderId: input.orderId },
    });
    if (level === 1) {
      return {
        event: 'overdue',
        summary: `${kindLabel}逾期未完成，报监事会和党支部督办，并列入下次每月商议会`,
        to: [...rung.notify],
        notice: [`督办：${kindLabel}逾期`, `${input.title}，原期限 ${this.when(deadline)}。`] as [
          string,
          string,
        ],
        referral: referral(
          `逾期${kindLabel}：${input.title}`,
          `原期限 ${this.when(deadline)}，责任方${this.ownerName()}`,
        ),
      };
    }
    return {
      event: 'overdueAgain',
      summary: `${kindLabel}再次逾期，提交季度议事会`,
      to: [...rung.notify],
      notice: [`${kindLabel}再次逾期，提交季度议事会`, input.title] as [string, string],
      // The council takes it up as a motion whose matter fits the owner: an order of the
      // self-management committee puts the committee itself before the council.
      referral: {
        ...referral(
          `再次逾期的${kindLabel}：${input.title}`,
          `责任方${this.ownerName()}，原期限 ${this.when(deadline)}`,
        ),
        ...motionForOverdueOrder(input.owner),
      },
    };
  }
}
