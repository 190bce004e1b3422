import { randomUUID } from 'node:crypto';
import { Agenda } from '../models/agenda';
import { Compound, timeZoneOf } from '../models/compound';
import { Evaluation } from '../models/evaluation';
import { councilRoster } from '../services/memberships';
import { appendLedgerEntry, type LedgerEntryInput } from './ledger';
import { markChanged, readMatterRows, readVoiceRows } from './projections';
import { VoiceConsult } from '../models/projection';
import { Meeting } from '../models/meeting';
import { Rectification } from '../models/rectification';
import { Referral } from '../models/referral';
import { Vote, voteId } from '../models/vote';
import { Voice } from '../models/voice';
import { CATEGORY_LABELS, type Category } from '../domain/voices';
import {
  DEFAULT_MEETING_SETTINGS,
  motionExecutor,
  type MajorMatter,
  type MeetingSettings,
  type MeetingType,
  type OrderBody,
} from '../domain/meetings';
import { localParts, yearBounds, zonedTime } from '../domain/calendar';
import { EVALUATED_BODIES, type BodyRecord, type EvaluatedBody } from '../domain/evaluation';
import { LIMITS, type LongText } from '../domain/limits';
import { maskedSummary } from '../domain/privacy';
import { sumVoiceTallies, tally } from '../domain/rates';
import type { VoiceRow } from '../domain/projections';
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
      await markChanged('meeting', s.meetingId, s.compoundId, randomUUID());
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
        // Every voice not yet taken up by a consultation, grouped by category (分类) — from the compound's
        // voice pages (settled first), not a scan of every voice.
        const asOf = Date.parse(input.asOf);
        const rows = (await readVoiceRows(compoundId))
          .filter((r) => r.kind !== 'praise' && r.consultedIn === null && r.createdAt < asOf)
          .sort((a, b) => a.createdAt - b.createdAt);
        const texts = new Map<string, string>();
        const voices = rows.map((r) => ({ _id: r.id, category: r.category, text: '' }));
        const byCategory = new Map<string, typeof voices>();
        for (const v of voices) byCategory.set(v.category, [...(byCategory.get(v.category) ?? []), v]);
        // The first ten of each category are summarised: read those (by id) for their text.
        for (const vs of byCategory.values()) {
          await Promise.all(
            vs.slice(0, 10).map(async (v) => {
              texts.set(v._id, (await Voice.findById(v._id, { text: 1 }).lean())?.text ?? '');
            }),
          );
        }
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
              .map((v) => `· ${maskedSummary(texts.get(v._id) ?? '')}`)
              .join('\n'),
          });
          grouped.push({ id, voiceIds: vs.map((v) => v._id) });
        }
      }
      if (type === 'periodicCoordination') {
        const openRows = (await readMatterRows(compoundId)).orders
          .filter((o) => o.status === 'open' || o.status === 'completed')
          .sort((a, b) => a.deadline - b.deadline)
          .slice(0, LIMITS.agendaItems);
        const open = (
          await Promise.all(openRows.map((o) => Rectification.findById(o.id, { title: 1, kind: 1 }).lean()))
        ).flatMap((o) => (o ? [o] : []));
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
        // Marked beside each voice (insert-only, the first consultation wins), not on the voice's own
        // record, which keeps one writer: its workflow.
        const compoundId = input.meetingId.split('/')[1] ?? '';
        const at = new Date();
        for (const id of new Set(voiceIds)) {
          await VoiceConsult.create({ _id: id, compoundId, meetingId: input.meetingId, at }).catch(
            (err: unknown) => {
              if (!isDuplicate(err)) throw err;
            },
          );
          await markChanged('voice', id, compoundId, `consulted:${input.meetingId}`);
        }
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

    /** The council's roster by category, from the memberships current now (the window opening). */
    async loadCouncilRoster(
      compoundId: string,
    ): Promise<{ userId: string; name: string; category?: string }[]> {
      return (await councilRoster(compoundId))
        .slice(0, LIMITS.rosterMembers)
        .map(({ userId, name, category }) => ({ userId, name, category }));
    },

    async recordVote(v: {
      meetingId: string;
      motionId: string;
      userId: string;
      choice: VoteChoice;
      at: string;
    }): Promise<void> {
      // One ballot per member and motion, by its id: a retried activity records nothing twice.
      try {
        await Vote.create({ _id: voteId(v.meetingId, v.motionId, v.userId), ...v, at: new Date(v.at) });
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
      await markChanged('order', s.orderId, s.compoundId, randomUUID());
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
      const bodies: readonly EvaluatedBody[] = EVALUATED_BODIES;
      const inYear = (t: number) => t >= start.getTime() && t < end.getTime();
      // From the compound's pages (settled first): the year's twelve voice pages and its matters.
      const months = Array.from({ length: 12 }, (_, i) => `${input.year}-${String(i + 1).padStart(2, '0')}`);
      const voices = (await readVoiceRows(compoundId, months)).filter(
        (v) => v.kind !== 'praise' && inYear(v.createdAt),
      );
      const { meetings, orders } = await readMatterRows(compoundId);
      // Counted as the rates count them: one definition of responded, resolved and satisfied.
      const voiceFigures = (vs: VoiceRow[]) => {
        const groups = vs.map((v) => ({ ...v, count: 1 }));
        const t = sumVoiceTallies(tally({ voices: groups, orders: [], meetings: [] }).voices);
        return {
          total: t.voices,
          respondedOnTime: t.responded,
          resolved: t.resolved,
          withFeedback: t.verdicts,
          satisfied: t.satisfied,
        };
      };
      return bodies.map((body) => {
        const own = orders.filter((o) => o.owner === body && inYear(o.deadline));
        const count = (kind: string) => {
          const os = own.filter((o) => o.kind === kind);
          const done = os.filter((o) => o.status !== 'open');
          return {
            total: os.length,
            onTime: done.filter((o) => o.onTime === true).length,
            late: done.filter((o) => o.onTime === false).length,
            open: os.filter((o) => o.status === 'open').length,
          };
        };
        const handled = voices.filter((v) => v.assignee === body);
        const about = voices.filter(
          (v) => (v.kind === 'complaint' || v.kind === 'appeal') && v.subject === body,
        );
        const held = meetings.filter(
          (m) =>
            inYear(m.holdBy) &&
            (body === 'ownersCommittee' ? m.type !== 'annualEvaluation' : m.type === 'periodicCoordination'),
        );
        return {
          body,
          rectifications: count('rectification'),
          resolutions: count('resolution'),
          escalations: handled.reduce((n, v) => n + v.level, 0),
          voices: voiceFigures(handled),
          complaintsAbout: voiceFigures(about),
          meetings: { total: held.length, heldOnTime: held.filter((m) => m.heldOnTime === true).length },
        };
      });
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
