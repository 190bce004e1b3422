/**
 * Residents' voices (民情): what they are, where they come from, who answers them and by when.
 * Pure rules, shared by the voice workflow and the API.
 */
import { DomainError } from './errors';
import type { Role } from './roles';

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
};

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
export type ResponsibleBody = 'selfManagementCommittee' | 'ownersCommittee' | 'partyBranch' | 'staff';
export const BODY_LABELS: Record<ResponsibleBody, string> = {
  selfManagementCommittee: '自管会',
  ownersCommittee: '业主委员会',
  partyBranch: '社区党支部',
  staff: '社区工作人员',
};

// Checked in order: the first category whose words appear wins. Specific before general.
const KEYWORDS: [Category, string[]][] = [
  ['fireSafety', ['消防', '灭火器', '火灾', '着火', '消火栓', '烟感', '飞线充电', '电动车充电']],
  ['publicFunds', ['维修基金', '维修资金', '公共收益', '公共资金', '账目', '经费', '资金']],
  ['fees', ['物业费', '收费', '缴费', '费用', '涨价', '停车费']],
  ['serviceQuality', ['服务态度', '态度差', '效率低', '不作为', '推诿']],
  ['security', ['治安', '巡逻', '小偷', '被盗', '门禁', '陌生人', '监控', '安全隐患']],
  ['sanitation', ['垃圾', '卫生', '清扫', '清洁', '保洁', '异味', '污水', '绿化', '杂物']],
  ['parking', ['停车', '车位', '占道', '堵车']],
  ['propertyCompany', ['物业公司', '物管', '物业']],
  ['facilities', ['维修', '路灯', '电梯', '漏水', '水管', '破损', '坏了', '健身器材']],
  ['neighbourhood', ['邻居', '噪音', '扰民', '宠物', '狗']],
];

/** A first classification from the text; staff or the monthly consultation may correct it. */
export function classifyVoice(text: string): Category {
  for (const [category, words] of KEYWORDS) {
    if (words.some((w) => text.includes(w))) return category;
  }
  return 'other';
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
  if (roles.includes('admin') || roles.includes('staff')) return true;
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

const PHONE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3}-?)\d{4}(\d{3,4})(?!\d)/g;
const ID_CARD = /(?<![0-9Xx])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9Xx])/g;

/** Masks phone and ID numbers in free text before it is shown publicly. */
export function maskPersonalData(text: string): string {
  return text.replace(ID_CARD, '$1********$2').replace(PHONE, '$1****$2').replace(LANDLINE, '$1****$2');
}

/** 王小明 → 王*明, 李四 → 李*; public pages never show a full name. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '居民';
  if (chars.length === 1) return `${chars[0]}*`;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
