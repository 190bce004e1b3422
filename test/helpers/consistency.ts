/**
 * What must hold once the system has settled after a fault (test/chaos): every voice a client was
 * answered for with a 2xx is stored once and has its workflow; its timeline has each event once, in
 * revision order; its record is where its workflow is; the ledger's hash chain
 * holds; the rate counters agree with a recount of the records (what `npm run rates -- --check` runs).
 *
 * The checks read through the test process's own mongoose connection and a Temporal client of their
 * own, so they can run against a stack of separate processes (scripts/stack.ts).
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { verifyLedger } from '../../activities/ledger';
import { compoundScope, computeRates, recountRates } from '../../services/rates';
import { localParts } from '../../domain/calendar';
import { Compound, timeZoneOf } from '../../models/compound';
import { VoiceStart } from '../../models/projection';
import { Voice } from '../../models/voice';
import { voiceStatusQuery, voiceWorkflowId } from '../../workflows/contract';

/** A voice a client was answered for with a 2xx. */
export interface AcceptedVoice {
  voiceId: string;
  compoundId: string;
  submittedBy: string;
  idempotencyKey: string;
}

export interface ConsistencyInput {
  temporalAddress: string;
  namespace?: string;
  /** Every voice answered with a 2xx so far (the checks are cumulative). */
  voices: AcceptedVoice[];
  /** Compounds whose voices all come from `voices`: any other voice stored there is a phantom. */
  closedCompounds: string[];
  /** Compounds whose ledger and rate counters are checked. */
  compounds: string[];
  /** Voices whose record and workflow are compared by query (the rest: by the record and describe). */
  query?: (voiceId: string) => boolean;
  /** More checks, each answering its problems (none: it holds). */
  extra?: () => Promise<string[]>;
  /** What else to say of a voice with a problem (e.g. how its requests went). */
  context?: (voiceId: string) => string | undefined;
  /** Told after each poll that found problems (for a log while it settles). */
  onPoll?: (poll: number, elapsedMs: number, problems: string[]) => void;
}

export interface ConsistencySummary {
  voices: number;
  workflows: Record<string, number>;
  ledgerEntries: Record<string, number>;
  periods: string[];
  /** Outbox entries (voice_starts) of these voices still there once all else held: the sweep removes them. */
  outbox: number;
  settledInMs: number;
  polls: number;
}

async function pool<T>(items: T[], concurrency: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await f(items[i]!);
    }),
  );
}

/** One query's limit: a workflow whose task is stuck behind a dead worker is asked again next poll. */
const QUERY_MS = 5_000;

const message = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/** The eventIds' revisions must be 1…rev, each once, in order (intake's own entry is revision 0). */
function timelineProblems(id: string, rev: number, timeline: { eventId: string }[]): string[] {
  const problems: string[] = [];
  const ids = timeline.map((e) => e.eventId);
  const dup = ids.filter((e, i) => ids.indexOf(e) !== i);
  if (dup.length) problems.push(`voice ${id}: duplicated timeline eventIds ${[...new Set(dup)].join(', ')}`);
  if (ids.filter((e) => e === 'intake').length !== 1)
    problems.push(`voice ${id}: ${ids.filter((e) => e === 'intake').length} intake entries`);
  const revs = ids.filter((e) => e !== 'intake').map((e) => Number(e.split(':')[1]));
  const expected = Array.from({ length: rev }, (_, i) => i + 1);
  if (JSON.stringify(revs) !== JSON.stringify(expected))
    problems.push(`voice ${id}: rev ${rev} but timeline revisions [${revs.join(',')}]`);
  return problems;
}

/** The voices' own checks; answers the problems of each voice, by id (none: it holds). */
async function voiceProblems(
  client: Client,
  voices: AcceptedVoice[],
  workflowStatus: Map<string, string>,
  opts: { query: (voiceId: string) => boolean; diagnose: boolean },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(voices.map((v) => [v.voiceId, []]));
  const add = (id: string, p: string) => void out.get(id)!.push(p);
  const docs = await Voice.find(
    { _id: { $in: voices.map((v) => v.voiceId) } },
    { status: 1, rev: 1, timeline: 1, compoundId: 1, submittedBy: 1, idempotencyKey: 1 },
  ).lean();
  const byId = new Map<string, (typeof docs)[number][]>();
  for (const d of docs) byId.set(d._id, [...(byId.get(d._id) ?? []), d]);
  await pool(voices, 16, async (v) => {
    const found = byId.get(v.voiceId) ?? [];
    const doc = found.length === 1 ? found[0]! : undefined;
    if (!doc) add(v.voiceId, `voice ${v.voiceId}: stored ${found.length} times`);
    else {
      if (doc.compoundId !== v.compoundId || doc.idempotencyKey !== v.idempotencyKey)
        add(v.voiceId, `voice ${v.voiceId}: stored as ${doc.compoundId}/${doc.idempotencyKey}`);
      for (const p of timelineProblems(v.voiceId, doc.rev ?? 0, doc.timeline)) add(v.voiceId, p);
      // Every voice's workflow records at least one event (assigned, or published for praise).
      if (!doc.rev)
        add(v.voiceId, `voice ${v.voiceId}: record still as intake left it (rev 0, '${doc.status}')`);
    }
    // The record shows it is not settled yet: Temporal is asked only on the last poll, to say why.
    if (out.get(v.voiceId)!.length && !opts.diagnose) return;
    const handle = client.workflow.getHandle(voiceWorkflowId(v.voiceId));
    try {
      const d = await client.withDeadline(Date.now() + QUERY_MS, () => handle.describe());
      workflowStatus.set(v.voiceId, d.status.name);
      if (d.status.name !== 'RUNNING' && d.status.name !== 'COMPLETED')
        return add(v.voiceId, `voice ${v.voiceId}: its workflow is ${d.status.name}`);
      if (!doc) return add(v.voiceId, `voice ${v.voiceId}: … yet its workflow is ${d.status.name}`);
    } catch (err) {
      return add(
        v.voiceId,
        err instanceof WorkflowNotFoundError
          ? `voice ${v.voiceId}: no workflow ${voiceWorkflowId(v.voiceId)} (record status ${doc?.status})`
          : `voice ${v.voiceId}: describe failed: ${message(err)}`,
      );
    }
    // A record still at intake is compared with its workflow (that is what a stuck voice looks like).
    if (!opts.query(v.voiceId) && doc.rev) return;
    try {
      const state = await client.withDeadline(Date.now() + QUERY_MS, () => handle.query(voiceStatusQuery));
      if (state.status !== doc.status) {
        add(
          v.voiceId,
          doc.status === 'received'
            ? `voice ${v.voiceId}: stuck in 'received' while its workflow is '${state.status}' (rev ${doc.rev})`
            : `voice ${v.voiceId}: record '${doc.status}' (rev ${doc.rev}) ≠ workflow '${state.status}'`,
        );
      }
    } catch (err) {
      add(v.voiceId, `voice ${v.voiceId}: query failed: ${message(err)}`);
    }
  });
  return out;
}

/** No voice stored twice for one request, and none stored in a closed compound that no client was answered for. */
async function phantomProblems(input: ConsistencyInput): Promise<string[]> {
  if (!input.closedCompounds.length) return [];
  const accepted = new Set(input.voices.map((v) => v.voiceId));
  const stored = await Voice.find(
    { compoundId: { $in: input.closedCompounds } },
    { compoundId: 1, submittedBy: 1, idempotencyKey: 1 },
  ).lean();
  const problems: string[] = [];
  const byRequest = new Map<string, string[]>();
  for (const s of stored) {
    const k = `${s.compoundId}|${s.submittedBy}|${s.idempotencyKey}`;
    byRequest.set(k, [...(byRequest.get(k) ?? []), s._id]);
    if (!accepted.has(s._id))
      problems.push(`voice ${s._id} (${k}) is stored but no client was answered for it`);
  }
  for (const [k, ids] of byRequest)
    if (ids.length > 1) problems.push(`request ${k} stored ${ids.length} times: ${ids.join(', ')}`);
  return problems;
}

/** The ledger's chains and the rate counters against a recount, for each compound. */
async function compoundProblems(
  compounds: string[],
  ledgerEntries: Record<string, number>,
  periods: Set<string>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const id of compounds) {
    const ledger = await verifyLedger(id);
    ledgerEntries[id] = ledger.entries;
    if (!ledger.ok)
      problems.push(
        `ledger of ${id}: broken at seq ${ledger.firstBroken?.seq} (${ledger.firstBroken?.entryId}): ${ledger.firstBroken?.message}`,
      );
    const c = await Compound.findById(id, { timeZone: 1 }).lean();
    const period = String(localParts(new Date(), timeZoneOf(c)).year);
    periods.add(period);
    const scope = await compoundScope(id);
    // As `npm run rates -- --check`: the counters, then the recount, compared whole.
    const counted = await computeRates(scope, period);
    const recounted = await recountRates(scope, period);
    if (JSON.stringify(counted) !== JSON.stringify(recounted))
      problems.push(
        `rates of ${id} ${period}: counters ${JSON.stringify(counted.overall)} ≠ recount ${JSON.stringify(recounted.overall)}`,
      );
  }
  return problems;
}

/**
 * Polls the checks until they all hold or `timeoutMs` passes (then throws, naming what still fails).
 * A voice that passed is not checked again within one call: what passes once stays so for voices that
 * only wait on their deadlines, and it keeps each poll short.
 */
export async function waitForConsistency(
  input: ConsistencyInput,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<ConsistencySummary> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const t0 = Date.now();
  const connection = await Connection.connect({ address: input.temporalAddress });
  const client = new Client({ connection, namespace: input.namespace ?? 'default' });
  const todo = new Map(input.voices.map((v) => [v.voiceId, v]));
  const workflowStatus = new Map<string, string>();
  const ledgerEntries: Record<string, number> = {};
  const periods = new Set<string>();
  let polls = 0;
  try {
    for (;;) {
      polls++;
      // Past the deadline: one last poll, asking Temporal about every voice still failing, then the verdict.
      const last = Date.now() - t0 > timeoutMs;
      const problems: string[] = [];
      try {
        const byVoice = await voiceProblems(client, [...todo.values()], workflowStatus, {
          query: input.query ?? (() => true),
          diagnose: last,
        });
        for (const [id, ps] of byVoice) {
          const more = ps.length ? input.context?.(id) : undefined;
          if (ps.length) problems.push(...ps.map((p) => (more ? `${p} — ${more}` : p)));
          else todo.delete(id);
        }
        problems.push(...(await phantomProblems(input)));
        problems.push(...(await compoundProblems(input.compounds, ledgerEntries, periods)));
        problems.push(...((await input.extra?.()) ?? []));
      } catch (err) {
        problems.push(`a check failed: ${message(err)}`);
      }
      if (!problems.length) break;
      input.onPoll?.(polls, Date.now() - t0, problems);
      if (last) {
        throw new Error(
          `not consistent ${Math.round((Date.now() - t0) / 1000)} s after the faults (${polls} polls), ${problems.length} problems:\n  ` +
            problems.slice(0, 25).join('\n  ') +
            (problems.length > 25 ? `\n  … and ${problems.length - 25} more` : ''),
        );
      }
      await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1_000));
    }
    const workflows: Record<string, number> = {};
    for (const s of workflowStatus.values()) workflows[s] = (workflows[s] ?? 0) + 1;
    const outbox = await VoiceStart.countDocuments({ _id: { $in: input.voices.map((v) => v.voiceId) } });
    return {
      voices: input.voices.length,
      workflows,
      outbox,
      ledgerEntries,
      periods: [...periods],
      settledInMs: Date.now() - t0,
      polls,
    };
  } finally {
    await connection.close();
  }
}
