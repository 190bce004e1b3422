import { Router } from 'express';
import { z } from 'zod';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  CHANNELS,
  CHANNEL_LABELS,
  VOICE_KINDS,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
  BODY_LABELS,
} from '../../domain/voices';
import { ROLE_LABELS } from '../../domain/roles';
import { Compound, Community } from '../../models/compound';
import { authorize } from '../auth';
import { input, param, validate } from '../validate';
import { loadCompound, voiceSettingsOf } from '../voices';
import { meetingSettingsOf } from '../meetings';

const hours = z
  .number()
  .positive('必须大于 0')
  .max(24 * 365);
const kindDeadlines = z
  .strictObject({ acknowledgeHours: hours, resolveHours: hours })
  .refine((d) => d.acknowledgeHours <= d.resolveHours, '接单期限不能晚于办结期限');
const days = z.number().positive('必须大于 0').max(365);
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '应为 yyyy-mm-dd');
const meetingSettingsBody = z.strictObject({
  reminderDaysBefore: z.array(days).max(5).optional(),
  escalationStepDays: days.optional(),
  coordinationDayOfMonth: z.number().int().min(1).max(28).optional(),
  promptCoordinationDays: days.optional(),
  quorumFraction: z.number().gt(0).max(1).optional(),
  voteBase: z.enum(['votesCast', 'present', 'members']).optional(),
  votingWindowHours: z
    .number()
    .positive()
    .max(24 * 30)
    .optional(),
  majorFundAmount: z.number().nonnegative().optional(),
  rectification: z
    .strictObject({ defaultDays: days, reminderDaysBefore: z.array(days).max(5), secondEscalationDays: days })
    .optional(),
  evaluation: z
    .strictObject({
      signOffDays: days,
      thresholds: z
        .strictObject({ trustworthy: z.number().min(0).max(1), untrustworthy: z.number().min(0).max(1) })
        .refine((t) => t.untrustworthy <= t.trustworthy, '“不值得信任”阈值不能高于“值得信任”阈值'),
    })
    .optional(),
  holidays: z.array(localDate).max(200).optional(),
  workdays: z.array(localDate).max(200).optional(),
});
const settingsBody = z.strictObject({
  meetings: meetingSettingsBody.optional(),
  echoWallPublic: z.boolean().optional(),
  voices: z
    .strictObject({
      deadlines: z
        .strictObject({
          complaint: kindDeadlines.optional(),
          appeal: kindDeadlines.optional(),
          suggestion: kindDeadlines.optional(),
        })
        .optional(),
      reminderLeadHours: z.strictObject({ acknowledge: hours, resolve: hours }).optional(),
      escalationStepHours: hours.optional(),
      feedbackWindowHours: hours.optional(),
    })
    .optional(),
});

export function compoundRoutes(): Router {
  const r = Router();

  /** Names and labels of the model, so clients show what people call things. */
  r.get('/meta', (_req, res) => {
    res.json({
      kinds: VOICE_KINDS.map((k) => ({ code: k, label: VOICE_KIND_LABELS[k] })),
      channels: CHANNELS.map((c) => ({ code: c, label: CHANNEL_LABELS[c] })),
      categories: CATEGORIES.map((c) => ({ code: c, label: CATEGORY_LABELS[c] })),
      statuses: Object.entries(VOICE_STATUS_LABELS).map(([code, label]) => ({ code, label })),
      bodies: Object.entries(BODY_LABELS).map(([code, label]) => ({ code, label })),
      roles: Object.entries(ROLE_LABELS).map(([code, label]) => ({ code, label })),
    });
  });

  r.get('/compounds/:compoundId', authorize('compound:read'), async (req, res) => {
    const c = await loadCompound(param(req, 'compoundId'));
    const community = await Community.findById(c.communityId).lean();
    res.json({
      id: c._id,
      name: c.name,
      community: community ? { id: community._id, name: community.name } : undefined,
      timeZone: c.timeZone,
      echoWallPublic: c.echoWallPublic,
      buildings: c.buildings.map((b) => ({ id: b._id, name: b.name })),
      settings: { voices: voiceSettingsOf(c), meetings: meetingSettingsOf(c) },
    });
  });

  r.patch(
    '/compounds/:compoundId/settings',
    authorize('compound:configure'),
    validate({ body: settingsBody }),
    async (req, res) => {
      const body = input<z.infer<typeof settingsBody>>(req, 'body');
      const c = await loadCompound(param(req, 'compoundId'));
      const current = voiceSettingsOf(c);
      const voices = {
        ...current,
        ...body.voices,
        deadlines: { ...current.deadlines, ...body.voices?.deadlines },
        reminderLeadHours: { ...current.reminderLeadHours, ...body.voices?.reminderLeadHours },
      };
      const meetings = { ...meetingSettingsOf(c), ...body.meetings };
      const set: Record<string, unknown> = { 'settings.voices': voices, 'settings.meetings': meetings };
      if (body.echoWallPublic !== undefined) set.echoWallPublic = body.echoWallPublic;
      await Compound.updateOne({ _id: c._id }, { $set: set });
      res.json({ echoWallPublic: body.echoWallPublic ?? c.echoWallPublic, settings: { voices, meetings } });
    },
  );

  return r;
}
