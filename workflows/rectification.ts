/**
 * A rectification order (整改) or a council resolution delegated for execution. It outlives the
 * meeting that made it: an owner body, a deadline, reminders, progress reports, completion with
 * evidence, verification by the issuing body (accepted, or sent back with a new deadline). Overdue:
 * to the supervisory board and the party branch, and onto the next monthly consultation; overdue
 * again: onto the quarterly council's agenda. Extensions only with a recorded reason.
 *
 * The story's awaits stay here, where they always were (see Meeting.run on why).
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { orderLadderClimbed } from '../domain/rectification';
import type { Role } from '../domain/roles';
import { acts } from './matter-record';
import type { RectificationInput, RectificationState } from './meeting-contract';
import { registerOrderHandlers } from './rectification-handlers';
import { Order } from './rectification-state';

export async function rectificationOrder(input: RectificationInput): Promise<RectificationState> {
  const order = new Order(input);
  const { state, rec } = order;
  const owner = [input.owner as Role];
  registerOrderHandlers(order);

  await order.save();
  const issued = order.issued();
  await rec.file('issued', issued.summary, undefined, input);
  await rec.notify(owner, 'issued', issued.title, issued.body);

  const status = () => state.status;
  while (status() !== 'verified') {
    const v = order.version;
    const changed = () => order.version !== v;
    if (status() === 'completed') {
      await condition(changed);
      continue;
    }
    const deadline = Date.parse(state.deadline);
    const next = order.nextReminder(deadline);
    if (next) {
      if (await condition(changed, next.at.getTime() - Date.now())) continue;
      order.markReminded(deadline, next.at);
      await rec.notify(owner, ...order.reminder(deadline, next.daysBefore));
      continue;
    }
    if (orderLadderClimbed(state.escalationLevel)) {
      await condition(changed);
      continue;
    }
    if (await condition(changed, order.untilEscalation(deadline))) continue;
    // Overdue: one rung up, to the bodies that supervise it and onto a meeting's agenda.
    state.escalationLevel++;
    state.overdue = true;
    await order.save();
    const overdue = order.overdue(state.escalationLevel, deadline);
    await rec.file(overdue.event, overdue.summary);
    await rec.notify(overdue.to, `overdue:${state.escalationLevel}`, ...overdue.notice);
    await acts.createReferral(overdue.referral);
  }
  await condition(allHandlersFinished);
  await order.save(); // a last write after the handlers, so the verification's reply and the workflow's end are apart
  return state;
}
