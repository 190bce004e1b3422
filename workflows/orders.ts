import { uuid4 } from '@temporalio/workflow';
import type { LongText } from '../domain/limits';
import type { MeetingSettings } from '../domain/meetings';
import { orderDeadlineAt } from '../domain/rectification';
import { acts, iso } from './matter-record';
import { rectificationWorkflowId, type Body, type RectificationInput } from './meeting-contract';

/** Deadline of a new order issued now (the rule is `orderDeadlineAt` in the domain). */
export function orderDeadline(
  value: string | undefined,
  settings: MeetingSettings,
  timeZone?: string,
): string {
  return iso(orderDeadlineAt(value, new Date(Date.now()), settings, timeZone).getTime());
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
