/**
 * The compound's calendar of the four meetings: at the start of every local month it starts that
 * month's consultation and coordination, each quarter's council, and December's evaluation — one
 * workflow per period with a business id, so no period is ever run twice. It continues as new every
 * few months, so a compound can run for decades on a bounded history.
 */
import { continueAsNew, patched, sleep, workflowInfo } from '@temporalio/workflow';
import { localParts, monthKey, zonedTime } from '../domain/calendar';
import { meetingWorkflowId, parseMonth, periodsContaining, periodsStartingIn } from '../domain/meetings';
import { acts } from './matter-record';
import type { CycleInput } from './meeting-contract';

const MONTHS_PER_RUN = 6;

export async function governanceCycle(input: CycleInput): Promise<void> {
  let { timeZone } = await acts.loadCompoundSettings(input.compoundId);
  let month = input.nextMonth ?? monthKey(new Date(Date.now()), timeZone);
  for (let i = 0; i < MONTHS_PER_RUN; i++) {
    const { year, month: m } = parseMonth(month);
    const startsAt = zonedTime(timeZone, year, m, 1).getTime();
    if (Date.now() < startsAt) await sleep(startsAt - Date.now());
    const settings = await acts.loadCompoundSettings(input.compoundId, new Date(startsAt).toISOString());
    timeZone = settings.timeZone;
    // A cycle that begins mid-period also runs the periods already under way.
    const periods =
      i === 0 && !input.nextMonth && patched('cycle-current-periods')
        ? periodsContaining(year, m)
        : periodsStartingIn(year, m);
    for (const { type, period } of periods) {
      // Started by business id: a period already running (or run) is left alone.
      await acts.startWorkflow({
        type,
        workflowId: meetingWorkflowId(type, input.compoundId, period),
        args: [{ compoundId: input.compoundId, type, period, timeZone, settings: settings.meetings }],
      });
    }
    const next = localParts(
      zonedTime(timeZone, m === 12 ? year + 1 : year, m === 12 ? 1 : m + 1, 1),
      timeZone,
    );
    month = `${next.year}-${String(next.month).padStart(2, '0')}`;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await continueAsNew<typeof governanceCycle>({ compoundId: input.compoundId, nextMonth: month });
}
