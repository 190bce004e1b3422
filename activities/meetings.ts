import { Agenda } from '../models/agenda';
import { Compound, timeZoneOf } from '../models/compound';
import { Evaluation } from '../models/evaluation';
import { appendLedgerEntry, type LedgerEntryInput } from './ledger';
import { syncRateMember } from './rate-counters';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { Referral } from '../models/referral';
import { User } from '../models/user';
import { Vote } from '../models/vote';
import { Voice } from '../models/voice';
import { CATEGORY_LABELS, type Category } from '../domain/voices';
import {
  COUNCIL_ROLES,
  DEFAULT_MEETING_SETTINGS,
  motionExecutor,
  type MajorMatter,
  type MeetingSettings,
  type MeetingType,
  type OrderBody,
} from '../domain/meetings';
import { localParts, yearBounds, zonedTime } from '../domain/calendar';
import type { BodyRecord, EvaluatedBody } from '../domain/evaluation';
import { LIMITS, type LongText } from '../domain/limits';
import { maskedSummary } from '../domain/privacy';
import { sumVoiceTallies, tally, type VoiceGroup } from '../domain/rates';
import type { VoteChoice } from '../domain/votes';
import type { AgendaItem, MeetingState, RectificationState } from '../workflows/meeting-contract';
import { workCalendarFor } from './work-calendar';

export type { LedgerEntryInput } from './ledger';

const isDuplicate = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * A compound's meeting settings with China's statutory calendar for the years around `asOf` merged in
 * (activities give it to workflows; the API to the extraordinary meetings it starts).
 */
export function meetingSettingsWithCalendar(
  compound: { timeZone?: string | null; settings?: unknown } | null,
  asOf: Date,
): MeetingSettings {
  const own = (compound?.settings as { meetings?: Partial<MeetingSettings> } | undefined)?.meetings;
  const meetings: MeetingSettings = { ...DEFAULT_MEETING_SETTINGS, ...own };
  const year = localParts(asOf, timeZoneOf(compound)).year;
  meetings.calendar = workCalendarFor({ settings: { meetings } }, { from: year - 1, to: year + 1 });
  return meetings;
}

export function createMeetingActivities() {
  return {
    /**
     * A compound's zone and meeting settings, with China's statutory calendar for the years around
     * `asOf` merged into them: read here, outside workflow code, so a data update is replay-safe.
     */
    async loadCompoundSettings(
      compoundId: string,
      asOf?: string,
    ): Promise<{ timeZone: string; meetings: MeetingSettings }> {
      const c = await Compound.findById(compoundId, { timeZone: 1, settings: 1 }).lean();
      return {
        timeZone: timeZoneOf(c),
        meetings: meetingSettingsWithCalendar(c, asOf ? new Date(asOf) : new Date()),
      };
    },

    /** Files one entry in the compound's hash-chained ledger; a retried filing does nothing. */
    async fileLedgerEntry(e: LedgerEntryInput): Promise<void> {
      await appendLedgerEntry(e);
    },

    async saveMeeting(s: MeetingState): Promise<void> {
      await Meeting.updateOne(
        { _id: s.meetingId },
        {
          $set: {
            compoundId: s.compoundId,
            type: s.type,
            period: s.period,
            status: s.status,
            plannedAt: new Date(s.plannedAt),
            holdBy: new Date(s.holdBy),
            overdue: s.overdue,
            escalationLevel: s.escalationLevel,
            heldAt: s.held ? new Date(s.held.heldAt) : undefined,
            heldOnTime: s.held?.onTime,
            state: s,
          },
        },
        { upsert: true },
      );
      await syncRateMember('meeting', s.meetingId);
    },

    /**
     * What a meeting discusses, gathered when its window opens. Everyone in the compound may read an
     * agenda, so voices appear by category with masked summaries, never their text; which voices an
     * item groups is kept in `agendas`, not in the workflow.
     */
    async assembleAgenda(input: {
      compoundId: string;
      type: MeetingType;
      meetingId: string;
      asOf: string;
    }): Promise<AgendaItem[]> {
      const { compoundId, type, meetingId } = input;
      const items: AgendaItem[] = [];
      const grouped: { id: string; voiceIds: string[] }[] = [];
      if (type === 'monthlyConsultation') {
        // Every voice not yet taken up by a consultation, grouped by category (分类).
        const voices = await Voice.find(
          {
            compoundId,
            kind: { $ne: 'praise' },
            consultedIn: { $exists: false },
            createdAt: { $lt: new Date(input.asOf) },
          },
          { category: 1, text: 1 },
        )
          .sort({ createdAt: 1 })
          .lean();
        const byCategory = new Map<string, typeof voices>();
        for (const v of voices) byCategory.set(v.category, [...(byCategory.get(v.category) ?? []), v]);
        for (const [category, vs] of [...byCategory.entries()].sort()) {
          const id = `voices-${category}`;
          items.push({
            id,
            title: `${CATEGORY_LABELS[category as Category]}类民情 ${vs.length} 件`,
            source: 'voices',
            category: category as Category,
            voiceCount: vs.length,
            detail: vs
              .slice(0, 10)
              .map((v) => `· ${maskedSummary(v.text)}`)
              .join('\n'),
          });
          grouped.push({ id, voiceIds: vs.map((v) => v._id) });
        }
      }
      if (type === 'periodicCoordination') {
        const open = await Rectification.find(
          { compoundId, status: { $in: ['open', 'completed'] } },
          { title: 1, kind: 1, deadline: 1, status: 1 },
        )
          .sort({ deadline: 1 })
          .limit(LIMITS.agendaItems)
          .lean();
        for (const o of open) {
          items.push({
            id: `order-${o._id}`,
            title: `${o.kind === 'resolution' ? '议事会决议执行' : '整改'}：${o.title}`,
            source: o.kind === 'resolution' ? 'resolution' : 'rectification',
            orderId: o._id,
          });
        }
      }
      const target = type === 'annualEvaluation' ? undefined : type;
      const room = LIMITS.agendaItems - items.length;
      if (target && room > 0) {
        // Beyond the agenda's size, referrals wait for the next meeting (they stay unconsumed).
        const refs = await Referral.find({ compoundId, target, consumedBy: { $exists: false } })
          .sort({ createdAt: 1 })
          .limit(room)
          .lean();
        for (const r of refs) {
          const matter = (r.matter as MajorMatter | undefined) ?? 'other';
          const executor = motionExecutor(matter, (r.delegateTo as OrderBody | undefined) ?? undefined);
          items.push({
            id: `referral-${r._id}`,
            title: r.title,
            detail: (r.detail as LongText | undefined) ?? undefined,
            source: type === 'quarterlyDeliberation' ? 'motion' : 'referral',
            referralIds: [r._id],
            motion:
              type === 'quarterlyDeliberation'
                ? {
                    matter,
                    amount: r.amount ?? undefined,
                    proposedBy: 'referral',
                    delegateTo: 'executor' in executor ? executor.executor : 'ownersCommittee',
                  }
                : undefined,
          });
        }
      }
      await Agenda.updateOne({ _id: meetingId }, { $set: { compoundId, items: grouped } }, { upsert: true });
      return items;
    },

    /** Marks what a held meeting took up, so the next one does not discuss it again. */
    async consumeAgenda(input: {
      meetingId: string;
      voiceIds: string[];
      referralIds: string[];
      /** The voices its agenda grouped (kept in `agendas`), for the consultation. */
      agendaVoices?: boolean;
    }): Promise<void> {
      const voiceIds = [...input.voiceIds];
      if (input.agendaVoices) {
        const agenda = await Agenda.findById(input.meetingId).lean();
        for (const item of agenda?.items ?? []) voiceIds.push(...item.voiceIds);
      }
      if (voiceIds.length) {
        await Voice.updateMany(
          { _id: { $in: voiceIds }, consultedIn: { $exists: false } },
          { $set: { consultedIn: input.meetingId } },
        );
      }
      if (input.referralIds.length) {
        await Referral.updateMany(
          { _id: { $in: input.referralIds }, consumedBy: { $exists: false } },
          { $set: { consumedBy: input.meetingId } },
        );
      }
    },

    async createReferral(r: {
      referralId: string;
      compoundId: string;
      target: 'monthlyConsultation' | 'periodicCoordination' | 'quarterlyDeliberation';
      title: string;
      detail?: LongText;
      source: { meetingId?: string; orderId?: string; voiceIds?: string[]; motionId?: string };
      matter?: string;
      amount?: number;
      delegateTo?: OrderBody;
    }): Promise<void> {
      await Referral.updateOne(
        { _id: r.referralId },
        {
          $setOnInsert: {
            compoundId: r.compoundId,
            target: r.target,
            title: r.title,
            detail: r.detail,
            source: r.source,
            matter: r.matter,
            amount: r.amount,
            delegateTo: r.delegateTo,
          },
        },
        { upsert: true },
      );
    },

    async loadCouncilRoster(compoundId: string): Promise<{ userId: string; name: string }[]> {
      const users = await User.find({ 'memberships.compoundId': compoundId }, { name: 1, memberships: 1 })
        .sort({ _id: 1 })
        .lean();
      return users
        .filter((u) =>
          u.memberships.some(
            (m) => m.compoundId === compoundId && m.roles.some((r) => COUNCIL_ROLES.includes(r as never)),
          ),
        )
        .slice(0, LIMITS.rosterMembers)
        .map((u) => ({ userId: u._id, name: u.name }));
    },

    async recordVote(v: {
      meetingId: string;
      motionId: string;
      userId: string;
      choice: VoteChoice;
      at: string;
    }): Promise<void> {
      try {
        await Vote.create({ ...v, at: new Date(v.at) });
      } catch (err) {
        if (!isDuplicate(err)) throw err;
      }
    },

    async saveRectification(
      s: RectificationState & { source: { meetingId?: string; itemId?: string; motionId?: string } },
    ): Promise<void> {
      await Rectification.updateOne(
        { _id: s.orderId },
        {
          $set: {
            compoundId: s.compoundId,
            kind: s.kind,
            title: s.title,
            owner: s.owner,
            issuer: s.issuer,
            status: s.status,
            deadline: new Date(s.deadline),
            overdue: s.overdue,
            escalationLevel: s.escalationLevel,
            completedAt: s.completion ? new Date(s.completion.at) : undefined,
            onTime: s.completion?.onTime,
            source: s.source,
            state: s,
          },
        },
        { upsert: true },
      );
      await syncRateMember('order', s.orderId);
    },

    /**
     * The year's record of the owners' committee and the self-management committee. Voices count for
     * the body that handled them by the rates' own definitions (domain/rates.ts: one response rate for
     * both), and complaints and appeals count against the body they are about (their subject).
     */
    async compileAnnualRecord(input: {
      compoundId: string;
      year: number;
      timeZone: string;
    }): Promise<BodyRecord[]> {
      const { start, end } = yearBounds(zonedTime(input.timeZone, input.year, 6, 1), input.timeZone);
      const { compoundId } = input;
      const bodies: EvaluatedBody[] = ['ownersCommittee', 'selfManagementCommittee'];
      const out: BodyRecord[] = [];
      const inYear = { compoundId, kind: { $ne: 'praise' }, createdAt: { $gte: start, $lt: end } };
      const fields = {
        assignee: 1,
        category: 1,
        status: 1,
        satisfaction: 1,
        respondedOnTime: 1,
        escalationLevel: 1,
      };
      type VoiceFields = Pick<VoiceGroup, 'assignee' | 'category' | 'satisfaction' | 'respondedOnTime'> & {
        status?: string | null;
      };
      // Counted as the rates count them: one definition of responded, resolved and satisfied.
      const voiceFigures = (vs: VoiceFields[]) => {
        const groups = vs.map((v) => ({ ...v, status: v.status ?? 'received', count: 1 }));
        const t = sumVoiceTallies(tally({ voices: groups, orders: [], meetings: [] }).voices);
        return {
          total: t.voices,
          respondedOnTime: t.responded,
          resolved: t.resolved,
          withFeedback: t.verdicts,
          satisfied: t.satisfied,
        };
      };
      for (const body of bodies) {
        const orders = await Rectification.find(
          { compoundId, owner: body, deadline: { $gte: start, $lt: end } },
          { kind: 1, status: 1, onTime: 1 },
        ).lean();
        const count = (kind: string) => {
          const os = orders.filter((o) => o.kind === kind);
          const done = os.filter((o) => o.status !== 'open');
          return {
            total: os.length,
            onTime: done.filter((o) => o.onTime === true).length,
            late: done.filter((o) => o.onTime === false).length,
            open: os.filter((o) => o.status === 'open').length,
          };
        };
        const handled = await Voice.find({ ...inYear, assignee: body }, fields).lean();
        const about = await Voice.find(
          { ...inYear, kind: { $in: ['complaint', 'appeal'] }, subject: body },
          fields,
        ).lean();
        const meetings = await Meeting.find(
          {
            compoundId,
            holdBy: { $gte: start, $lt: end },
            type: body === 'ownersCommittee' ? { $ne: 'annualEvaluation' } : 'periodicCoordination',
          },
          { heldOnTime: 1, status: 1 },
        ).lean();
        out.push({
          body,
          rectifications: count('rectification'),
          resolutions: count('resolution'),
          escalations: handled.reduce((n, v) => n + (v.escalationLevel ?? 0), 0),
          voices: voiceFigures(handled),
          complaintsAbout: voiceFigures(about),
          meetings: {
            total: meetings.length,
            heldOnTime: meetings.filter((m) => m.heldOnTime === true).length,
          },
        });
      }
      return out;
    },

    async publishEvaluation(e: {
      meetingId: string;
      compoundId: string;
      year: number;
      ratings: Record<string, string>;
      proposals: unknown;
      signatures: unknown;
      disagreement?: unknown;
      final?: unknown;
      at: string;
    }): Promise<void> {
      await Evaluation.updateOne(
        { _id: e.meetingId },
        {
          $setOnInsert: {
            compoundId: e.compoundId,
            year: e.year,
            ratings: e.ratings,
            proposals: e.proposals,
            signatures: e.signatures,
            disagreement: e.disagreement,
            final: e.final,
            publishedAt: new Date(e.at),
          },
        },
        { upsert: true },
      );
    },
  };
}
