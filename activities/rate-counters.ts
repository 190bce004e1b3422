/**
 * Keeps the rate counters (models/rate-bucket.ts) in step with the voices, orders and meetings.
 * syncRateMember is called after every write of one of them. It reads the record afresh and moves its
 * one member to where it now belongs, holding its compound's counter lock, so a retried or concurrent
 * sync changes nothing more; the last sync to run always sees the latest record. rebuildRateCounters
 * recomputes buckets wholesale (maintenance).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Compound } from '../models/compound';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { RateCounts, RateLock, RateMembers, RatePointer } from '../models/rate-bucket';
import { Voice } from '../models/voice';
import { DEFAULT_TIME_ZONE } from '../domain/calendar';
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

const VOICE_FIELDS = {
  compoundId: 1,
  kind: 1,
  createdAt: 1,
  assignee: 1,
  category: 1,
  status: 1,
  satisfaction: 1,
  respondedOnTime: 1,
};
const ORDER_FIELDS = { compoundId: 1, deadline: 1, owner: 1, status: 1, onTime: 1 };
const MEETING_FIELDS = { compoundId: 1, holdBy: 1, type: 1, heldOnTime: 1 };

/** A lock left by a process that died is broken after this long. */
const LOCK_STALE_MS = 15_000;
const LOCK_WAIT_MS = 60_000;
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
        await RateLock.deleteOne({ _id, token: held.token });
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

async function timeZoneOf(compoundId: string): Promise<string> {
  const c = await Compound.findById(compoundId, { timeZone: 1 }).lean();
  return c?.timeZone ?? DEFAULT_TIME_ZONE;
}

async function locate(kind: RateMemberKind, id: string) {
  if (kind === 'voice') {
    const v = await Voice.findById(id, VOICE_FIELDS).lean();
    return v && { compoundId: v.compoundId, at: (tz: string) => voiceRatePosition(v, tz) };
  }
  if (kind === 'order') {
    const o = await Rectification.findById(id, ORDER_FIELDS).lean();
    return o && { compoundId: o.compoundId, at: (tz: string) => orderRatePosition(o, tz) };
  }
  const m = await Meeting.findById(id, MEETING_FIELDS).lean();
  return m && { compoundId: m.compoundId, at: (tz: string) => meetingRatePosition(m, tz) };
}

/** Sets (or with no code, removes) one member of a bucket; true if that changed anything. */
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
  if (current === code) return false;
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
  return true;
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
  const first = await place(kind, id);
  if (!first || (await inStep(first))) return; // most writes do not change what a record counts as
  await withCompoundLock(first.compoundId, async () => {
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
  const position: RatePosition | null = found.at(await timeZoneOf(found.compoundId));
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
 * over each collection. For installing the counters over existing data or repairing them; run it while
 * the worker is stopped, as it replaces the buckets wholesale.
 */
export async function rebuildRateCounters(compoundIds?: string[]) {
  const compounds = await Compound.find(compoundIds ? { _id: { $in: compoundIds } } : {}, {
    timeZone: 1,
  }).lean();
  const zone = new Map(compounds.map((c) => [c._id as string, c.timeZone ?? DEFAULT_TIME_ZONE]));
  const scope = { compoundId: { $in: [...zone.keys()] } };
  const buckets = new Map<string, { compoundId: string; month: string; members: Record<string, string> }>();
  const add = (kind: RateMemberKind, id: string, compoundId: string, p: RatePosition | null) => {
    if (!p) return undefined;
    const b = rateBucketId(compoundId, p.month);
    let bucket = buckets.get(b);
    if (!bucket) buckets.set(b, (bucket = { compoundId, month: p.month, members: {} }));
    bucket.members[rateMemberKey(kind, id)] = p.code;
    return b;
  };
  let members = 0;
  for await (const v of Voice.find(scope, VOICE_FIELDS).lean().cursor({ batchSize: 5000 })) {
    if (add('voice', v._id, v.compoundId, voiceRatePosition(v, zone.get(v.compoundId)!))) members++;
  }
  const pointers: { _id: string; bucket: string }[] = [];
  for await (const o of Rectification.find(scope, ORDER_FIELDS).lean().cursor()) {
    const bucket = add('order', o._id, o.compoundId, orderRatePosition(o, zone.get(o.compoundId)!))!;
    pointers.push({ _id: rateMemberKey('order', o._id), bucket });
    members++;
  }
  for await (const m of Meeting.find(scope, MEETING_FIELDS).lean().cursor()) {
    const bucket = add('meeting', m._id, m.compoundId, meetingRatePosition(m, zone.get(m.compoundId)!))!;
    pointers.push({ _id: rateMemberKey('meeting', m._id), bucket });
    members++;
  }
  await Promise.all([RateMembers.deleteMany(scope), RateCounts.deleteMany(scope)]);
  const all = [...buckets].map(([_id, b]) => ({ _id, ...b, rev: 1 }));
  for (let i = 0; i < all.length; i += 200) {
    const batch = all.slice(i, i + 200);
    await RateMembers.insertMany(batch, { ordered: false });
    await RateCounts.insertMany(
      batch.map((b) => ({
        _id: b._id,
        compoundId: b.compoundId,
        month: b.month,
        rev: 1,
        tallies: packTallies(tally(countMembers(Object.values(b.members)))),
      })),
      { ordered: false },
    );
  }
  for (const p of pointers)
    await RatePointer.updateOne({ _id: p._id }, { $set: { bucket: p.bucket } }, { upsert: true });
  return { compounds: zone.size, buckets: buckets.size, members };
}

/**
 * Installs the counters over records written before they existed (a first start after upgrading):
 * rebuilds once when there are records but no counts. True when it rebuilt.
 */
export async function ensureRateCounters(): Promise<boolean> {
  if (await RateCounts.exists({})) return false;
  const records = (await Voice.exists({})) ?? (await Rectification.exists({})) ?? (await Meeting.exists({}));
  if (!records) return false;
  await rebuildRateCounters();
  return true;
}
