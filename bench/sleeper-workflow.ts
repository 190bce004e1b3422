/**
 * The control of bench/timers.ts: a bare workflow that sleeps until an instant and says when it woke,
 * by its own clock (the start of the workflow task that ran after the timer, as for a voice's steps).
 * The report is a local activity in the bench process, so nothing is read back from Temporal.
 */
import { proxyLocalActivities, sleep, workflowInfo } from '@temporalio/workflow';

export interface SleeperActivities {
  /** `clock`: the workflow's time on waking (epoch ms). */
  woke(workflowId: string, target: number, clock: number): Promise<void>;
}

const { woke } = proxyLocalActivities<SleeperActivities>({ startToCloseTimeout: '30 seconds' });

export async function benchSleeper(target: number): Promise<void> {
  const wait = target - Date.now();
  if (wait > 0) await sleep(wait);
  await woke(workflowInfo().workflowId, target, Date.now());
}
