import { Voice } from '../models/voice';
import { syncRateMember } from './rate-counters';
import type { VoiceState } from '../workflows/contract';

export interface RecordVoiceEventInput {
  voiceId: string;
  eventId: string;
  type: string;
  at: string;
  message: string;
  actor?: { userId: string; name: string; body: string };
  /** The workflow's view of the voice after this event: the read model follows it. */
  set: Partial<Omit<VoiceState, 'voiceId' | 'escalations'>> & {
    result?: string;
    resolvedAt?: string;
    handledBy?: string;
  };
}

export function createVoiceActivities() {
  return {
    /** Files one timeline entry and the state after it. Idempotent by eventId. */
    async recordVoiceEvent(input: RecordVoiceEventInput): Promise<void> {
      const set: Record<string, unknown> = {};
      const unset: Record<string, ''> = {};
      for (const [k, v] of Object.entries(input.set)) {
        if (v === undefined) {
          if (k === 'satisfaction') unset[k] = '';
        } else set[k] = v;
      }
      const entry = {
        eventId: input.eventId,
        type: input.type,
        at: new Date(input.at),
        message: input.message,
        ...(input.actor ? { actor: input.actor } : {}),
      };
      // Entry and state move together in one write; a retry finds the entry there and changes nothing.
      await Voice.updateOne(
        { _id: input.voiceId, 'timeline.eventId': { $ne: input.eventId } },
        {
          $push: { timeline: entry },
          $set: set,
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
      );
      // The counters follow the record; on a retry this finds them in step already.
      await syncRateMember('voice', input.voiceId);
    },
  };
}
