/**
 * Keeps the rate counters (models/rate-bucket.ts) in step with the voices, orders and meetings.
 * syncRateMember is called after every write of one of them. It reads the record afresh and moves its
 * one member to where it now belongs, holding its compound's counter lock, so a retried or concurrent
 * sync changes nothing more; the last sync to run always sees the latest record. rebuildRateCounters
 * recomputes buckets wholesale (maintenance).
 */
import { randomUUID } from 'node:crypto';
import type { Model } from 'mongoose';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compound, timeZoneOf } from '../models/compound';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { RateCounts, RateLock, RateMembers, RateMeta, RatePointer } from '../models/rate-bucket';
import { Voice } from '../models/voice';
import {
  countMembers,
  meetingRatePosition,
  orderRatePosition,
  rateBucketId,
  mergeTallies,
  packTallies,
  rateMemberKey,
  tally,
  unpackTallies,
  voiceRatePosition,
  type RateTallies,
  type RateMemberKind,
  type RatePosition,
} from '../domain/rates';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;
/** The mark of counters built in the current format (v2: voices counted by subject too). */
const INSTALLED = 'installed-v2';

const VOICE_FIELDS = {
  compoundId: 1,
  kind: 1,
  createdAt: 1,
  assignee: 1,
  category: 1,
  status: 1,
  satisfaction: 1,
  respondedOnTime: 1,
  subject: 1,
};
const ORDER_FIELDS = { compoundId: 1, deadline: 1, owner: 1, status: 1, onTime: 1 };
const MEETING_FIELDS = { compoundId: 1, holdBy: 1, type: 1, heldOnTime: 1 };

/** A lock left by a process that died is broken after this long; a sync takes milliseconds. */
const LOCK_STALE_MS = 15_000;
/** Below the activities' 30 s timeout, so a busy compound fails an attempt that Temporal retries. */
const LOCK_WAIT_MS = 20_000;
const FEW_BUCKETS = 36;

async function withCompoundLock<T>(compoundId: string, f: () => Promise<T>): Promise<T> {
  const _id = `counters:${compoundId}`;
  const token = randomUUID();
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      await RateLock.create({ _id, token, at: new Date() });
      break;
    } catch (err) {
      if (!isDuplicate(err)) throw err;
      const held = await RateLock.findById(_id).lean();
      if (held && Date.now() - held.at.getTime() > LOCK_STALE_MS) {
        // Only the one waiter that files the breaker (unique per stale token) removes the stale lock:
        // deleting by filter is not atomic on every server, so two breakers could remove a new lock.
        const breaker = await RateLock.create({ _id: `break:${held.token}`, token, at: new Date() }).then(
          () => true,
          (e: unknown) => (isDuplicate(e) ? false : Promise.reject(e)),
        );
        if (breaker) await RateLock.deleteOne({ _id, token: held.token });
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        throw new Error(`小区 ${compoundId} 的计数正忙，稍后重试`, { cause: err });
      }
      await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
    }
  }
  try {
    return await f();
  } finally {
    await RateLock.deleteOne({ _id, token });
  }
}

async function zoneOfCompound(compoundId: string): Promise<string> {
  return timeZoneOf(await Compound.findById(compoundId, { timeZone: 1 }).lean());
}

/** What the rates count: where each kind of record is read, and where it counts. */
interface RateSource {
  model: Model<RecordDoc>;
  fields: Record<string, number>;
  position(doc: never, timeZone: string): RatePosition | null;
}
type RecordDoc = { _id: string; compoundId: string };
const SOURCES: Record<RateMemberKind, RateSource> = {
  voice: { model: Voice as never, fields: VOICE_FIELDS, position: voiceRatePosition },
  order: { model: Rectification as never, fields: ORDER_FIELDS, position: orderRatePosition },
  meeting: { model: Meeting as never, fields: MEETING_FIELDS, position: meetingRatePosition },
};
const KINDS = Object.keys(SOURCES) as RateMemberKind[];

async function locate(kind: RateMemberKind, id: string) {
  const source = SOURCES[kind];
  const doc = await source.model.findById(id, source.fields).lean<RecordDoc>();
  return doc && { compoundId: doc.compoundId, at: (tz: string) => source.position(doc as never, tz) };
}

/** Sets (or with no code, removes) one member of a bucket. */
async function setMember(
  bucket: string,
  key: string,
  code: string | undefined,
  compoundId: string,
  month: string,
) {
  const path = `members.${key}`;
  const doc = await RateMembers.findById(bucket, { [path]: 1 }).lean();
  const current = (doc?.members as Record<string, string> | undefined)?.[key];
  if (current === code) return;
  if (!doc) {
    await RateMembers.create({ _id: bucket, compoundId, month, rev: 1, members: { [key]: code } });
  } else {
    // Compare-and-set as well: on MongoDB it alone would keep concurrent syncs apart.
    const r = await RateMembers.updateOne(
      { _id: bucket, [path]: current === undefined ? { $exists: false } : current },
      { ...(code === undefined ? { $unset: { [path]: '' } } : { $set: { [path]: code } }), $inc: { rev: 1 } },
    );
    if (r.matchedCount === 0) throw new Error(`计数桶 ${bucket} 被并发修改`);
  }
}

/** Folds a bucket's members into its counts. */
async function refreshCounts(bucket: string) {
  const doc = await RateMembers.findById(bucket).lean();
  if (!doc) return;
  const tallies = packTallies(
    tally(countMembers(Object.values((doc.members ?? {}) as Record<string, string>))),
  );
  await RateCounts.updateOne(
    { _id: bucket },
    { $set: { compoundId: doc.compoundId, month: doc.month, rev: doc.rev, tallies } },
    { upsert: true },
  );
}

/** Counts one voice, order or meeting where it now belongs (and nowhere else). */
export async function syncRateMember(kind: RateMemberKind, id: string): Promise<void> {
  // Checked again after each move: only a lock broken under a live holder could undo one.
  for (let pass = 0; ; pass++) {
    const at = await place(kind, id);
    if (!at || (await inStep(at))) return; // most writes do not change what a record counts as
    if (pass === 3) throw new Error(`计数未能与记录一致（${kind} ${id}），稍后重试`);
    await moveMember(kind, id, at.compoundId);
  }
}

async function moveMember(kind: RateMemberKind, id: string, compoundId: string): Promise<void> {
  await withCompoundLock(compoundId, async () => {
    const at = await place(kind, id); // afresh, inside the lock: the latest state wins
    if (!at) return;
    const touched = new Set<string>();
    if (at.target && at.position) {
      await setMember(at.target, at.key, at.position.code, at.compoundId, at.position.month);
      touched.add(at.target); // refreshed even if unchanged: repairs counts an interrupted sync left behind
    }
    const pointer = kind === 'voice' ? null : await RatePointer.findById(at.key).lean();
    if (pointer && pointer.bucket !== at.target) {
      // A moved deadline or hold-by date: leave the old month's bucket.
      await setMember(pointer.bucket, at.key, undefined, at.compoundId, '');
      touched.add(pointer.bucket);
    }
    for (const b of touched) await refreshCounts(b);
    // The pointer moves last, so a pointer in place means every step before it was done.
    if (kind !== 'voice' && pointer?.bucket !== at.target) {
      if (at.target)
        await RatePointer.updateOne({ _id: at.key }, { $set: { bucket: at.target } }, { upsert: true });
      else await RatePointer.deleteOne({ _id: at.key });
    }
  });
}

async function place(kind: RateMemberKind, id: string) {
  const found = await locate(kind, id);
  if (!found) return null;
  const position: RatePosition | null = found.at(await zoneOfCompound(found.compoundId));
  return {
    kind,
    compoundId: found.compoundId,
    key: rateMemberKey(kind, id),
    position,
    target: position ? rateBucketId(found.compoundId, position.month) : undefined,
  };
}

/** Whether a record is already counted where it belongs, with counts folded from its bucket as it is. */
async function inStep(at: NonNullable<Awaited<ReturnType<typeof place>>>): Promise<boolean> {
  if (at.target && at.position) {
    const [members, counts] = await Promise.all([
      RateMembers.findById(at.target, { rev: 1, [`members.${at.key}`]: 1 }).lean(),
      RateCounts.findById(at.target, { rev: 1 }).lean(),
    ]);
    const current = (members?.members as Record<string, string> | undefined)?.[at.key];
    if (current !== at.position.code || counts?.rev !== members?.rev) return false;
  }
  if (at.kind === 'voice') return true;
  const pointer = await RatePointer.findById(at.key).lean();
  return pointer?.bucket === at.target;
}

/**
 * The tallies of some compounds' months, summed. A compound's year is a dozen lookups by _id; a whole
 * community's is one query for all its buckets (on FerretDB a scan of the small counts collection,
 * which beats thousands of round trips; on MongoDB both use the _id index).
 */
export async function readRateTallies(compoundIds: string[], months: string[]): Promise<RateTallies> {
  const ids = compoundIds.flatMap((c) => months.map((m) => rateBucketId(c, m)));
  const docs =
    ids.length > FEW_BUCKETS
      ? await RateCounts.find({ _id: { $in: ids } }, { tallies: 1 }).lean()
      : await Promise.all(ids.map((id) => RateCounts.findById(id, { tallies: 1 }).lean()));
  return mergeTallies(docs.flatMap((d) => (d ? [unpackTallies(d.tallies)] : [])));
}

/**
 * Recomputes the counters of some compounds (all when none are named) from the records, in one pass
 * over each collection, then replaces each compound's buckets under its lock. Records that changed
 * while it ran are synced again afterwards, so it may run beside a live system.
 */
export async function rebuildRateCounters(compoundIds?: string[]) {
  const since = new Date(Date.now() - 1000);
  const compounds = await Compound.find(compoundIds ? { _id: { $in: compoundIds } } : {}, {
    timeZone: 1,
  }).lean();
  const zone = new Map(compounds.map((c) => [c._id as string, timeZoneOf(c)]));
  const scope = { compoundId: { $in: [...zone.keys()] } };
  type Bucket = { compoundId: string; month: string; members: Record<string, string> };
  const byCompound = new Map<string, { buckets: Map<string, Bucket>; pointers: Map<string, string> }>(
    [...zone.keys()].map((c) => [c, { buckets: new Map(), pointers: new Map() }]),
  );
  let members = 0;
  const add = (kind: RateMemberKind, id: string, compoundId: string, p: RatePosition | null) => {
    const of = byCompound.get(compoundId);
    if (!p || !of) return;
    const b = rateBucketId(compoundId, p.month);
    let bucket = of.buckets.get(b);
    if (!bucket) of.buckets.set(b, (bucket = { compoundId, month: p.month, members: {} }));
    bucket.members[rateMemberKey(kind, id)] = p.code;
    if (kind !== 'voice') of.pointers.set(rateMemberKey(kind, id), b);
    members++;
  };
  for (const kind of KINDS) {
    const { model, fields, position } = SOURCES[kind];
    for await (const d of model.find(scope, fields).lean<RecordDoc[]>().cursor({ batchSize: 5000 })) {
      add(kind, d._id, d.compoundId, position(d as never, zone.get(d.compoundId)!));
    }
  }
  // The buckets there were, listed once: every write below is then by _id.
  const before = new Map<string, string[]>();
  for (const b of await RateCounts.find(scope, { _id: 1, compoundId: 1 }).lean()) {
    before.set(b.compoundId, [...(before.get(b.compoundId) ?? []), b._id]);
  }
  let buckets = 0;
  for (const [compoundId, of] of byCompound) {
    buckets += of.buckets.size;
    await withCompoundLock(compoundId, async () => {
      for (const stale of (before.get(compoundId) ?? []).filter((id) => !of.buckets.has(id))) {
        await Promise.all([RateMembers.deleteOne({ _id: stale }), RateCounts.deleteOne({ _id: stale })]);
      }
      for (const [_id, b] of of.buckets) {
        const rev = ((await RateMembers.findById(_id, { rev: 1 }).lean())?.rev ?? 0) + 1;
        const tallies = packTallies(tally(countMembers(Object.values(b.members))));
        await RateMembers.replaceOne({ _id }, { ...b, rev }, { upsert: true });
        await RateCounts.replaceOne({ _id }, { compoundId, month: b.month, rev, tallies }, { upsert: true });
      }
      for (const [key, bucket] of of.pointers)
        await RatePointer.updateOne({ _id: key }, { $set: { bucket } }, { upsert: true });
    });
  }
  // What changed during the pass may be counted as it was: count it as it is.
  const changed = { ...scope, updatedAt: { $gte: since } };
  for (const kind of KINDS) {
    for await (const d of SOURCES[kind].model.find(changed, { _id: 1 }).lean<RecordDoc[]>().cursor()) {
      await syncRateMember(kind, d._id);
    }
  }
  if (!compoundIds)
    await RateMeta.updateOne({ _id: INSTALLED }, { $set: { at: new Date() } }, { upsert: true });
  return { compounds: zone.size, buckets, members };
}

/**
 * Installs the counters over records written before they existed (a first start after upgrading),
 * once: later starts find the mark it leaves. True when it rebuilt.
 */
export async function ensureRateCounters(): Promise<boolean> {
  if (await RateMeta.exists({ _id: INSTALLED })) return false;
  let records = false;
  for (const kind of KINDS) records ||= Boolean(await SOURCES[kind].model.exists({}));
  if (records) await rebuildRateCounters();
  else await RateMeta.updateOne({ _id: INSTALLED }, { $set: { at: new Date() } }, { upsert: true });
  return records;
}
