/**
 * A term of office: filed when it begins (elected, hired, appointed, renewed); taken up at its start; the
 * office reminded 30 days before its end; lapsed at its end — or ended early when the holder is dismissed
 * (carrying out a council resolution) or resigns. Each formation event goes to the supervisory ledger, and
 * the holder's roles follow the record.
 */
import { condition, setHandler } from '@temporalio/workflow';
import {
  END_REASON_LABELS,
  FORMATION_EVENT_LABELS,
  MEMBERSHIP_BODY_LABELS,
  POSITION_LABELS,
  TERM_REMINDER_DAYS,
  termPlan,
} from '../domain/memberships';
import { refuse } from './contract';
import { acts, iso, recorder } from './matter-record';
import {
  endTermUpdate,
  markRenewedUpdate,
  termStatusQuery,
  type EndTermInput,
  type TermInput,
  type TermState,
} from './term-contract';

export async function termOfOffice(input: TermInput): Promise<TermState> {
  const state: TermState = { status: 'upcoming', reminded: false };
  const rec = recorder(input.compoundId, input.membershipId, 'membership', [input.body]);
  const held = `${MEMBERSHIP_BODY_LABELS[input.body]}${POSITION_LABELS[input.position]}`;
  registerTermHandlers(state);
  const plan = termPlan(Date.parse(input.termStart), input.termEnd ? Date.parse(input.termEnd) : undefined);
  const endedEarly = () => state.ending !== undefined;
  /** Whether the term was ended early by instant t (a moment already past is not waited for: no 0 timer). */
  const endedBy = async (t: number) =>
    t <= Date.now() ? endedEarly() : condition(endedEarly, t - Date.now());

  await rec.file(
    input.event,
    `${input.name}${FORMATION_EVENT_LABELS[input.event]}${held}`,
    input.actor,
    input.content,
  );
  if (!(await endedBy(plan.start))) {
    state.status = 'current';
    await acts.setMembershipStatus({ membershipId: input.membershipId, status: 'current' });
  }
  if (plan.remindAt !== undefined && !(await endedBy(plan.remindAt))) {
    state.reminded = true;
    await rec.notify(
      ['staff'],
      'term-ending',
      `任期将满：${input.name}（${held}）`,
      `${input.name}的${held}任期将于 ${TERM_REMINDER_DAYS} 天后（${input.termEnd?.slice(0, 10)}）届满，请及时组织换届或续任。`,
    );
  }
  const lapsed = plan.end === undefined ? (await condition(endedEarly), false) : !(await endedBy(plan.end));
  const ending = state.ending;
  state.endReason = lapsed ? (state.renewedBy ? 'renewed' : 'termEnded') : ending!.reason;
  state.endedAt = iso(Date.now());
  await acts.setMembershipStatus({
    membershipId: input.membershipId,
    status: 'ended',
    endedAt: state.endedAt,
    endReason: state.endReason,
    note: ending?.note,
    resolutionOrderId: ending?.resolutionOrderId,
  });
  state.status = 'ended';
  const event = state.endReason === 'renewed' ? 'termEnded' : state.endReason;
  await rec.file(
    event,
    `${input.name}${END_REASON_LABELS[state.endReason]}，不再担任${held}`,
    ending?.actor,
    {
      reason: state.endReason,
      note: ending?.note,
      resolutionOrderId: ending?.resolutionOrderId,
      renewedBy: state.renewedBy,
    },
  );
  await rec.notifyUsers(
    [input.userId],
    `ended:${state.endReason}`,
    `您的${held}任期已结束`,
    `${END_REASON_LABELS[state.endReason]}。`,
  );
  return state;
}

function registerTermHandlers(state: TermState): void {
  setHandler(termStatusQuery, () => state);
  setHandler(
    endTermUpdate,
    async (e) => {
      state.ending = e;
      await condition(() => state.status === 'ended');
      return state;
    },
    {
      validator: (_e: EndTermInput) => {
        if (state.ending || state.status === 'ended') refuse('conflict', '该任期已经结束');
      },
    },
  );
  setHandler(
    markRenewedUpdate,
    ({ membershipId }) => {
      state.renewedBy = membershipId;
      return state;
    },
    {
      validator: (_r: { membershipId: string }) => {
        if (state.ending || state.status === 'ended') refuse('conflict', '该任期已经结束，不能续任');
      },
    },
  );
}
