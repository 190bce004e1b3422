/** Meetings as people read them: from the compound's matter page, the record, and the live vote. */
import { DomainError } from '../../domain/errors';
import { monthKey, quarterKey } from '../../domain/calendar';
import {
  MEETING_LABELS,
  MEETING_SLUGS,
  meetingTypeOfSlug,
  meetingWorkflowId,
  type MeetingType,
} from '../../domain/meetings';
import { VOTE_LABELS, type VoteChoice } from '../../domain/votes';
import { timeZoneOf } from '../../models/compound';
import { Meeting } from '../../models/meeting';
import { Rectification } from '../../models/rectification';
import { User } from '../../models/user';
import { Vote, voteId } from '../../models/vote';
import { readMatterRows } from '../../activities/projections';
import { loadCompound } from '../../services/compounds';
import type { TemporalHandle } from '../../services/temporal-client';
import { expandTexts } from '../../services/texts';
import { meetingStatusQuery, type MeetingState } from '../../workflows/meeting-contract';

export function parseMeetingType(slug: string): MeetingType {
  const type = meetingTypeOfSlug(slug);
  if (!type)
    throw new DomainError(
      'not_found',
      `没有这种会议：${slug}（可选：${Object.values(MEETING_SLUGS).join('、')}）`,
    );
  return type;
}

export async function getMeeting(
  compoundId: string,
  type: MeetingType,
  period: string,
  temporal?: TemporalHandle,
) {
  const m = await Meeting.findOne({ _id: meetingWorkflowId(type, compoundId, period), compoundId }).lean();
  if (!m) throw new DomainError('not_found', `没有这次会议：${MEETING_LABELS[type]} ${period}`);
  let state = m.state as MeetingState;
  if (state.quarterly && state.status === 'voting' && temporal) {
    // Ballots are not saved with the meeting one by one: while voting, the workflow itself counts them.
    const live = await (
      await temporal.client()
    ).workflow
      .getHandle(m._id)
      .query(meetingStatusQuery)
      .catch(() => undefined);
    if (live) state = live;
  }
  if (state.quarterly) {
    const { votes: _votes, ...quarterly } = state.quarterly;
    state = { ...state, quarterly };
  }
  return expandTexts({ ...state, label: MEETING_LABELS[type] });
}

export async function listMeetings(
  compoundId: string,
  f: { type?: MeetingType; status?: string; page: number; pageSize: number },
) {
  // From the compound's matter page (settled first); the records are read by id for the page shown.
  const rows = (await readMatterRows(compoundId)).meetings
    .filter((m) => (!f.type || m.type === f.type) && (!f.status || m.status === f.status))
    .sort((a, b) => b.holdBy - a.holdBy || (a.id < b.id ? 1 : -1));
  const page = rows.slice((f.page - 1) * f.pageSize, f.page * f.pageSize);
  const items = (await Promise.all(page.map((r) => Meeting.findById(r.id, { state: 0 }).lean()))).flatMap(
    (m) => (m ? [m] : []),
  );
  return {
    items: items.map(({ _id, __v: _v, ...m }) => ({
      ...m,
      id: _id,
      label: MEETING_LABELS[m.type as MeetingType],
    })),
    total: rows.length,
    page: f.page,
    pageSize: f.pageSize,
  };
}

/** What is due and what is overdue now: the current period of each meeting and the open orders. */
export async function currentCycles(compoundId: string, now = new Date()) {
  const compound = await loadCompound(compoundId);
  const tz = timeZoneOf(compound);
  const month = monthKey(now, tz);
  const current: Record<MeetingType, string> = {
    monthlyConsultation: month,
    periodicCoordination: month,
    quarterlyDeliberation: quarterKey(now, tz),
    annualEvaluation: month.slice(0, 4),
  };
  const matters = await readMatterRows(compoundId);
  const meetings = (
    await Promise.all(
      matters.meetings
        .filter((m) => m.status !== 'closed')
        .sort((a, b) => a.holdBy - b.holdBy)
        .map((r) => Meeting.findById(r.id, { state: 0 }).lean()),
    )
  ).flatMap((m) => (m ? [m] : []));
  const orders = (
    await Promise.all(
      matters.orders
        .filter((o) => o.status !== 'verified')
        .sort((a, b) => a.deadline - b.deadline)
        .map((r) => Rectification.findById(r.id, { state: 0 }).lean()),
    )
  ).flatMap((o) => (o ? [o] : []));
  return {
    compound: { id: compound._id, name: compound.name, timeZone: tz },
    now: now.toISOString(),
    current: (Object.keys(current) as MeetingType[]).map((type) => ({
      type,
      label: MEETING_LABELS[type],
      period: current[type],
      id: meetingWorkflowId(type, compoundId, current[type]),
    })),
    open: meetings.map((m) => ({
      id: m._id,
      type: m.type,
      label: MEETING_LABELS[m.type as MeetingType],
      period: m.period,
      status: m.status,
      plannedAt: m.plannedAt,
      holdBy: m.holdBy,
      overdue: m.overdue || (m.status !== 'held' && m.holdBy.getTime() < now.getTime()),
      escalationLevel: m.escalationLevel,
    })),
    orders: orders.map((o) => ({
      id: o._id,
      kind: o.kind,
      title: o.title,
      owner: o.owner,
      status: o.status,
      deadline: o.deadline,
      overdue: o.overdue || (o.status === 'open' && o.deadline.getTime() < now.getTime()),
    })),
  };
}

/** The open ballots of a meeting (optionally of one motion), with the voters' names. */
export async function meetingVotes(compoundId: string, type: MeetingType, period: string, motionId?: string) {
  const meeting = await getMeeting(compoundId, type, period); // 404 for another compound's meeting
  const meetingId = meetingWorkflowId(type, compoundId, period);
  // Each ballot by its id (meeting, motion, member): the roster and the motions say which can exist.
  const roster = meeting.quarterly?.roster ?? [];
  const motions = meeting.agenda.filter((i) => i.motion && (!motionId || i.id === motionId)).map((i) => i.id);
  const votes = (
    await Promise.all(
      motions.flatMap((mo) => roster.map((p) => Vote.findById(voteId(meetingId, mo, p.userId)).lean())),
    )
  )
    .flatMap((v) => (v ? [v] : []))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // Ballots cast before they were kept by id are found the old way (a scan, for those meetings only).
  if (!votes.length && meeting.quarterly?.votingOpenUntil) {
    votes.push(
      ...(await Vote.find({ meetingId, ...(motionId ? { motionId } : {}) })
        .sort({ at: 1 })
        .lean()),
    );
  }
  const users = await User.find(
    { _id: { $in: [...new Set(votes.map((v) => v.userId))] } },
    { name: 1 },
  ).lean();
  const names = new Map(users.map((u) => [u._id, u.name]));
  return {
    meetingId,
    items: votes.map((v) => ({
      motionId: v.motionId,
      userId: v.userId,
      name: names.get(v.userId),
      choice: v.choice,
      choiceLabel: VOTE_LABELS[v.choice as VoteChoice],
      at: v.at,
    })),
  };
}
