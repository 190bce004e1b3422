import { uuid4 } from '@temporalio/workflow';
import { DAY_MS } from '../domain/calendar';
import type { LongText } from '../domain/limits';
import type { MeetingSettings } from '../domain/meetings';
import { adjustDeadlineToWorkingDay } from '../domain/working-days';
import { acts, iso } from './matter-record';
import { rectificationWorkflowId, type Body, type RectificationInput } from './meeting-contract';

/**
 * Deadline of a new order: an ISO date, a number of days, or the compound's default. A deadline whose
 * last day is a statutory holiday or rest day moves to the end of the first working day after it (the
 * rule Chinese law applies to deadlines), by the calendar the meeting's settings carry.
 */
export function orderDeadline(
  value: string | undefined,
  settings: MeetingSettings,
  timeZone?: string,
): string {
  let at: number;
  if (value && /^\d+$/.test(value)) at = Date.now() + Number(value) * DAY_MS;
  else if (value && !Number.isNaN(Date.parse(value)) && Date.parse(value) > Date.now())
    at = Date.parse(value);
  else at = Date.now() + settings.rectification.defaultDays * DAY_MS;
  if (settings.calendar && timeZone) {
    at = adjustDeadlineToWorkingDay(new Date(at), timeZone, settings.calendar).at.getTime();
  }
  return iso(at);
}

/** Starts an order's own workflow; it lives on after the meeting that issued it. */
export async function issueOrder(
  compoundId: string,
  settings: MeetingSettings,
  order: Omit<RectificationInput, 'orderId' | 'compoundId' | 'settings'> & { owner: Body },
): Promise<string> {
  const orderId = uuid4();
  const args: [RectificationInput] = [{ ...order, orderId, compoundId, settings: settings.rectification }];
  await acts.startWorkflow({
    type: 'rectificationOrder',
    workflowId: rectificationWorkflowId(orderId),
    args,
  });
  return orderId;
}

/** The rectification order a meeting gives the self-management committee for one agenda item. */
export function orderForItem(
  compoundId: string,
  settings: MeetingSettings,
  meetingId: string,
  item: { id: string; title: string },
  decision: { handlingOpinion?: LongText; deadline?: string },
  timeZone?: string,
): Promise<string> {
  return issueOrder(compoundId, settings, {
    kind: 'rectification',
    title: item.title,
    detail: decision.handlingOpinion,
    owner: 'selfManagementCommittee',
    issuer: 'ownersCommittee',
    deadline: orderDeadline(decision.deadline, settings, timeZone),
    timeZone,
    source: { meetingId, itemId: item.id },
  });
}
