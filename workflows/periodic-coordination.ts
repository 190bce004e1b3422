/**
 * 业委会、自管会定期协调会: on a regular cadence (default mid-month) and promptly — within a few days —
 * whenever a complaint concerns the self-management committee's service. It reviews open orders and
 * delegated resolutions, records the procedure agreed for each, and issues rectification orders.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { meetingLife, refuse } from './meeting';
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
        if (d.rectify && !d.handlingOpinion?.trim())
          refuse('invalid', `整改议题 ${d.itemId} 须写明整改要求（handlingOpinion）`);
      }
    },
  });
  const state = await life.run();
  const { compoundId, settings } = input;
  for (const d of state.decisions) {
    const item = state.agenda.find((i) => i.id === d.itemId)!;
    if (item.orderId && d.procedure?.trim()) {
      await getExternalWorkflowHandle(rectificationWorkflowId(item.orderId)).signal(procedureAgreedSignal, {
        meetingId: life.meetingId,
        procedure: d.procedure.trim(),
      });
      await life.rec.file(
        'procedureAgreed',
        `「${item.title}」商定执行程序：${d.procedure.trim()}`,
        undefined,
        d,
      );
    }
    if (d.rectify) {
      const orderId = await orderForItem(compoundId, settings, life.meetingId, item, d);
      await life.rec.file(
        'rectificationOrdered',
        `「${item.title}」责令整改：${d.handlingOpinion}`,
        undefined,
        { ...d, orderId },
      );
    }
  }
  return life.close({ voices: false });
}
