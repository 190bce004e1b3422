/**
 * A voice's read model against its workflow, the one source of truth: finds records that do not show
 * their workflow's state (or have no workflow, or an event twice) and mends them. Used by the worker's
 * sweep for voices that never followed their start, and by `npm run drift` over every voice.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TemporalHandle } from './temporal-client';
import { markChanged } from '../activities/projections';
import { Voice } from '../models/voice';
import { VoiceStart } from '../models/projection';
import {
  syncVoiceRecordUpdate,
  voiceStatusQuery,
  voiceWorkflowId,
  type VoiceState,
} from '../workflows/contract';
import { startVoiceWorkflow } from './intake';
import { loadCompound } from './compounds';
import type { VoiceRecord } from './intake';

/** The read model's fields the workflow owns (its timeline aside). */
export const FOLLOWED_FIELDS = [
  'status',
  'assignee',
  'escalationLevel',
  'overdue',
  'reopened',
  'acknowledgeBy',
  'resolveBy',
  'satisfaction',
  'respondedOnTime',
  'category',
] as const;
type Followed = (typeof FOLLOWED_FIELDS)[number];

const OPEN = ['received', 'assigned', 'inProgress', 'resolved'];

export type DriftProblem = 'noWorkflow' | 'behind' | 'duplicateEvents';

export interface VoiceDrift {
  voiceId: string;
  compoundId: string;
  problem: DriftProblem;
  /** For `behind`: the fields that differ, as `field: record → workflow`. */
  details: string[];
  repaired: boolean;
}

const norm = (v: unknown): unknown => {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d.toISOString();
  }
  return v ?? undefined;
};

/** The followed fields where the record differs from the workflow's state. */
export function differences(record: Record<string, unknown>, state: VoiceState): Followed[] {
  const s = state as unknown as Record<string, unknown>;
  return FOLLOWED_FIELDS.filter((f) => {
    // The workflow holds a category only once staff reclassify; the record keeps intake's otherwise.
    if (f === 'category' && s.category === undefined) return false;
    return norm(record[f]) !== norm(s[f]);
  });
}

type Lean = VoiceRecord & { rev?: number; timeline?: { eventId?: string }[] };

async function queryState(temporal: TemporalHandle, voiceId: string): Promise<VoiceState | undefined> {
  const client = await temporal.client();
  try {
    return await client.workflow.getHandle(voiceWorkflowId(voiceId)).query(voiceStatusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checks one voice. A difference must hold over `settleMs` at the same revision before it counts (the
 * workflow may be recording an event this very moment). A running voice is mended by its workflow, the
 * record's one writer (syncVoiceRecordUpdate), never by a second write beside it: FerretDB v1 applies
 * no update of one document atomically, so two writers can lose an event. Only a voice whose workflow
 * has ended, so nobody else writes it, is mended here, with a compare-and-set on the revision seen.
 */
export async function checkVoice(
  temporal: TemporalHandle,
  voiceId: string,
  opts: { repair: boolean; settleMs?: number },
): Promise<VoiceDrift[]> {
  let v = await Voice.findById(voiceId).lean<Lean>();
  if (!v) return [];
  const record = v;
  const drift = (problem: DriftProblem, details: string[] = []): VoiceDrift => ({
    voiceId,
    compoundId: record.compoundId,
    problem,
    details,
    repaired: false,
  });

  let state = await queryState(temporal, voiceId);
  if (!state) {
    const found = doubled(v).length ? [drift('duplicateEvents', doubled(v))] : [];
    // A closed voice's workflow may be gone past retention; an open one must have one.
    if (OPEN.includes(v.status)) {
      const d = drift('noWorkflow');
      if (opts.repair) {
        await startVoiceWorkflow(temporal, v, await loadCompound(v.compoundId));
        d.repaired = true;
      }
      found.push(d);
    } else if (opts.repair && found[0]) {
      found[0].repaired = await writeRecord(v, {});
    }
    return found;
  }
  let diff = differences(v, state);
  if ((diff.length || doubled(v).length) && opts.settleMs) {
    await sleep(opts.settleMs);
    const again = await Voice.findById(voiceId).lean<Lean>();
    if (!again || (again.rev ?? 0) !== (v.rev ?? 0)) return []; // it moved: not stuck
    v = again;
    state = (await queryState(temporal, voiceId)) ?? state;
    diff = differences(v, state);
  }
  const found: VoiceDrift[] = [];
  if (doubled(v).length) found.push(drift('duplicateEvents', doubled(v)));
  const s = state as unknown as Record<string, unknown>;
  if (diff.length)
    found.push(
      drift(
        'behind',
        diff.map((f) => `${f}: ${String(norm((v as Record<string, unknown>)[f]))} → ${String(norm(s[f]))}`),
      ),
    );
  if (!found.length || !opts.repair) return found;

  const handle = (await temporal.client()).workflow.getHandle(voiceWorkflowId(voiceId));
  let repaired: boolean;
  try {
    await handle.executeUpdate(syncVoiceRecordUpdate);
    repaired = true;
  } catch (err) {
    // Ended (or unknown to this server): nobody else writes the record now.
    const ended = await handle.describe().then(
      (d) => d.status.name !== 'RUNNING',
      () => true,
    );
    if (!ended) throw err;
    const set: Record<string, unknown> = {};
    for (const f of diff) set[f] = s[f];
    repaired = await writeRecord(v, set);
  }
  for (const d of found) d.repaired = repaired;
  return found;
}

/** Event ids the timeline holds more than once. */
function doubled(v: Lean): string[] {
  const ids = (v.timeline ?? []).map((e) => e.eventId).filter((id): id is string => !!id);
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}

/** Mends a record nobody else writes: fields set (undefined unsets), doubled entries dropped. */
async function writeRecord(v: Lean, fields: Record<string, unknown>): Promise<boolean> {
  const seen = new Set<string>();
  const timeline = (v.timeline ?? []).filter(
    (e) => !e.eventId || (!seen.has(e.eventId) && Boolean(seen.add(e.eventId))),
  );
  const set: Record<string, unknown> = { timeline };
  const unset: Record<string, ''> = {};
  for (const [k, val] of Object.entries(fields)) {
    if (val === undefined) unset[k] = '';
    else set[k] = val;
  }
  const revFilter = v.rev ? { rev: v.rev } : { $or: [{ rev: 0 }, { rev: { $exists: false } }] };
  const res = await Voice.updateOne(
    { _id: v._id, ...revFilter },
    { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
  );
  if (res.modifiedCount) await markChanged('voice', String(v._id), v.compoundId, `repair-${Date.now()}`);
  return res.modifiedCount > 0;
}

export interface DriftReport {
  checked: number;
  drifts: VoiceDrift[];
}

/** Checks the voices of some compounds (all by default; open ones only unless `all`), a few at a time. */
export async function checkVoices(
  temporal: TemporalHandle,
  opts: { repair: boolean; compoundIds?: string[]; all?: boolean; settleMs?: number; concurrency?: number },
): Promise<DriftReport> {
  const filter: Record<string, unknown> = {};
  if (opts.compoundIds?.length) filter.compoundId = { $in: opts.compoundIds };
  if (!opts.all) filter.status = { $in: OPEN };
  const ids = (await Voice.find(filter, { _id: 1 }).lean()).map((v) => String(v._id));
  const drifts: VoiceDrift[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 8 }, async () => {
      for (let i = next++; i < ids.length; i = next++) {
        drifts.push(
          ...(await checkVoice(temporal, ids[i]!, { repair: opts.repair, settleMs: opts.settleMs ?? 2_000 })),
        );
      }
    }),
  );
  return { checked: ids.length, drifts };
}

/**
 * The outbox's sweep, run by the worker every few seconds; it reads only the small outbox, never the
 * voices collection. Entries whose voice recorded its first event go; workflows not known started are
 * started (Temporal was unreachable, or the API stopped first); a voice started `followAfterMs` ago
 * whose record still shows nothing is checked against its workflow and mended.
 */
export async function sweepVoiceStarts(
  temporal: TemporalHandle,
  opts: { olderThanMs?: number; followAfterMs?: number } = {},
): Promise<{ started: number; followed: number; repaired: number }> {
  const olderThanMs = opts.olderThanMs ?? 5_000;
  const followAfterMs = opts.followAfterMs ?? 60_000;
  const entries = await VoiceStart.find({}).limit(500).lean();
  const now = Date.now();
  const done: string[] = [];
  const compounds = new Map<string, Awaited<ReturnType<typeof loadCompound>>>();
  const out = { started: 0, followed: 0, repaired: 0 };
  for (const entry of entries.filter((e) => e.at.getTime() < now - olderThanMs)) {
    const v = await Voice.findById(entry._id, { rev: 1, status: 1, compoundId: 1 }).lean<Lean>();
    if (!v) {
      // The voice's insert failed after its outbox entry: nothing was accepted, nothing to start.
      if (entry.at.getTime() < now - 60_000) done.push(entry._id);
      continue;
    }
    if ((v.rev ?? 0) >= 1) {
      done.push(entry._id);
      out.followed++;
      continue;
    }
    if (!entry.startedAt) {
      let compound = compounds.get(v.compoundId);
      if (!compound) compounds.set(v.compoundId, (compound = await loadCompound(v.compoundId)));
      const full = await Voice.findById(entry._id).lean<Lean>();
      if (full) await startVoiceWorkflow(temporal, full, compound);
      out.started++;
    } else if (entry.startedAt.getTime() < now - followAfterMs) {
      // Started a while ago and still nothing recorded: mend from the workflow, or start it again.
      const drifts = await checkVoice(temporal, entry._id, { repair: true });
      if (drifts.some((d) => d.repaired)) {
        out.repaired++;
        done.push(entry._id);
      }
    }
  }
  if (done.length) await VoiceStart.deleteMany({ _id: { $in: done } });
  return out;
}
