/** The rates for a compound or a whole community: read from the rate counters, or recounted to check them. */
import { CONVENERS, type MeetingType } from '../domain/meetings';
import {
  meetingRates,
  orderRates,
  periodBounds,
  periodMonths,
  voiceRates,
  mergeTallies,
  tally,
  type RateTallies,
  type MeetingGroup,
  type OrderGroup,
  type VoiceGroup,
} from '../domain/rates';
import { DomainError } from '../domain/errors';
import { readRateTallies } from '../activities/projections';
import { Compound, compoundsRevision, timeZoneOf } from '../models/compound';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { Voice } from '../models/voice';

const BODIES = ['selfManagementCommittee', 'ownersCommittee', 'partyBranch', 'staff'] as const;

/**
 * The rates of a period, read from the rate counters (activities/rate-counters.ts): a few small
 * documents per compound and month, whatever the number of voices.
 */
export async function computeRates(
  scope: { compoundIds: string[]; timeZone: string; communityId?: string },
  period: string,
) {
  const bounds = periodBounds(period, scope.timeZone);
  return present(
    period,
    bounds,
    await readRateTallies(scope.compoundIds, periodMonths(period), scope.communityId),
  );
}

/**
 * The same figures recounted from the records themselves with indexed aggregations; the counters must
 * always agree with it (tests and `npm run rates -- --check` compare the two).
 */
export async function recountRates(
  scope: { compoundIds: string[]; timeZone: string; zones?: Record<string, string> },
  period: string,
) {
  // Each compound's period is its own local one: recount per time zone, then add up.
  const byZone = new Map<string, string[]>();
  for (const c of scope.compoundIds) {
    const tz = scope.zones?.[c] ?? scope.timeZone;
    byZone.set(tz, [...(byZone.get(tz) ?? []), c]);
  }
  const parts = await Promise.all(
    [...byZone].map(([tz, ids]) => {
      const { start, end } = periodBounds(period, tz);
      return recountTallies(ids, start, end);
    }),
  );
  return present(period, periodBounds(period, scope.timeZone), mergeTallies(parts));
}

async function recountTallies(compoundIds: string[], start: Date, end: Date): Promise<RateTallies> {
  const inScope = { $in: compoundIds };
  // Group by the few fields a rate needs and count; folding happens in domain/rates.ts.
  const [voiceRows, orderRows, meetingRows] = await Promise.all([
    Voice.aggregate<{ _id: Omit<VoiceGroup, 'count'>; count: number }>([
      { $match: { compoundId: inScope, createdAt: { $gte: start, $lt: end }, kind: { $ne: 'praise' } } },
      {
        $group: {
          _id: {
            assignee: '$assignee',
            category: '$category',
            status: '$status',
            satisfaction: '$satisfaction',
            respondedOnTime: '$respondedOnTime',
            subject: '$subject',
          },
          count: { $sum: 1 },
        },
      },
    ]),
    Rectification.aggregate<{ _id: Omit<OrderGroup, 'count'>; count: number }>([
      { $match: { compoundId: inScope, deadline: { $gte: start, $lt: end } } },
      { $group: { _id: { owner: '$owner', status: '$status', onTime: '$onTime' }, count: { $sum: 1 } } },
    ]),
    Meeting.aggregate<{ _id: Omit<MeetingGroup, 'count'>; count: number }>([
      { $match: { compoundId: inScope, holdBy: { $gte: start, $lt: end } } },
      { $group: { _id: { type: '$type', heldOnTime: '$heldOnTime' }, count: { $sum: 1 } } },
    ]),
  ]);
  return tally({
    voices: voiceRows.map((r) => ({ ...r._id, count: r.count })),
    orders: orderRows.map((r) => ({ ...r._id, count: r.count })),
    meetings: meetingRows.map((r) => ({ ...r._id, count: r.count })),
  });
}

function present(
  period: string,
  { start, end, kind }: { start: Date; end: Date; kind: string },
  { voices, orders, meetings }: RateTallies,
) {
  const byBody = Object.fromEntries(
    BODIES.map((body) => [
      body,
      {
        ...voiceRates(voices.filter((v) => v.assignee === body)),
        ...orderRates(orders.filter((o) => o.owner === body)),
        ...meetingRates(
          meetings.filter((m) => (CONVENERS[m.type as MeetingType] as string[] | undefined)?.includes(body)),
        ),
      },
    ]),
  );
  // Who a voice is about, beside who handled it: a complaint about the self-management committee's
  // service is handled by the owners' committee (byBody) but counts against the committee (bySubject).
  const subjects = [...new Set(voices.flatMap((v) => (v.subject ? [v.subject] : [])))].sort();
  const bySubject = Object.fromEntries(
    subjects.map((s) => [s, voiceRates(voices.filter((v) => v.subject === s))]),
  );
  const categories = [...new Set(voices.map((v) => v.category))].sort();
  const byCategory = Object.fromEntries(
    categories.map((c) => [c, voiceRates(voices.filter((v) => v.category === c))]),
  );
  return {
    period,
    periodKind: kind,
    from: start,
    to: end,
    overall: { ...voiceRates(voices), ...orderRates(orders), ...meetingRates(meetings) },
    byBody,
    bySubject,
    byCategory,
  };
}

export async function compoundScope(compoundId: string) {
  const c = await Compound.findById(compoundId, { timeZone: 1, communityId: 1 }).lean();
  if (!c) throw new DomainError('not_found', `没有这个小区：${compoundId}`);
  return { compoundIds: [c._id], timeZone: timeZoneOf(c), communityId: c.communityId };
}

export interface CommunityScope {
  communityId: string;
  compoundIds: string[];
  timeZone: string;
  zones: Record<string, string>;
}

/**
 * A community's compounds and their zones. Finding them scans the compounds (FerretDB v1 filters only
 * `_id` in the database; even a count scans), so the answer is kept while the compounds' revision token
 * (models/compound.ts: rewritten on every change through the model) is the one it was found at.
 */
export async function communityScope(communityId: string): Promise<CommunityScope> {
  const kept = scopes.get(communityId);
  const rev = await compoundsRevision();
  if (kept && kept.rev === rev) return kept.scope;
  const cs = await Compound.find({ communityId }, { timeZone: 1 }).lean();
  if (!cs.length) throw new DomainError('not_found', `没有这个社区：${communityId}`);
  const scope: CommunityScope = {
    communityId,
    compoundIds: cs.map((c) => c._id),
    timeZone: timeZoneOf(cs[0]),
    zones: Object.fromEntries(cs.map((c) => [c._id, timeZoneOf(c)])),
  };
  if (scopes.size >= 1000) scopes.delete(scopes.keys().next().value!);
  scopes.set(communityId, { scope, rev });
  return scope;
}
const scopes = new Map<string, { scope: CommunityScope; rev: string }>();
