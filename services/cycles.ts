/** Starting the four meetings: the compound's self-continuing cycle, and an extraordinary meeting by hand. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { DomainError } from '../domain/errors';
import { localParts, monthKey } from '../domain/calendar';
import { meetingWorkflowId, type MeetingType } from '../domain/meetings';
import { timeZoneOf } from '../models/compound';
import { meetingSettingsWithCalendar } from '../activities/meetings';
import { startAttributes } from '../temporal-search';
import { cycleWorkflowId, type MeetingInput } from '../workflows/meeting-contract';
import { loadCompound } from './compounds';
import type { TemporalHandle } from './temporal-client';

/** Starts the compound's self-continuing cycle of the four meetings; harmless if it already runs. */
export async function ensureCycle(temporal: TemporalHandle, compoundId: string): Promise<boolean> {
  await loadCompound(compoundId);
  const client = await temporal.client();
  try {
    await client.workflow.start('governanceCycle', {
      workflowId: cycleWorkflowId(compoundId),
      taskQueue: temporal.taskQueue,
      args: [{ compoundId }],
      ...(await startAttributes(client, { compoundId, kind: 'governanceCycle', status: 'running' })),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** An extraordinary meeting (临时会议) by hand: the same workflow as the period's, with its own dates. */
export async function triggerMeeting(
  temporal: TemporalHandle,
  compoundId: string,
  by: string,
  input: { type: MeetingType; reason: string; plannedAt: string; holdBy?: string; year?: number },
  now = new Date(),
) {
  const compound = await loadCompound(compoundId);
  const local = localParts(now, timeZoneOf(compound));
  if (input.year !== undefined && input.type !== 'annualEvaluation') {
    throw new DomainError('unprocessable', '只有年度评估会需要指定评估年度', { field: 'body.year' });
  }
  if (input.year !== undefined && input.year > local.year) {
    throw new DomainError('unprocessable', '评估年度不能在将来', { field: 'body.year' });
  }
  // An evaluation called in December rates this year; earlier in the year, the year before.
  const year =
    input.type === 'annualEvaluation'
      ? (input.year ?? (local.month === 12 ? local.year : local.year - 1))
      : undefined;
  const planned = Date.parse(input.plannedAt);
  if (planned <= now.getTime())
    throw new DomainError('unprocessable', '会议时间必须在将来', { field: 'body.plannedAt' });
  if (input.holdBy && Date.parse(input.holdBy) < planned) {
    throw new DomainError('unprocessable', '召开期限不能早于会议时间', { field: 'body.holdBy' });
  }
  const period = `extra-${monthKey(now, timeZoneOf(compound))}-${randomBytes(3).toString('hex')}`;
  const args: [MeetingInput] = [
    {
      compoundId,
      type: input.type,
      period,
      timeZone: timeZoneOf(compound),
      settings: meetingSettingsWithCalendar(compound, now),
      plannedAt: new Date(planned).toISOString(),
      holdBy: input.holdBy,
      extraordinary: { reason: input.reason, requestedBy: by },
      ...(year !== undefined ? { year } : {}),
    },
  ];
  const client = await temporal.client();
  await client.workflow.start(input.type, {
    workflowId: meetingWorkflowId(input.type, compoundId, period),
    taskQueue: temporal.taskQueue,
    args,
    ...(await startAttributes(client, { compoundId, kind: input.type, status: 'started' })),
  });
  return { id: meetingWorkflowId(input.type, compoundId, period), type: input.type, period };
}
