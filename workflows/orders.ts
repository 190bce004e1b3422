import { uuid4 } from '@temporalio/workflow';
import { DAY_MS } from '../domain/calendar';
import type { MeetingSettings } from '../domain/meetings';
import { acts, iso } from './meeting';
import { rectificationWorkflowId, type Body, type RectificationInput } from './meeting-contract';

/** Deadline of a new order: an ISO date, a number of days, or the compound's default. */
export function orderDeadline(value: string | undefined, settings: MeetingSettings): string {
  if (value && /^\d+$/.test(value)) return iso(Date.now() + Number(value) * DAY_MS);
  if (value && !Number.isNaN(Date.parse(value)) && Date.parse(value) > Date.now())
    return iso(Date.parse(value));
  return iso(Date.now() + settings.rectification.defaultDays * DAY_MS);
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
  decision: { handlingOpinion?: string; deadline?: string },
): Promise<string> {
  return issueOrder(compoundId, settings, {
    kind: 'rectification',
    title: item.title,
    detail: decision.handlingOpinion,
    owner: 'selfManagementCommittee',
    issuer: 'ownersCommittee',
    deadline: orderDeadline(decision.deadline, settings),
    source: { meetingId, itemId: item.id },
  });
}
