/**
 * Residents' voices (民情): what they are, where they come from, who answers them and by when.
 * Pure rules, shared by the voice workflow and the API.
 */
import { BODY_NAMES, BODY_SHORT_NAMES, isStaff, labelsOf, type Body } from './bodies';
import { DomainError } from './errors';
import { addWorkingDays, type WorkCalendar } from './working-days';
import type { Role } from './roles';

// Masking moved to ./privacy; re-exported so existing importers keep working.
export { maskPersonalData, maskName } from './privacy';

export const VOICE_KINDS = ['complaint', 'appeal', 'suggestion', 'praise'] as const;
export type VoiceKind = (typeof VOICE_KINDS)[number];
export const VOICE_KIND_LABELS: Record<VoiceKind, string> = {
  complaint: '吐槽/投诉',
  appeal: '诉求',
  suggestion: '意见建议',
  praise: '点赞',
};

export const CHANNELS = [
  'online', // this system, by the resident
  'buildingLeader', // 楼栋长
  'publicPhone', // 公开电话
  'wechat',
  'weibo',
  'qqGroup',
  'doorToDoorVisit', // 入户走访
  'questionnaire', // 问卷调查
  'residentForum', // 居民论坛
  'peoplesExpress', // 民情直通车
  'appealHotline', // 诉求快线
  'praiseAndComplainBoard', // 点赞&吐槽
  'hotline12345', // 12345 政务服务便民热线, its work orders passed on to the community
  'outsideSystem', // another system, through the open intake (Open311) with a key staff issued
] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  online: '线上平台',
  buildingLeader: '楼栋长',
  publicPhone: '公开电话',
  wechat: '微信',
  weibo: '微博',
  qqGroup: 'QQ群',
  doorToDoorVisit: '入户走访',
  questionnaire: '问卷调查',
  residentForum: '居民论坛',
  peoplesExpress: '民情直通车',
  appealHotline: '诉求快线',
  praiseAndComplainBoard: '点赞&吐槽',
  hotline12345: '12345热线',
  outsideSystem: '外部系统接入',
};

/** Channels on which a voice may carry a hotline work order (12345 and the compound's own phones). */
export const HOTLINE_CHANNELS = [
  'hotline12345',
  'publicPhone',
  'appealHotline',
] as const satisfies readonly Channel[];
/** Channels an outside system may file on through its key (the open intake). */
export const OUTSIDE_CHANNELS = ['hotline12345', 'outsideSystem'] as const satisfies readonly Channel[];

/**
 * A 12345 work order as the hotline platform numbers and classifies it. Cities number them differently
 * (digits, a city prefix, dashes), so the format is only bounded: letters, digits and dashes, 6–32 long;
 * the classification code (the platform's matter classification, e.g. 0301 or 03.01.02) 1–20 long.
 */
export const WORK_ORDER_NO = /^[A-Za-z0-9][A-Za-z0-9-]{4,30}[A-Za-z0-9]$/;
export const CLASSIFICATION_CODE = /^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/;
export interface HotlineWorkOrder {
  workOrderNo: string;
  classificationCode?: string;
}

/** The same work order however it was typed: trimmed, upper case (a city prefix is written either way). */
export function normaliseWorkOrderNo(no: string): string {
  return no.trim().toUpperCase();
}

export const CATEGORIES = [
  'sanitation',
  'security',
  'fireSafety',
  'fees',
  'publicFunds',
  'propertyCompany',
  'serviceQuality',
  'facilities',
  'parking',
  'neighbourhood',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  sanitation: '环境卫生',
  security: '治安巡逻',
  fireSafety: '消防安全',
  fees: '物业收费',
  publicFunds: '公共资金',
  propertyCompany: '物业公司',
  serviceQuality: '自管会服务',
  facilities: '设施维修',
  parking: '停车管理',
  neighbourhood: '邻里关系',
  other: '其他',
};

/** Bodies a voice can be assigned or escalated to; `staff` is the community's triage desk. */
export const RESPONSIBLE_BODIES = [
  'selfManagementCommittee',
  'ownersCommittee',
  'partyBranch',
  'staff',
] as const satisfies readonly Body[];
export type ResponsibleBody = (typeof RESPONSIBLE_BODIES)[number];
export const BODY_LABELS: Record<ResponsibleBody, string> = labelsOf(RESPONSIBLE_BODIES);

// Checked in order: the first category whose words appear wins. Specific before general.
// serviceQuality is not here: it depends on who is named (see classifyVoice).
const KEYWORDS: [Category, string[]][] = [
  ['fireSafety', ['消防', '灭火器', '火灾', '着火', '消火栓', '烟感', '飞线充电', '电动车充电']],
  ['publicFunds', ['维修基金', '维修资金', '公共收益', '公共资金', '账目', '经费', '资金']],
  ['fees', ['物业费', '收费', '缴费', '费用', '涨价', '停车费']],
  ['security', ['治安', '巡逻', '小偷', '被盗', '门禁', '陌生人', '监控', '安全隐患']],
  ['sanitation', ['垃圾', '卫生', '清扫', '清洁', '保洁', '异味', '污水', '绿化', '杂物']],
  ['parking', ['停车', '车位', '占道', '堵车']],
  ['propertyCompany', ['物业公司', '物管', '物业']],
  ['facilities', ['维修', '路灯', '电梯', '漏水', '水管', '破损', '坏了', '健身器材']],
  ['neighbourhood', ['邻居', '噪音', '扰民', '宠物', '狗']],
];

/** The self-management committee named as a body. */
const SELF_MANAGEMENT_BODY = /自管会|自治管理委员会/u;
/** Its staff by their work (DOMAIN.md: it cleans, patrols and guards); a bare 保洁 or 巡逻 is a topic, not a party. */
const SELF_MANAGEMENT_STAFF = /保洁员|保洁阿姨|保洁大姐|保洁人员|保洁工|巡逻员|巡逻队|巡逻人员|保安|门卫/u;
/** The property company; 物业费 alone names the fee, not the company. */
const PROPERTY_COMPANY = /物业(?!费)|物管/u;
const OWNERS_COMMITTEE = /业委会|业主委员会/u;

/** How a service is judged: its attitude, efficiency, quality, complaint handling. Neutral, so praise matches too. */
const SERVICE_ASPECT = /服务态度|服务质量|服务效率|工作态度|工作效率|投诉处理|处理投诉/u;
/** Complaints about a service: 态度差, 服务太差, 质量太差, 效率低, 拖拉, 推诿, 敷衍, 投诉没人管 … */
const POOR_SERVICE = [
  /(?:态度|服务|质量|效率)[^，。！？；,.!?;\s]{0,3}(?<!不)(?:差|低|不好|恶劣|糟|不行|堪忧)/u,
  /拖拉|拖沓|拖延|不作为|推诿|推脱|敷衍|不理睬|不理不睬|爱答不理|爱理不理|不搭理|不负责|不耐烦/u,
  /投诉[^，。！？；,.!?;]{0,4}(?:没人|无人|不|没有)(?:管|理|处理|回复|答复|受理)/u,
];
/** Criticism of how the owners' committee does its duty (DOMAIN.md: the supervisory board checks it). */
const POOR_DUTY = /不公开|不透明|不公示|乱花|挪用|违规|暗箱|失职|不履职|不管事|不开会|不回应|私自/u;

function isAboutService(text: string): boolean {
  return SERVICE_ASPECT.test(text) || POOR_SERVICE.some((re) => re.test(text));
}

type ServiceParty = 'selfManagementCommittee' | 'propertyCompany';

/**
 * Which party's service the text names. A body named outright beats staff named by their work, so
 * 物业公司的保安 is the property company's guard; staff alone (保洁员, 保安 …) are the self-management
 * committee's, since in this model it does the cleaning and the patrols.
 */
function namedServiceParty(text: string): ServiceParty | undefined {
  if (SELF_MANAGEMENT_BODY.test(text)) return 'selfManagementCommittee';
  if (PROPERTY_COMPANY.test(text)) return 'propertyCompany';
  if (SELF_MANAGEMENT_STAFF.test(text)) return 'selfManagementCommittee';
  return undefined;
}

/**
 * A first classification from the text; staff or the monthly consultation may correct it.
 *
 * When the text speaks of a service (its attitude, efficiency, quality or complaint handling) and names
 * whose it is, that decides, whatever the topic: the self-management committee or its staff →
 * 'serviceQuality' (自管会服务); the property company → 'propertyCompany'. Service words with no party
 * named, and texts without service words (praise of the cleaners' work included), are classified by
 * topic keywords in order, 'other' when none appears.
 */
export function classifyVoice(text: string): Category {
  if (isAboutService(text)) {
    const party = namedServiceParty(text);
    if (party === 'selfManagementCommittee') return 'serviceQuality';
    if (party === 'propertyCompany') return 'propertyCompany';
  }
  for (const [category, words] of KEYWORDS) {
    if (words.some((w) => text.includes(w))) return category;
  }
  return 'other';
}

/** The bodies a voice can be about, for the annual record (its subject, not its handler). */
export const SUBJECTS = [
  'selfManagementCommittee',
  'ownersCommittee',
  'propertyCompany',
  'partyBranch',
  'community',
] as const;
export type VoiceSubject = (typeof SUBJECTS)[number];
export const SUBJECT_LABELS: Record<VoiceSubject, string> = {
  selfManagementCommittee: BODY_NAMES.selfManagementCommittee,
  ownersCommittee: BODY_NAMES.ownersCommittee,
  propertyCompany: '物业公司',
  partyBranch: BODY_NAMES.partyBranch,
  community: BODY_SHORT_NAMES.staff,
};

/**
 * The body a voice is about — what it counts for or against in the annual record — as opposed to its
 * assignee, who handles it (DOMAIN.md "Subject and handler": a complaint about the self-management
 * committee's service is handled by the owners' committee but is about the self-management committee).
 * In order:
 * 1. serviceQuality → the self-management committee;
 * 2. a complaint, appeal or suggestion that names the owners' committee (业委会/业主委员会) and criticises
 *    how a duty or service is done → the owners' committee (naming it as the addressee is not enough);
 * 3. propertyCompany → the property company;
 * 4. sanitation, security, fireSafety → the self-management committee (it does that work);
 * 5. fees, publicFunds → the owners' committee (it keeps the funds);
 * 6. otherwise → the community. The party branch is a subject only when staff correct it so.
 */
export function voiceSubject(text: string, category: Category, kind: VoiceKind): VoiceSubject {
  if (category === 'serviceQuality') return 'selfManagementCommittee';
  const criticises = POOR_DUTY.test(text) || POOR_SERVICE.some((re) => re.test(text));
  if (kind !== 'praise' && OWNERS_COMMITTEE.test(text) && criticises) return 'ownersCommittee';
  switch (category) {
    case 'propertyCompany':
      return 'propertyCompany';
    case 'sanitation':
    case 'security':
    case 'fireSafety':
      return 'selfManagementCommittee';
    case 'fees':
    case 'publicFunds':
      return 'ownersCommittee';
    default:
      return 'community';
  }
}

/**
 * Whether the voice calls the periodic coordination promptly (DOMAIN.md: whenever a complaint concerns
 * the self-management committee's service). Appeals about it count too; praise and suggestions never do.
 */
export function callsPromptCoordination(kind: VoiceKind, category: Category): boolean {
  return category === 'serviceQuality' && (kind === 'complaint' || kind === 'appeal');
}

/** Default assignment by category (DOMAIN.md: the self-management committee executes; the owners' committee holds funds). */
export function defaultAssignee(category: Category, kind?: VoiceKind): ResponsibleBody {
  // Praise of the self-management committee's service is theirs to receive, not a matter to supervise.
  if (kind === 'praise' && category === 'serviceQuality') return 'selfManagementCommittee';
  switch (category) {
    case 'sanitation':
    case 'security':
    case 'fireSafety':
      return 'selfManagementCommittee';
    case 'fees':
    case 'publicFunds':
    case 'propertyCompany':
    case 'serviceQuality': // the owners' committee supervises the self-management committee
      return 'ownersCommittee';
    default:
      return 'staff';
  }
}

/** The escalation ladder: assigned body → owners' committee → party branch, only ever upwards. */
export function escalationLadder(assignee: ResponsibleBody): ResponsibleBody[] {
  const rank: Record<ResponsibleBody, number> = {
    staff: 0,
    selfManagementCommittee: 0,
    ownersCommittee: 1,
    partyBranch: 2,
  };
  const above = (['ownersCommittee', 'partyBranch'] as const).filter((b) => rank[b] > rank[assignee]);
  return [assignee, ...above];
}

/** The body responsible at an escalation level (the top of the ladder once past it). */
export function responsibleAt(assignee: ResponsibleBody, level: number): ResponsibleBody {
  const ladder = escalationLadder(assignee);
  return ladder[Math.min(level, ladder.length - 1)] ?? assignee;
}

/** Whether a user with these roles may act on a voice at its current escalation level. */
export function mayHandleVoice(roles: readonly Role[], assignee: ResponsibleBody, level: number): boolean {
  if (isStaff(roles)) return true;
  const ladder = escalationLadder(assignee).slice(0, level + 1);
  return ladder.some((body) => body !== 'staff' && roles.includes(body));
}

export const VOICE_STATUSES = [
  'received', // stored, its workflow not yet confirmed started
  'assigned', // waiting for the responsible body to accept
  'inProgress',
  'resolved', // waiting for the resident's feedback
  'closed',
  'published', // praise: recorded and shown, no deadlines
] as const;
export type VoiceStatus = (typeof VOICE_STATUSES)[number];
/** What the echo wall shows: voices handled (or praise recorded). */
export const ECHO_WALL_STATUSES = [
  'resolved',
  'closed',
  'published',
] as const satisfies readonly VoiceStatus[];
/** The two deadlines of a voice: to accept it, and to resolve it. */
export const DEADLINE_PHASES = ['acknowledge', 'resolve'] as const;
export type DeadlinePhase = (typeof DEADLINE_PHASES)[number];
export const VOICE_STATUS_LABELS: Record<VoiceStatus, string> = {
  received: '已受理',
  assigned: '待接单',
  inProgress: '处理中',
  resolved: '已办结待评价',
  closed: '已关闭',
  published: '已公示',
};

export interface KindDeadlines {
  acknowledgeHours: number;
  resolveHours: number;
  /**
   * Deadlines in working days instead, as 12345 hotlines count them (the end of the Nth working day
   * after intake, by China's statutory calendar and the compound's own days). Hours apply when absent.
   */
  workingDays?: { acknowledge: number; resolve: number };
}

/** Per-compound settings for voices. Defaults are the design card's; each compound may change them. */
export interface VoiceSettings {
  deadlines: Record<Exclude<VoiceKind, 'praise'>, KindDeadlines>;
  /** How long before a deadline the responsible body is reminded. */
  reminderLeadHours: { acknowledge: number; resolve: number };
  /** The time each escalated body gets before the voice climbs the next rung. */
  escalationStepHours: number;
  /** How long the resident has to say whether they are satisfied. */
  feedbackWindowHours: number;
}

export const DEFAULT_VOICE_SETTINGS: VoiceSettings = {
  deadlines: {
    complaint: { acknowledgeHours: 24, resolveHours: 7 * 24 },
    appeal: { acknowledgeHours: 24, resolveHours: 7 * 24 },
    suggestion: { acknowledgeHours: 72, resolveHours: 14 * 24 },
  },
  reminderLeadHours: { acknowledge: 4, resolve: 24 },
  escalationStepHours: 48,
  feedbackWindowHours: 7 * 24,
};

/**
 * A voice's deadline for a phase, from an instant: hours after it, or — where the kind counts in working
 * days and a calendar is known — the end of the Nth working day after it, with the years the holiday
 * data did not cover (so the message can say the date was judged by weekends alone).
 */
export function voiceDeadline(
  from: Date,
  phase: DeadlinePhase,
  kd: KindDeadlines,
  timeZone: string,
  calendar?: WorkCalendar,
): { at: Date; uncoveredYears: number[] } {
  if (kd.workingDays && calendar) return addWorkingDays(from, kd.workingDays[phase], timeZone, calendar);
  const hours = phase === 'acknowledge' ? kd.acknowledgeHours : kd.resolveHours;
  return { at: new Date(from.getTime() + hours * 3_600_000), uncoveredYears: [] };
}

/** The deadline a body gets when a voice climbs to it at `now`: the ladder's step. */
export function escalatedDeadline(now: Date, s: VoiceSettings): Date {
  return new Date(now.getTime() + s.escalationStepHours * 3_600_000);
}

/** Until when a resident may say whether they are satisfied with a voice resolved at `resolvedAt`. */
export function feedbackClosesAt(resolvedAt: Date, s: VoiceSettings): Date {
  return new Date(resolvedAt.getTime() + s.feedbackWindowHours * 3_600_000);
}

/** When to remind before a deadline: `lead` before it, or halfway there if the window is shorter. */
export function reminderTime(from: Date, deadline: Date, leadHours: number): Date {
  const window = deadline.getTime() - from.getTime();
  const lead = Math.min(leadHours * 3_600_000, window / 2);
  return new Date(deadline.getTime() - lead);
}

export function validateExtension(current: Date, proposed: Date, reason: string, now: Date): void {
  if (!reason.trim()) throw new DomainError('invalid', '延期必须说明理由', { field: 'reason' });
  if (proposed.getTime() <= current.getTime()) {
    throw new DomainError('invalid', '新的期限必须晚于当前期限', { field: 'newDeadline' });
  }
  if (proposed.getTime() <= now.getTime()) {
    throw new DomainError('invalid', '新的期限必须在将来', { field: 'newDeadline' });
  }
}
