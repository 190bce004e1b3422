/**
 * Keeps the read projections (models/projection.ts, domain/projections.ts) in step with the records.
 *
 * The hot path only writes: a record's one writer (its workflow, or intake) updates the record by _id and
 * adds a change mark. Off the hot path, the folder takes a compound's fold lock, reads the marked records
 * afresh, places their rows in the compound's pages, refreshes the counts of the months touched, and
 * removes the marks it folded. Folding re-reads records, so it is idempotent: a retried or repeated fold
 * changes nothing more. A reader first folds what is still marked for its compound, so what it reads is
 * never behind the records. FerretDB v1 applies no update of one document atomically, which is why every
 * document here has one writer at a time: the record its workflow, the pages the lock holder.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { monthKey } from '../domain/calendar';
import {
  meetingRowOf,
  monthTallies,
  orderRowOf,
  packMeetingRows,
  packOrderRows,
  packVoiceRows,
  unpackMeetingRows,
  unpackOrderRows,
  unpackVoiceRows,
  upsertRows,
  voiceRowOf,
  type MeetingRow,
  type OrderRow,
  type VoiceRow,
} from '../domain/projections';
import { mergeTallies, packTallies, rateBucketId, unpackTallies, type RateTallies } from '../domain/rates';
import { Compound, timeZoneOf } from '../models/compound';
import { Meeting } from '../models/meeting';
import { Change, MatterPage, PageHead, VoiceConsult, VoicePage } from '../models/projection';
import { CommunityCounts, RateCounts, RateLock, RateMeta } from '../models/rate-bucket';
import { Rectification } from '../models/rectification';
import { Voice } from '../models/voice';

export type RecordKind = 'voice' | 'order' | 'meeting';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/** The mark of projections built in the current format, over the records kept before them. */
const INSTALLED = 'projections-v2';

/**
 * Marks a record as changed at a revision. Insert-only and idempotent: a retried write adds nothing,
 * and no mark can be lost to another write (each revision has its own).
 */
export async function markChanged(
  kind: RecordKind,
  recordId: string,
  compoundId: string,
  rev: number | string,
) {
  try {
    await Change.collection.insertOne({
      _id: `${kind}:${recordId}:${rev}`,
      compoundId,
      kind,
      recordId,
      at: new Date(),
    } as never);
  } catch (err) {
    if (!isDuplicate(err)) throw err;
  }
}

/** Many marks in one insert (intake batches). */
export async function markManyChanged(
  marks: { kind: RecordKind; recordId: string; compoundId: string; rev: number }[],
) {
  if (!marks.length) return;
  const now = new Date();
  await Change.insertMany(
    marks.map((m) => ({
      _id: `${m.kind}:${m.recordId}:${m.rev}`,
      compoundId: m.compoundId,
      kind: m.kind,
      recordId: m.recordId,
      at: now,
    })),
    { ordered: false },
  ).catch((err: unknown) => {
    const e = err as { writeErrors?: { code?: number }[]; code?: number };
    const errors = e.writeErrors ?? (e.code !== undefined ? [e] : undefined);
    if (!errors?.length || errors.some((w) => w.code !== 11000)) throw err;
  });
}

/** A lock left by a process that died is broken after this long; a fold takes milliseconds. */
const LOCK_STALE_MS = 15_000;
const LOCK_WAIT_MS = 20_000;

/**
 * Runs `f` holding a compound's fold lock (a document created under a unique _id: the one atomic step
 * every MongoDB-wire server offers). `wait: false` gives up at once when another holds it.
 */
async function withFoldLock<T>(compoundId: string, f: () => Promise<T>, wait = true): Promise<T | undefined> {
  const _id = `fold:${compoundId}`;
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
        // Only the one waiter that files the breaker (unique per stale token) removes the stale lock.
        const breaker = await RateLock.create({ _id: `break:${held.token}`, token, at: new Date() }).then(
          () => true,
          (e: unknown) => (isDuplicate(e) ? false : Promise.reject(e)),
        );
        if (breaker) await RateLock.deleteOne({ _id, token: held.token });
      }
      if (!wait) return undefined;
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new Error(`小区 ${compoundId} 的统计正忙，稍后重试`, { cause: err });
      await sleep(Math.min(50, 2 + attempt) * (0.5 + Math.random()));
    }
  }
  try {
    return await f();
  } finally {
    await RateLock.deleteOne({ _id, token });
  }
}

const VOICE_FIELDS = {
  compoundId: 1,
  createdAt: 1,
  updatedAt: 1,
  kind: 1,
  channel: 1,
  category: 1,
  subject: 1,
  status: 1,
  assignee: 1,
  responsible: 1,
  escalationLevel: 1,
  overdue: 1,
  acknowledgeBy: 1,
  resolveBy: 1,
  buildingId: 1,
  submittedBy: 1,
  enteredBy: 1,
  anonymous: 1,
  satisfaction: 1,
  respondedOnTime: 1,
  handledBy: 1,
  consultedIn: 1,
};
const MEETING_FIELDS = {
  compoundId: 1,
  type: 1,
  period: 1,
  status: 1,
  plannedAt: 1,
  holdBy: 1,
  heldOnTime: 1,
  overdue: 1,
  escalationLevel: 1,
};
const ORDER_FIELDS = {
  compoundId: 1,
  kind: 1,
  owner: 1,
  status: 1,
  deadline: 1,
  onTime: 1,
  overdue: 1,
  escalationLevel: 1,
  createdAt: 1,
};

type VoiceDocLike = Parameters<typeof voiceRowOf>[0] & { consultedIn?: string | null };

/**
 * A voice's row from its record. Which consultation took it up is on its previous row, or — when that
 * is what changed — in the change mark itself ("voice:<id>:consulted:<meetingId>").
 */
async function voiceRecord(id: string) {
  return (await Voice.collection.findOne({ _id: id } as never, { projection: VOICE_FIELDS })) as
    (VoiceDocLike & { compoundId: string }) | null;
}

interface Head {
  rev: number;
  months: Record<string, number>;
  matters: number;
}

/**
 * A month's voices are spread over CHUNKS pages by a hash of their id, so a busy month's fold rewrites a
 * few small pages rather than one that grows with the month.
 */
const CHUNKS = 16;
function chunkOf(voiceId: string): number {
  let h = 0;
  for (let i = 0; i < voiceId.length; i++) h = (h * 31 + voiceId.charCodeAt(i)) >>> 0;
  return h % CHUNKS;
}
/** "2026-11#3": a page of a compound's month. */
const pageKey = (month: string, chunk: number) => `${month}#${chunk}`;
const monthOfKey = (key: string) => key.slice(0, key.indexOf('#'));

/** Decoded pages kept between requests and folds, re-read only when their revision moved. */
const cache = new Map<string, { rev: number; rows: unknown[] }>();
const CACHE_PAGES = 50_000;
function remember(id: string, rev: number, rows: unknown[]) {
  if (cache.size >= CACHE_PAGES) cache.delete(cache.keys().next().value!);
  cache.set(id, { rev, rows });
}

/** One voice page's rows, from the cache when its revision is the one the head names. */
async function loadVoicePage(compoundId: string, key: string, rev: number | undefined): Promise<VoiceRow[]> {
  const id = `${compoundId}/${key}`;
  const hit = cache.get(id);
  if (hit && rev !== undefined && hit.rev === rev) return hit.rows as VoiceRow[];
  const page = await VoicePage.findById(id).lean();
  const rows = unpackVoiceRows(page?.rows);
  if (page) remember(id, page.rev, rows);
  return rows;
}

async function headOf(compoundId: string): Promise<Head> {
  const h = await PageHead.findById(compoundId).lean();
  return h
    ? { rev: h.rev, months: (h.months ?? {}) as Record<string, number>, matters: h.matters }
    : { rev: 0, months: {}, matters: 0 };
}

/** All the voice rows of a compound's month, over its pages. */
async function monthRows(compoundId: string, head: Head, month: string): Promise<VoiceRow[]> {
  const keys = Object.keys(head.months).filter((k) => monthOfKey(k) === month);
  return (await Promise.all(keys.map((k) => loadVoicePage(compoundId, k, head.months[k])))).flat();
}

async function saveCounts(compoundId: string, month: string, tallies: RateTallies) {
  await RateCounts.updateOne(
    { _id: rateBucketId(compoundId, month) },
    { $set: { compoundId, month, rev: Date.now(), tallies: packTallies(tallies) } },
    { upsert: true },
  );
}

/** A compound's community (compounds never move between communities), looked up once per process. */
const communities = new Map<string, string | undefined>();
async function communityOf(compoundId: string): Promise<string | undefined> {
  if (!communities.has(compoundId))
    communities.set(
      compoundId,
      (await Compound.findById(compoundId, { communityId: 1 }).lean())?.communityId ?? undefined,
    );
  return communities.get(compoundId);
}

/** After a compound's counts were written: its community's merged readings are stale. */
async function countsChanged(compoundId: string) {
  const communityId = await communityOf(compoundId);
  if (!communityId) return;
  const set = { token: randomUUID(), at: new Date() };
  try {
    await CommunityCounts.updateOne({ _id: communityId }, { $set: set }, { upsert: true });
  } catch (err) {
    // Two folds creating it at once: the one that lost the insert writes its token over the other's.
    if (!isDuplicate(err)) throw err;
    await CommunityCounts.updateOne({ _id: communityId }, { $set: set });
  }
}

/**
 * Folds a compound's marked changes into its pages and counts. Returns how many marks it folded;
 * undefined when `wait` is false and another process is folding that compound.
 */
export async function foldCompound(compoundId: string, wait = true): Promise<number | undefined> {
  return withFoldLock(
    compoundId,
    async () => {
      const marks = await Change.find({ compoundId }, { kind: 1, recordId: 1 }).limit(5000).lean();
      const consulted = new Map<string, string>();
      for (const m of marks) {
        const at = m._id.indexOf(':consulted:');
        if (m.kind === 'voice' && at > 0) consulted.set(m.recordId, m._id.slice(at + ':consulted:'.length));
      }
      if (!marks.length) return 0;
      const compound = await Compound.findById(compoundId, { timeZone: 1 }).lean();
      const tz = timeZoneOf(compound);
      const ids = (k: RecordKind) => [...new Set(marks.filter((m) => m.kind === k).map((m) => m.recordId))];
      const head = await headOf(compoundId);
      const touchedMonths = new Set<string>();

      // Voices: each into a page of its local month (a voice never changes month).
      const voiceDocs = (await Promise.all(ids('voice').map(voiceRecord))).flatMap((v) => (v ? [v] : []));
      const byPage = new Map<string, (VoiceDocLike & { compoundId: string })[]>();
      for (const v of voiceDocs) {
        const key = pageKey(monthKey(v.createdAt, tz), chunkOf(v._id));
        byPage.set(key, [...(byPage.get(key) ?? []), v]);
      }
      for (const [key, docs] of byPage) {
        const before = await loadVoicePage(compoundId, key, head.months[key]);
        const was = new Map(before.map((r) => [r.id, r.consultedIn]));
        const changed = docs.map((v) =>
          voiceRowOf(v, consulted.get(v._id) ?? was.get(v._id) ?? v.consultedIn ?? null),
        );
        const rows = upsertRows(before, changed);
        const rev = (head.months[key] ?? 0) + 1;
        const month = monthOfKey(key);
        await VoicePage.replaceOne(
          { _id: `${compoundId}/${key}` },
          { compoundId, month, rev, rows: packVoiceRows(rows) },
          { upsert: true },
        );
        remember(`${compoundId}/${key}`, rev, rows);
        head.months[key] = rev;
        touchedMonths.add(month);
      }

      // Meetings and orders: one page for the compound; a moved deadline moves a row's month.
      const meetingIds = ids('meeting');
      const orderIds = ids('order');
      let meetings: MeetingRow[] | undefined;
      let orders: OrderRow[] | undefined;
      if (meetingIds.length || orderIds.length) {
        const page = await MatterPage.findById(compoundId).lean();
        meetings = unpackMeetingRows(page?.meetings);
        orders = unpackOrderRows(page?.orders);
        const before = new Map<string, number>([
          ...meetings.map((m) => [m.id, m.holdBy] as const),
          ...orders.map((o) => [o.id, o.deadline] as const),
        ]);
        const ms = (
          await Promise.all(meetingIds.map((id) => Meeting.findById(id, MEETING_FIELDS).lean()))
        ).flatMap((m) => (m ? [meetingRowOf(m)] : []));
        const os = (
          await Promise.all(orderIds.map((id) => Rectification.findById(id, ORDER_FIELDS).lean()))
        ).flatMap((o) => (o ? [orderRowOf(o)] : []));
        for (const r of ms) {
          touchedMonths.add(monthKey(new Date(r.holdBy), tz));
          const old = before.get(r.id);
          if (old !== undefined) touchedMonths.add(monthKey(new Date(old), tz));
        }
        for (const r of os) {
          touchedMonths.add(monthKey(new Date(r.deadline), tz));
          const old = before.get(r.id);
          if (old !== undefined) touchedMonths.add(monthKey(new Date(old), tz));
        }
        meetings = upsertRows(meetings, ms);
        orders = upsertRows(orders, os);
        head.matters = (page?.rev ?? 0) + 1;
        await MatterPage.replaceOne(
          { _id: compoundId },
          { rev: head.matters, meetings: packMeetingRows(meetings), orders: packOrderRows(orders) },
          { upsert: true },
        );
      }

      // The counts of every month touched, from the pages (recomputed, never incremented).
      if (touchedMonths.size) {
        if (!meetings || !orders) {
          const page = await MatterPage.findById(compoundId).lean();
          meetings = unpackMeetingRows(page?.meetings);
          orders = unpackOrderRows(page?.orders);
        }
        for (const month of touchedMonths) {
          const rows = await monthRows(compoundId, head, month);
          await saveCounts(compoundId, month, monthTallies(month, tz, rows, meetings, orders));
        }
        await countsChanged(compoundId);
      }
      head.rev++;
      await PageHead.replaceOne({ _id: compoundId }, head, { upsert: true });
      await Change.deleteMany({ _id: { $in: marks.map((m) => m._id) } });
      return marks.length;
    },
    wait,
  );
}

/** Folds what is marked, compound by compound; busy compounds are left to whoever is folding them. */
export async function foldPending(limit = 20_000): Promise<number> {
  const marks = await Change.find({}, { compoundId: 1 }).limit(limit).lean();
  let folded = 0;
  for (const compoundId of new Set(marks.map((m) => m.compoundId))) {
    folded += (await foldCompound(compoundId, false)) ?? 0;
  }
  return folded;
}

/** Before reading a compound's projections: fold what is still marked, so the read is never behind. */
export async function settle(compoundIds: string[]): Promise<void> {
  const wanted = new Set(compoundIds);
  const marks = await Change.find({}, { compoundId: 1 }).limit(50_000).lean();
  for (const c of new Set(marks.map((m) => m.compoundId))) if (wanted.has(c)) await foldCompound(c);
}

/** A compound's voice rows (optionally of some months), newest first, settled first. */
export async function readVoiceRows(compoundId: string, months?: string[]): Promise<VoiceRow[]> {
  await settle([compoundId]);
  const head = await headOf(compoundId);
  const wanted = Object.keys(head.months).filter((k) => !months || months.includes(monthOfKey(k)));
  const pages = await Promise.all(wanted.map((k) => loadVoicePage(compoundId, k, head.months[k])));
  return pages.flat().sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

/** A compound's meeting and order rows, settled first. */
export async function readMatterRows(
  compoundId: string,
): Promise<{ meetings: MeetingRow[]; orders: OrderRow[] }> {
  await settle([compoundId]);
  const head = await headOf(compoundId);
  const hit = cache.get(`matters/${compoundId}`);
  if (hit && hit.rev === head.matters) return hit.rows[0] as { meetings: MeetingRow[]; orders: OrderRow[] };
  const page = await MatterPage.findById(compoundId).lean();
  const rows = { meetings: unpackMeetingRows(page?.meetings), orders: unpackOrderRows(page?.orders) };
  remember(`matters/${compoundId}`, page?.rev ?? 0, [rows]);
  return rows;
}

/**
 * The tallies of some compounds' months, summed: a compound's year is a dozen lookups by _id; a whole
 * community's is one query over the small counts collection.
 */
export async function readRateTallies(
  compoundIds: string[],
  months: string[],
  community?: string,
): Promise<RateTallies> {
  await settle(compoundIds);
  const ids = compoundIds.flatMap((c) => months.map((m) => rateBucketId(c, m)));
  if (ids.length <= 36) {
    const docs = await Promise.all(ids.map((id) => RateCounts.findById(id, { tallies: 1 }).lean()));
    return mergeTallies(docs.flatMap((d) => (d ? [unpackTallies(d.tallies)] : [])));
  }
  // A community's year is thousands of counts: merged once, then reused while its token is unchanged
  // (read before the counts, and written by a fold after them, so a reading is never older than its token).
  const token = community ? await countsToken(community) : undefined;
  const key = `${community}|${months.join(',')}|${[...compoundIds].sort().join(',')}`;
  const hit = token ? merged.get(key) : undefined;
  if (hit && hit.token === token) return hit.tallies;
  // Readers that miss together (a morning's first dashboards) share one reading instead of each scanning.
  const flightKey = `${key}@${token}`;
  const flying = token ? readings.get(flightKey) : undefined;
  if (flying) return flying;
  const reading = (async () => {
    const docs = await RateCounts.find({ _id: { $in: ids } }, { tallies: 1 }).lean();
    return mergeTallies(docs.map((d) => unpackTallies(d.tallies)));
  })();
  if (!token) return reading;
  readings.set(flightKey, reading);
  try {
    const tallies = await reading;
    if (merged.size >= MERGED_READINGS) merged.delete(merged.keys().next().value!);
    merged.set(key, { token, tallies });
    return tallies;
  } finally {
    readings.delete(flightKey);
  }
}
/** Readings in flight, by scope, months and token. */
const readings = new Map<string, Promise<RateTallies>>();
/** A community's counts token; the first reader creates it (insert-only: a fold's token wins a race). */
async function countsToken(community: string): Promise<string> {
  const doc = await CommunityCounts.findById(community, { token: 1 }).lean();
  if (doc) return doc.token;
  const token = randomUUID();
  try {
    await CommunityCounts.create({ _id: community, token, at: new Date() });
    return token;
  } catch (err) {
    if (!isDuplicate(err)) throw err;
    return (await CommunityCounts.findById(community, { token: 1 }).lean().orFail()).token;
  }
}
/** Merged tallies of a community's compounds, by scope and months, with the token they were read at. */
const merged = new Map<string, { token: string; tallies: RateTallies }>();
const MERGED_READINGS = 200;

/**
 * Rebuilds some compounds' projections (all when none are named) from the records, in one pass over
 * each collection; then folds whatever changed meanwhile. Safe beside a running system.
 */
export async function rebuildProjections(compoundIds?: string[]) {
  const compounds = await Compound.find(compoundIds ? { _id: { $in: compoundIds } } : {}, {
    timeZone: 1,
  }).lean();
  const zone = new Map(compounds.map((c) => [c._id as string, timeZoneOf(c)]));
  const scope = { compoundId: { $in: [...zone.keys()] } };
  const voices = new Map<string, Map<string, VoiceRow[]>>();
  const consults = new Map<string, string>();
  for await (const c of VoiceConsult.find(scope).lean().cursor({ batchSize: 5000 }))
    consults.set(c._id, c.meetingId);
  let records = 0;
  for await (const v of Voice.find(scope, VOICE_FIELDS)
    .lean<(VoiceDocLike & { compoundId: string })[]>()
    .cursor({ batchSize: 5000 })) {
    const month = monthKey(v.createdAt, zone.get(v.compoundId)!);
    const byMonth = voices.get(v.compoundId) ?? new Map<string, VoiceRow[]>();
    voices.set(v.compoundId, byMonth);
    byMonth.set(month, [
      ...(byMonth.get(month) ?? []),
      voiceRowOf(v, consults.get(v._id) ?? v.consultedIn ?? null),
    ]);
    records++;
  }
  const meetings = new Map<string, MeetingRow[]>();
  for await (const m of Meeting.find(scope, MEETING_FIELDS).lean().cursor({ batchSize: 5000 })) {
    meetings.set(m.compoundId, [...(meetings.get(m.compoundId) ?? []), meetingRowOf(m)]);
    records++;
  }
  const orders = new Map<string, OrderRow[]>();
  for await (const o of Rectification.find(scope, ORDER_FIELDS).lean().cursor({ batchSize: 5000 })) {
    orders.set(o.compoundId, [...(orders.get(o.compoundId) ?? []), orderRowOf(o)]);
    records++;
  }
  let pages = 0;
  for (const [compoundId, tz] of zone) {
    await withFoldLock(compoundId, async () => {
      const byMonth = voices.get(compoundId) ?? new Map<string, VoiceRow[]>();
      const ms = meetings.get(compoundId) ?? [];
      const os = orders.get(compoundId) ?? [];
      const oldHead = await headOf(compoundId);
      // The head's revision only ever grows: merged readings are cached by it (readRateTallies).
      const head: Head = { rev: Math.max(Date.now(), oldHead.rev + 1), months: {}, matters: Date.now() };
      const byPage = new Map<string, VoiceRow[]>();
      for (const [month, rows] of byMonth) {
        for (const r of rows) {
          const key = pageKey(month, chunkOf(r.id));
          byPage.set(key, [...(byPage.get(key) ?? []), r]);
        }
      }
      for (const stale of Object.keys(oldHead.months).filter((k) => !byPage.has(k))) {
        await VoicePage.deleteOne({ _id: `${compoundId}/${stale}` });
      }
      for (const [key, rows] of byPage) {
        const rev = (oldHead.months[key] ?? 0) + 1;
        await VoicePage.replaceOne(
          { _id: `${compoundId}/${key}` },
          { compoundId, month: monthOfKey(key), rev, rows: packVoiceRows(rows) },
          { upsert: true },
        );
        head.months[key] = rev;
        pages++;
      }
      await MatterPage.replaceOne(
        { _id: compoundId },
        { rev: head.matters, meetings: packMeetingRows(ms), orders: packOrderRows(os) },
        { upsert: true },
      );
      const months = new Set<string>([
        ...byMonth.keys(),
        ...ms.map((m) => monthKey(new Date(m.holdBy), tz)),
        ...os.map((o) => monthKey(new Date(o.deadline), tz)),
      ]);
      const countsBefore = await RateCounts.find({ compoundId }, { _id: 1 }).lean();
      for (const d of countsBefore)
        if (!months.has(d._id.slice(compoundId.length + 1))) await RateCounts.deleteOne({ _id: d._id });
      for (const month of months)
        await saveCounts(compoundId, month, monthTallies(month, tz, byMonth.get(month) ?? [], ms, os));
      await countsChanged(compoundId);
      await PageHead.replaceOne({ _id: compoundId }, head, { upsert: true });
    });
  }
  // Changes marked while this ran are folded on top of what it wrote.
  for (const compoundId of zone.keys()) await foldCompound(compoundId);
  if (!compoundIds)
    await RateMeta.updateOne({ _id: INSTALLED }, { $set: { at: new Date() } }, { upsert: true });
  return { compounds: zone.size, pages, records };
}

/**
 * Builds the projections over records kept before they existed (a first start after upgrading),
 * once: later starts find the mark it leaves. True when it rebuilt.
 */
export async function ensureProjections(): Promise<boolean> {
  if (await RateMeta.exists({ _id: INSTALLED })) return false;
  const records = (await Voice.exists({})) || (await Meeting.exists({})) || (await Rectification.exists({}));
  if (records) await rebuildProjections();
  else await RateMeta.updateOne({ _id: INSTALLED }, { $set: { at: new Date() } }, { upsert: true });
  return Boolean(records);
}
