import { Voice } from '../models/voice';
import { markChanged } from './projections';
import type { VoiceState } from '../workflows/contract';

export interface RecordVoiceEventInput {
  voiceId: string;
  /** Absent in workflows started before it was passed: then read from the record. */
  compoundId?: string;
  /** `<voiceId>:<n>` or `<voiceId>:<n>:<suffix>`: n is the voice's revision after this event. */
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

/** The revision an event brings the voice to: the n of `<voiceId>:<n>[:suffix]` (intake is 0). */
export function revisionOf(eventId: string): number {
  const n = Number(eventId.split(':')[1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`not a voice event id: ${eventId}`);
  return n;
}

export function createVoiceActivities() {
  return {
    /**
     * Files one timeline entry and the state after it, as revision n of the voice. The voice's workflow
     * is its record's only writer and records its events one at a time, so a compare-and-set on the
     * revision makes a retried event a no-op (FerretDB v1 has no other guard that holds: it matches
     * `{'timeline.eventId': {$ne: …}}` when another entry differs).
     */
    async recordVoiceEvent(input: RecordVoiceEventInput): Promise<void> {
      const rev = revisionOf(input.eventId);
      const set: Record<string, unknown> = { rev };
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
      // Entry and state move together in one write of the one writer; a retry finds rev ≥ n.
      const { matchedCount } = await Voice.updateOne(
        { _id: input.voiceId, $or: [{ rev: { $lt: rev } }, { rev: { $exists: false } }] },
        {
          $push: { timeline: entry },
          $set: set,
          ...(Object.keys(unset).length ? { $unset: unset } : {}),
        },
      );
      // No match is either a retry of a recorded event (rev ≥ n) or a voice with no read model: the latter
      // must not pass as recorded, so the activity retries until intake's record is there (or drift shows it).
      if (matchedCount === 0 && !(await Voice.exists({ _id: input.voiceId })))
        throw new Error(`居民反映 ${input.voiceId} 的记录不存在，事件 ${input.eventId} 未能记录`);
      const compoundId =
        input.compoundId ?? (await Voice.findById(input.voiceId, { compoundId: 1 }).lean())?.compoundId;
      if (compoundId) await markChanged('voice', input.voiceId, compoundId, rev);
    },

    /**
     * Writes the workflow's state over a record that fell behind and drops doubled timeline entries, as
     * the same one writer (the voice's workflow calls it in order with its events), so nothing it
     * records meanwhile can be lost to it. The compare-and-set on the revision read keeps it so even
     * against a writer from before this rule.
     */
    async syncVoiceRecord(input: {
      voiceId: string;
      compoundId: string;
      set: RecordVoiceEventInput['set'];
    }): Promise<{ changed: boolean }> {
      const v = await Voice.findById(input.voiceId, { rev: 1, timeline: 1 }).lean();
      if (!v) throw new Error(`居民反映 ${input.voiceId} 的记录不存在，无法同步`);
      const seen = new Set<string>();
      const timeline = v.timeline.filter(
        (e) => !e.eventId || (!seen.has(e.eventId) && Boolean(seen.add(e.eventId))),
      );
      const set: Record<string, unknown> = { timeline };
      const unset: Record<string, ''> = {};
      for (const [k, val] of Object.entries(input.set)) {
        if (val === undefined) {
          if (k === 'satisfaction') unset[k] = '';
        } else set[k] = val;
      }
      const rev = v.rev ?? 0;
      const { modifiedCount } = await Voice.updateOne(
        { _id: input.voiceId, ...(rev ? { rev } : { $or: [{ rev: 0 }, { rev: { $exists: false } }] }) },
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      );
      if (modifiedCount) await markChanged('voice', input.voiceId, input.compoundId, `sync-${Date.now()}`);
      return { changed: modifiedCount > 0 };
    },
  };
}
