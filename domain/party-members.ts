/**
 * Party members living in the compound (党员): retired (离退休), mobile (流动) or in service (在职). Each
 * is to be found and linked to the branch (排查摸清…及时沟通联系): the branch records contact within a set
 * number of days, is reminded before that deadline, and a missed deadline climbs a ladder to the
 * community party organisation and its staff. Pure: every instant and calendar comes in.
 */
import { DAY_MS } from './calendar';
import { DomainError } from './errors';
import { reminderTimes } from './meetings';
import type { Role } from './roles';
import { addWorkingDays, type WorkCalendar } from './working-days';

export const PARTY_MEMBER_TYPES = ['retired', 'mobile', 'inService'] as const;
export type PartyMemberType = (typeof PARTY_MEMBER_TYPES)[number];
export const PARTY_MEMBER_TYPE_LABELS: Record<PartyMemberType, string> = {
  retired: '离退休党员',
  mobile: '流动党员',
  inService: '在职党员',
};

/** The find-and-link life: to find → contacted → linked; escalated when the deadline passed uncontacted. */
export const PARTY_MEMBER_STATUSES = ['toFind', 'escalated', 'contacted', 'linked', 'withdrawn'] as const;
export type PartyMemberStatus = (typeof PARTY_MEMBER_STATUSES)[number];
export const PARTY_MEMBER_STATUS_LABELS: Record<PartyMemberStatus, string> = {
  toFind: '待排查',
  escalated: '逾期未联系（已上报）',
  contacted: '已联系',
  linked: '已纳入管理',
  withdrawn: '已撤销登记',
};

export const CONTACT_METHODS = ['visit', 'phone', 'wechat', 'meeting', 'other'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];
export const CONTACT_METHOD_LABELS: Record<ContactMethod, string> = {
  visit: '入户走访',
  phone: '电话',
  wechat: '微信',
  meeting: '见面座谈',
  other: '其他',
};

/** 联合党委成员单位: a unit (机关、企事业单位) or a shop (商户). */
export const JOINT_UNIT_KINDS = ['unit', 'shop'] as const;
export type JointUnitKind = (typeof JOINT_UNIT_KINDS)[number];
export const JOINT_UNIT_KIND_LABELS: Record<JointUnitKind, string> = { unit: '单位', shop: '商户' };

/** Bounds on what an actor can add to one registration. */
export const PARTY_MEMBER_LIMITS = { contacts: 50, noteChars: 500, jointUnitsPerCompound: 200 } as const;

/** Per-compound settings (compound.settings.partyMembers, over these defaults). */
export interface PartyMemberSettings {
  /** The branch records contact within this many days of registration. */
  contactDays: number;
  /** Count contactDays in working days (statutory holidays and 调休) where a calendar is known. */
  workingDays: boolean;
  /** Reminders to the branch, days before the deadline. */
  reminderDaysBefore: number[];
  /** After an escalation, the time before the next rung. */
  escalationStepDays: number;
}

export const DEFAULT_PARTY_MEMBER_SETTINGS: PartyMemberSettings = {
  contactDays: 7,
  workingDays: true,
  reminderDaysBefore: [2],
  escalationStepDays: 3,
};

/** A compound's settings: its own over the defaults, each field kept only if it has the right shape. */
export function partyMemberSettingsOf(raw: unknown): PartyMemberSettings {
  const r = (raw ?? {}) as Partial<Record<keyof PartyMemberSettings, unknown>>;
  const d = DEFAULT_PARTY_MEMBER_SETTINGS;
  const posInt = (v: unknown, dflt: number) =>
    Number.isInteger(v) && (v as number) >= 1 ? (v as number) : dflt;
  return {
    contactDays: posInt(r.contactDays, d.contactDays),
    workingDays: typeof r.workingDays === 'boolean' ? r.workingDays : d.workingDays,
    reminderDaysBefore:
      Array.isArray(r.reminderDaysBefore) && r.reminderDaysBefore.every((x) => Number.isInteger(x) && x >= 1)
        ? (r.reminderDaysBefore as number[])
        : d.reminderDaysBefore,
    escalationStepDays: posInt(r.escalationStepDays, d.escalationStepDays),
  };
}

/** The deadline to record contact for a member registered at `from`: working days where a calendar is known. */
export function contactDeadline(
  from: Date,
  s: PartyMemberSettings,
  timeZone: string,
  calendar?: WorkCalendar,
): Date {
  if (s.workingDays && calendar) return addWorkingDays(from, s.contactDays, timeZone, calendar).at;
  return new Date(from.getTime() + s.contactDays * DAY_MS);
}

/** The next reminder before the deadline not yet `sent` and still ahead of `now`; none once escalated. */
export function nextContactReminder(
  deadline: Date,
  level: number,
  s: PartyMemberSettings,
  now: Date,
  sent: (at: Date) => boolean,
): { at: Date; daysBefore: number } | undefined {
  if (level !== 0) return undefined;
  const at = reminderTimes(deadline, s.reminderDaysBefore, now).find((t) => !sent(t));
  if (!at) return undefined;
  return { at, daysBefore: Math.round((deadline.getTime() - at.getTime()) / DAY_MS) };
}

/**
 * The ladder of a member not contacted in time (same shape as the meetings' ladder): first the branch
 * and the community staff, then the staff again with the administrators (the community party
 * organisation's office). Past the top rung it waits, flagged escalated, until contact is recorded.
 */
export const CONTACT_ESCALATION_LADDER: readonly (readonly Role[])[] = [
  ['partyBranch', 'staff'],
  ['partyBranch', 'staff', 'admin'],
];

export function contactLadderClimbed(level: number): boolean {
  return level >= CONTACT_ESCALATION_LADDER.length;
}

/** When a member that has climbed `level` rungs climbs the next: at the deadline, then a step after each. */
export function contactEscalationDue(deadline: Date, level: number, s: PartyMemberSettings): Date {
  return new Date(deadline.getTime() + level * s.escalationStepDays * DAY_MS);
}

/** Rung `level` (from 1): whom it tells. */
export function contactEscalationTo(level: number): Role[] {
  return [...(CONTACT_ESCALATION_LADDER[Math.min(level, CONTACT_ESCALATION_LADDER.length) - 1] ?? [])];
}

/** A contact's time: a valid instant, not in the future, not before the registration. */
export function checkContactTime(at: Date, registeredAt: Date, now: Date): void {
  if (Number.isNaN(at.getTime())) throw new DomainError('invalid', '联系时间无效', { field: 'body.at' });
  if (at.getTime() > now.getTime())
    throw new DomainError('unprocessable', '联系时间不能晚于现在', { field: 'body.at' });
  if (at.getTime() < registeredAt.getTime() - DAY_MS * 366)
    throw new DomainError('unprocessable', '联系时间早于登记一年以上', { field: 'body.at' });
}

/** Which actions a registration in `status` allows. */
export function mayRecordContact(status: PartyMemberStatus): boolean {
  return status === 'toFind' || status === 'escalated' || status === 'contacted';
}
export function mayLink(status: PartyMemberStatus): boolean {
  return status === 'contacted';
}
export function mayWithdraw(status: PartyMemberStatus): boolean {
  return status !== 'withdrawn';
}

/** The workflow's business id: one find-and-link process per registration. */
export function findAndLinkWorkflowId(compoundId: string, partyMemberId: string): string {
  return `find-and-link-${compoundId}-${partyMemberId}`;
}

/** Ledger summaries name no person (the ledger is published to every owner): type and event only. */
export const PARTY_LEDGER_SUMMARIES = {
  registered: (t: PartyMemberType) => `登记${PARTY_MEMBER_TYPE_LABELS[t]}一名，开始排查联系`,
  contacted: (m: ContactMethod) => `党支部已与一名登记党员取得联系（${CONTACT_METHOD_LABELS[m]}）`,
  linked: () => '一名登记党员已纳入支部管理',
  escalated: (level: number) => `一名登记党员逾期未联系，第 ${level} 次上报社区党组织`,
  reported: () => '一名在职党员到社区报到',
  withdrawn: () => '撤销一名党员的登记',
} as const;
