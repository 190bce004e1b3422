/** 小区: the model's names and labels, a compound, and its settings. */
import { z } from 'zod';
import {
  BODY_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  CHANNELS,
  CHANNEL_LABELS,
  VOICE_KINDS,
  VOICE_KIND_LABELS,
  VOICE_STATUS_LABELS,
} from '../../domain/voices';
import { BODIES } from '../../domain/bodies';
import { DomainError } from '../../domain/errors';
import { ROLE_LABELS, rolesGrant } from '../../domain/roles';
import {
  MAX_ROBOTS,
  ROBOT_VENDORS,
  SECRET_SET,
  maskRobot,
  maskRobotUrl,
  robotUrlProblem,
  type RobotSetting,
} from '../../domain/robots';
import { VOTE_BASES, isFraction } from '../../domain/votes';
import { Compound, Community } from '../../models/compound';
import {
  forgetCompound,
  loadCompound,
  meetingSettingsOf,
  robotsOf,
  staffSeeAnonymousAuthors,
  voiceSettingsOf,
} from '../../services/compounds';
import { recordChange } from '../../services/audit';
import { route, type RouteDef } from '../route-table';
import { compoundParams, labelled } from '../schemas';

const privacyOf = (c: { settings?: unknown }) => ({ staffSeeAnonymousAuthors: staffSeeAnonymousAuthors(c) });

const hours = z
  .number()
  .positive('必须大于 0')
  .max(24 * 365);
const workingDays = z.number().int('工作日须为整数').min(1, '至少 1 个工作日').max(60);
const kindDeadlines = z
  .strictObject({
    acknowledgeHours: hours,
    resolveHours: hours,
    // Counted as 12345 hotlines count them: the end of the Nth working day after intake.
    workingDays: z.strictObject({ acknowledge: workingDays, resolve: workingDays }).optional(),
  })
  .refine((d) => d.acknowledgeHours <= d.resolveHours, '接单期限不能晚于办结期限')
  .refine(
    (d) => !d.workingDays || d.workingDays.acknowledge <= d.workingDays.resolve,
    '接单工作日不能多于办结工作日',
  );
const days = z.number().positive('必须大于 0').max(365);
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '应为 yyyy-mm-dd');
const meetingSettingsBody = z
  .strictObject({
    reminderDaysBefore: z.array(days).max(5).optional(),
    escalationStepDays: days.optional(),
    coordinationDayOfMonth: z.number().int().min(1).max(28).optional(),
    promptCoordinationDays: days.optional(),
    quorumFraction: z
      .union([z.number(), z.string().max(40)])
      .refine(isFraction, '法定人数比例应在 (0, 1] 之间，如 "2/3" 或 0.75')
      .optional(),
    voteBase: z.enum(VOTE_BASES).optional(),
    votingWindowHours: z
      .number()
      .positive()
      .max(24 * 30)
      .optional(),
    majorFundAmount: z.number().nonnegative().optional(),
    rectification: z
      .strictObject({
        defaultDays: days,
        reminderDaysBefore: z.array(days).max(5),
        secondEscalationDays: days,
      })
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
  })
  .refine((m) => !(m.holidays ?? []).some((d) => (m.workdays ?? []).includes(d)), {
    message: '同一天不能既是假日又是工作日',
    path: ['workdays'],
  });
/** A URL as reads show it (key or token masked): sent back unchanged, it keeps the stored one. */
const isMasked = (url: string) => url.includes('****');
const robotBody = z
  .strictObject({
    body: z.enum(BODIES),
    vendor: z.enum(ROBOT_VENDORS),
    url: z.string().max(500),
    /** DingTalk 加签 / Feishu 签名校验; "已设置" keeps the stored one. */
    secret: z.string().min(1, '密钥不能为空').max(200).optional(),
  })
  .superRefine((r, ctx) => {
    const problem = isMasked(r.url) ? undefined : robotUrlProblem(r.vendor, r.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    if (r.secret !== undefined && r.vendor === 'wecom')
      ctx.addIssue({ code: 'custom', path: ['secret'], message: '企业微信群机器人没有签名密钥，请不要填写' });
  });
const robotsBody = z
  .array(robotBody)
  .max(MAX_ROBOTS, `最多 ${MAX_ROBOTS} 个机器人`)
  .superRefine((robots, ctx) => {
    robots.forEach((r, i) => {
      if (robots.findIndex((x) => x.body === r.body && x.vendor === r.vendor) < i)
        ctx.addIssue({ code: 'custom', path: [i, 'vendor'], message: '同一机构在同一平台只能设一个机器人' });
    });
  });
const maskedRobot = z.strictObject({
  body: z.enum(BODIES),
  vendor: z.enum(ROBOT_VENDORS),
  url: z.string(),
  secret: z.literal(SECRET_SET).optional(),
});

/** The robots as sent, with masked URLs and "已设置" secrets resolved to the stored ones. */
function resolveRobots(sent: z.output<typeof robotsBody>, stored: RobotSetting[]): RobotSetting[] {
  const refuse = (field: string, message: string) =>
    new DomainError('unprocessable', `请求参数有误：${field} ${message}`, {
      field,
      fields: [{ field, message }],
    });
  return sent.map((r, i) => {
    const old = stored.find((x) => x.body === r.body && x.vendor === r.vendor);
    let url = r.url;
    if (isMasked(url)) {
      if (!old || maskRobotUrl(old.vendor, old.url) !== url)
        throw refuse(`body.robots.${i}.url`, '这个机器人此前没有这个地址，请填写完整地址');
      url = old.url;
    }
    let secret = r.secret;
    if (secret === SECRET_SET) {
      if (!old?.secret) throw refuse(`body.robots.${i}.secret`, '此前没有设置密钥，请填写密钥');
      secret = old.secret;
    }
    return { body: r.body, vendor: r.vendor, url, ...(secret ? { secret } : {}) };
  });
}

const settingsBody = z.strictObject({
  /** The offices' group robots; replaces the list. URLs and secrets are secrets: reads mask them. */
  robots: robotsBody.optional(),
  meetings: meetingSettingsBody.optional(),
  echoWallPublic: z.boolean().optional(),
  privacy: z
    .strictObject({
      /** Whether community staff (the triage desk) may see who raised an anonymous voice. */
      staffSeeAnonymousAuthors: z.boolean(),
    })
    .optional(),
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

const settings = z.looseObject({
  voices: z.looseObject({}),
  meetings: z.looseObject({}),
  privacy: z.looseObject({}),
  /** Shown to those who may configure the compound, masked. */
  robots: z.array(maskedRobot).optional(),
});

export function compoundRoutes(): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/meta',
      tag: '小区',
      summary: '模型的名称与标签：反映种类、渠道、类别、状态、各方、角色',
      access: 'public',
      response: z.strictObject({
        kinds: z.array(labelled),
        channels: z.array(labelled),
        categories: z.array(labelled),
        statuses: z.array(labelled),
        bodies: z.array(labelled),
        roles: z.array(labelled),
      }),
      handler: async () => ({
        kinds: VOICE_KINDS.map((k) => ({ code: k, label: VOICE_KIND_LABELS[k] })),
        channels: CHANNELS.map((c) => ({ code: c, label: CHANNEL_LABELS[c] })),
        categories: CATEGORIES.map((c) => ({ code: c, label: CATEGORY_LABELS[c] })),
        statuses: Object.entries(VOICE_STATUS_LABELS).map(([code, label]) => ({ code, label })),
        bodies: Object.entries(BODY_LABELS).map(([code, label]) => ({ code, label })),
        roles: Object.entries(ROLE_LABELS).map(([code, label]) => ({ code, label })),
      }),
    }),
    route({
      method: 'get',
      path: '/compounds/:compoundId',
      tag: '小区',
      summary: '一个小区：所属社区、时区、楼栋和设置',
      access: 'compound:read',
      params: compoundParams,
      response: z.looseObject({
        id: z.string(),
        name: z.string(),
        community: z.looseObject({ id: z.string(), name: z.string() }).optional(),
        timeZone: z.string().nullish(),
        echoWallPublic: z.boolean().nullish(),
        buildings: z.array(z.strictObject({ id: z.string(), name: z.string() })),
        settings,
      }),
      handler: async ({ params, roles }) => {
        const c = await loadCompound(params.compoundId);
        const robots = rolesGrant(roles, 'compound:configure') ? { robots: robotsOf(c).map(maskRobot) } : {};
        const community = await Community.findById(c.communityId).lean();
        return {
          id: c._id,
          name: c.name,
          community: community ? { id: community._id, name: community.name } : undefined,
          timeZone: c.timeZone,
          echoWallPublic: c.echoWallPublic,
          buildings: c.buildings.map((b) => ({ id: b._id, name: b.name })),
          settings: {
            voices: voiceSettingsOf(c),
            meetings: meetingSettingsOf(c),
            privacy: privacyOf(c),
            ...robots,
          },
        };
      },
    }),
    route({
      method: 'patch',
      path: '/compounds/:compoundId/settings',
      tag: '小区',
      summary: '修改小区设置：反映期限、会议规则、隐私、回音壁是否公开、各机构的群机器人',
      access: 'compound:configure',
      params: compoundParams,
      body: settingsBody,
      response: z.looseObject({ echoWallPublic: z.boolean().nullish(), settings }),
      handler: async ({ params, body }) => {
        const c = await loadCompound(params.compoundId);
        const current = voiceSettingsOf(c);
        const voices = {
          ...current,
          ...body.voices,
          deadlines: { ...current.deadlines, ...body.voices?.deadlines },
          reminderLeadHours: { ...current.reminderLeadHours, ...body.voices?.reminderLeadHours },
        };
        const meetings = { ...meetingSettingsOf(c), ...body.meetings };
        const set: Record<string, unknown> = { 'settings.voices': voices, 'settings.meetings': meetings };
        if (body.privacy) set['settings.privacy'] = body.privacy;
        if (body.echoWallPublic !== undefined) set.echoWallPublic = body.echoWallPublic;
        const robots = body.robots ? resolveRobots(body.robots, robotsOf(c)) : robotsOf(c);
        if (body.robots) set['settings.robots'] = robots;
        await Compound.updateOne({ _id: c._id }, { $set: set });
        forgetCompound(c._id);
        recordChange({
          collection: 'compounds',
          id: c._id,
          before: {
            voices: current,
            meetings: meetingSettingsOf(c),
            privacy: privacyOf(c),
            echoWallPublic: c.echoWallPublic,
            robots: robotsOf(c).map(maskRobot),
          },
          after: {
            voices,
            meetings,
            privacy: body.privacy ?? privacyOf(c),
            echoWallPublic: body.echoWallPublic ?? c.echoWallPublic,
            robots: robots.map(maskRobot),
          },
        });
        return {
          echoWallPublic: body.echoWallPublic ?? c.echoWallPublic,
          settings: {
            voices,
            meetings,
            privacy: body.privacy ?? privacyOf(c),
            robots: robots.map(maskRobot),
          },
        };
      },
    }),
  ];
}
