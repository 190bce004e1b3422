/**
 * 业委会、自管会定期协调会: on a regular cadence (default mid-month) and promptly — within a few days —
 * whenever a complaint concerns the self-management committee's service. It reviews open orders and
 * delegated resolutions, records the procedure agreed for each, and issues rectification orders.
 */
import { getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { excerptOf, type LongText } from '../domain/limits';
import { refuse } from './contract';
import { acts, trimmed } from './matter-record';
import { meetingLife } from './meeting';
import { orderForItem } from './orders';
import {
  procedureAgreedSignal,
  rectificationWorkflowId,
  type MeetingInput,
  type MeetingState,
} from './meeting-contract';

export async function periodicCoordination(input: MeetingInput): Promise<MeetingState> {
  const life = meetingLife(input, {
    decisionsRequired: true,
    validateRecord: (r) => {
      for (const d of r.decisions) {
        if (d.rectify && !excerptOf(d.handlingOpinion).trim())
          refuse('invalid', `整改议题 ${d.itemId} 须写明整改要求（handlingOpinion）`);
      }
    },
  });
  const state = await life.run();
  const { compoundId, settings } = input;
  for (const d of state.decisions) {
    const item = state.agenda.find((i) => i.id === d.itemId)!;
    const procedure = trimmed(d.procedure);
    if (item.orderId && procedure) {
      await agreeProcedure(item.orderId, life.meetingId, procedure);
      await life.rec.file(
        'procedureAgreed',
        `「${item.title}」商定执行程序：${excerptOf(procedure)}`,
        undefined,
        d,
      );
    }
    if (d.rectify) {
      const orderId = await orderForItem(compoundId, settings, life.meetingId, item, d, input.timeZone);
      await life.rec.file(
        'rectificationOrdered',
        `「${item.title}」责令整改：${excerptOf(d.handlingOpinion)}`,
        undefined,
        { ...d, orderId },
      );
    }
  }
  return life.close({ voices: false });
}

/**
 * The procedure agreed for an order: saved on the order's record, and sent to its workflow if it still
 * runs, so an order closed since the agenda was drawn up still gets it on file and the meeting completes.
 * (Not async: it hands back the step's own promise, so the story's commands keep their timing.)
 */
function agreeProcedure(orderId: string, meetingId: string, procedure: LongText): Promise<void> {
  if (patched('procedure-by-activity')) {
    return acts.agreeProcedure({ orderId, meetingId, procedure, at: new Date(Date.now()).toISOString() });
  }
  return getExternalWorkflowHandle(rectificationWorkflowId(orderId)).signal(procedureAgreedSignal, {
    meetingId,
    procedure,
  });
}
