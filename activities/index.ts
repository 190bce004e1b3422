import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LongText } from '../domain/limits';
import { Rectification } from '../models/rectification';
import { procedureAgreedSignal, rectificationWorkflowId } from '../workflows/meeting-contract';
import { createVoiceActivities } from './voices';
import { markChanged } from './projections';
import { startAttributes } from '../temporal-search';
import { createMeetingActivities } from './meetings';
import { createMembershipActivities } from './memberships';
import { createPartyMemberActivities } from './party-members';
import type { Notifier, NotificationInput } from './notifications';

export interface ActivityDeps {
  notifier: Notifier;
  /** A Temporal client, for starting workflows that must not be children of the one that asks. */
  temporal?: () => Promise<Client>;
}

/** All activities, built from injected dependencies; the worker and the tests call this. */
export function createActivities({ notifier, temporal }: ActivityDeps) {
  return {
    ...createVoiceActivities(),
    ...createMeetingActivities(),
    ...createMembershipActivities(),
    ...createPartyMemberActivities(),
    async sendNotification(input: NotificationInput): Promise<void> {
      await notifier.send(input);
    },
    /**
     * Starts a workflow by business id on this task queue; false if it already runs (or ran). Meetings
     * and orders start this way rather than as children: they outlive the cycle or meeting that made them.
     */
    async startWorkflow(input: { type: string; workflowId: string; args: unknown[] }): Promise<boolean> {
      if (!temporal)
        throw new Error('startWorkflow needs a Temporal client in createActivities({ temporal })');
      const client = await temporal();
      const compoundId = (input.args[0] as { compoundId?: unknown } | undefined)?.compoundId;
      try {
        await client.workflow.start(input.type, {
          workflowId: input.workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: input.args,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          ...(typeof compoundId === 'string'
            ? await startAttributes(client, { compoundId, kind: input.type, status: 'started' })
            : {}),
        });
        return true;
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw err;
      }
    },
    /**
     * Files a procedure a coordination meeting agreed for an order: on the order's record (one per
     * meeting, so a retry changes nothing), and to its workflow if that still runs — an order verified
     * since the agenda was drawn up keeps the procedure on file without failing the meeting.
     */
    async agreeProcedure(input: {
      orderId: string;
      meetingId: string;
      procedure: LongText;
      at: string;
    }): Promise<void> {
      if (!temporal)
        throw new Error('agreeProcedure needs a Temporal client in createActivities({ temporal })');
      const client = await temporal();
      try {
        // A running order keeps its own record (one writer): it files the procedure itself.
        await client.workflow
          .getHandle(rectificationWorkflowId(input.orderId))
          .signal(procedureAgreedSignal, { meetingId: input.meetingId, procedure: input.procedure });
        return;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      // The order's workflow has ended, so nothing else writes its record now: file it there.
      const key = input.meetingId.replace(/[.$/]/g, '_');
      // (updateOne, then a lookup: FerretDB v1 implements no projection in findAndModify)
      await Rectification.updateOne(
        { _id: input.orderId },
        {
          $set: {
            [`procedures.${key}`]: {
              meetingId: input.meetingId,
              procedure: input.procedure,
              at: new Date(input.at),
            },
          },
        },
      );
      const order = await Rectification.findById(input.orderId, { compoundId: 1 }).lean();
      if (order) await markChanged('order', input.orderId, order.compoundId, `procedure:${key}`);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
