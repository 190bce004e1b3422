/**
 * The five bodies formed with terms (组织换届与任期): a membership is a record — the body, the position, the
 * term, how it began and why it ended — and the roles people hold come from the memberships current now.
 * Pure: every instant comes in as an argument.
 */
import { BODY_NAMES } from './bodies';
import { DAY_MS } from './calendar';
import type { Role } from './roles';

/** What a person can be a member of: the bodies, the council's seats, a building's leader, the office. */
export const MEMBERSHIP_BODIES = [
  'partyBranch',
  'ownersCommittee',
  'supervisoryBoard',
  'selfManagementCommittee',
  'residentsCouncil',
  'buildingLeader',
  'staff',
] as const;
export type MembershipBody = (typeof MEMBERSHIP_BODIES)[number];

export const MEMBERSHIP_BODY_LABELS: Record<MembershipBody, string> = {
  partyBranch: BODY_NAMES.partyBranch,
  ownersCommittee: BODY_NAMES.ownersCommittee,
  supervisoryBoard: BODY_NAMES.supervisoryBoard,
  selfManagementCommittee: BODY_NAMES.selfManagementCommittee,
  residentsCouncil: '居民议事会',
  buildingLeader: '楼栋长 / 居民小组长',
  staff: BODY_NAMES.staff,
};

/** The role a current membership of each body gives in its compound. */
export const ROLE_OF_BODY: Record<MembershipBody, Role> = {
  partyBranch: 'partyBranch',
  ownersCommittee: 'ownersCommittee',
  supervisoryBoard: 'supervisoryBoard',
  selfManagementCommittee: 'selfManagementCommittee',
  residentsCouncil: 'councilMember',
  buildingLeader: 'buildingLeader',
  staff: 'staff',
};

export const POSITIONS = [
  'secretary', // 书记
  'deputySecretary', // 副书记
  'chair', // 主任 / 监事长
  'viceChair', // 副主任
  'member', // 委员 / 成员 / 监事
  'buildingLeader', // 楼栋长
  'groupLeader', // 居民小组长
  'staffMember', // 工作人员
] as const;
export type Position = (typeof POSITIONS)[number];
export const POSITION_LABELS: Record<Position, string> = {
  secretary: '书记',
  deputySecretary: '副书记',
  chair: '主任',
  viceChair: '副主任',
  member: '委员',
  buildingLeader: '楼栋长',
  groupLeader: '居民小组长',
  staffMember: '工作人员',
};
export const POSITIONS_OF: Record<MembershipBody, readonly Position[]> = {
  partyBranch: ['secretary', 'deputySecretary', 'member'],
  ownersCommittee: ['chair', 'viceChair', 'member'],
  supervisoryBoard: ['chair', 'member'],
  selfManagementCommittee: ['chair', 'viceChair', 'member'],
  residentsCouncil: ['member'],
  buildingLeader: ['buildingLeader', 'groupLeader'],
  staff: ['staffMember'],
};

/**
 * The council's roster by category, as the article lists it. Members of the branch, the owners' committee
 * and the supervisory board sit by their body; the other seats are council memberships of a category.
 */
export const COUNCIL_CATEGORIES = [
  'partyBranch',
  'ownersCommittee',
  'supervisoryBoard',
  'buildingLeader',
  'propertyCompany',
  'partyMemberRepresentative',
  'residentRepresentative',
] as const;
export type CouncilCategory = (typeof COUNCIL_CATEGORIES)[number];
export const COUNCIL_CATEGORY_LABELS: Record<CouncilCategory, string> = {
  partyBranch: '社区党支部',
  ownersCommittee: '业主委员会',
  supervisoryBoard: '耄耋监事会',
  buildingLeader: '楼栋长 / 居民小组长',
  propertyCompany: '物管公司代表',
  partyMemberRepresentative: '党员代表',
  residentRepresentative: '居民代表',
};
/** The seats a council membership itself can hold (the rest sit by their body). */
export const COUNCIL_SEATS = [
  'propertyCompany',
  'partyMemberRepresentative',
  'residentRepresentative',
] as const satisfies readonly CouncilCategory[];
export type CouncilSeat = (typeof COUNCIL_SEATS)[number];

/** The council category a current membership puts its holder in, if any. */
export function councilCategoryOf(m: {
  body: MembershipBody;
  category?: CouncilSeat;
}): CouncilCategory | undefined {
  switch (m.body) {
    case 'partyBranch':
    case 'ownersCommittee':
    case 'supervisoryBoard':
    case 'buildingLeader':
      return m.body;
    case 'residentsCouncil':
      return m.category;
    default:
      return undefined;
  }
}

/** How a term began: 推选 (elected), 聘请 (hired by the owners' committee), 任命 (appointed). */
export const MEMBERSHIP_BASES = ['elected', 'hired', 'appointed'] as const;
export type MembershipBasisKind = (typeof MEMBERSHIP_BASES)[number];
export const BASIS_LABELS: Record<MembershipBasisKind | 'renewed', string> = {
  elected: '选举产生',
  hired: '业委会聘请',
  appointed: '党组织任命',
  renewed: '续任',
};

export type MembershipBasis =
  | {
      kind: 'elected';
      /** The election's date (YYYY-MM-DD), the ballots, and the meeting that held it. */
      electedOn: string;
      ballotsFor: number;
      ballotsCast: number;
      meetingId?: string;
      meetingName?: string;
    }
  | {
      kind: 'hired';
      /**
       * The council resolution (its order, carried out by the owners' committee) and the contract; a
       * resolution from before the software, by its reference (e.g. the minutes' number), instead.
       */
      resolutionOrderId?: string;
      resolutionRef?: string;
      contractNo?: string;
    }
  | { kind: 'appointed'; by: 'partyOrganization' | 'community'; documentNo?: string };

/** Which bases each body's memberships may begin with (DOMAIN.md: who forms which body). */
export const BASES_OF: Record<MembershipBody, readonly MembershipBasisKind[]> = {
  partyBranch: ['elected', 'appointed'],
  ownersCommittee: ['elected'],
  supervisoryBoard: ['appointed'],
  selfManagementCommittee: ['hired'],
  residentsCouncil: ['elected', 'appointed'],
  buildingLeader: ['elected', 'appointed'],
  staff: ['appointed'],
};

export const END_REASONS = ['termEnded', 'renewed', 'dismissed', 'resigned'] as const;
export type EndReason = (typeof END_REASONS)[number];
export const END_REASON_LABELS: Record<EndReason, string> = {
  termEnded: '任期届满',
  renewed: '续任（新任期接续）',
  dismissed: '解聘 / 罢免',
  resigned: '辞职',
};

export type MembershipStatus = 'upcoming' | 'current' | 'ended';
export const STATUS_LABELS: Record<MembershipStatus, string> = {
  upcoming: '待就任',
  current: '在任',
  ended: '已卸任',
};

/** The formation events filed in the supervisory ledger. */
export const FORMATION_EVENTS = [
  'elected',
  'hired',
  'appointed',
  'renewed',
  'dismissed',
  'resigned',
  'termEnded',
] as const;
export type FormationEvent = (typeof FORMATION_EVENTS)[number];
export const FORMATION_EVENT_LABELS: Record<FormationEvent, string> = {
  elected: '当选',
  hired: '受聘',
  appointed: '受任命',
  renewed: '续任',
  dismissed: '被解聘 / 罢免',
  resigned: '辞职',
  termEnded: '任期届满卸任',
};

/** A term of the owners' committee is at most five years (《业主大会和业主委员会指导规则》); the rest alike. */
export const MAX_TERM_YEARS = 5;
/** Staff are told this long before a term ends. */
export const TERM_REMINDER_DAYS = 30;

export interface TermPlan {
  /** Instants (ms) of the term: its start, the reminder before its end, its end (none for open terms). */
  start: number;
  remindAt?: number;
  end?: number;
}

/** When the term's workflow acts: take office at the start, remind 30 days before the end, lapse at it. */
export function termPlan(termStart: number, termEnd?: number): TermPlan {
  if (termEnd === undefined) return { start: termStart };
  const remindAt = termEnd - TERM_REMINDER_DAYS * DAY_MS;
  return { start: termStart, end: termEnd, ...(remindAt > termStart ? { remindAt } : {}) };
}

export function statusAt(
  m: { termStart: number; termEnd?: number; endedAt?: number },
  now: number,
): MembershipStatus {
  if (m.endedAt !== undefined && m.endedAt <= now) return 'ended';
  if (m.termEnd !== undefined && m.termEnd <= now) return 'ended';
  return m.termStart > now ? 'upcoming' : 'current';
}

export interface MembershipProposal {
  body: MembershipBody;
  position: Position;
  category?: CouncilSeat;
  buildingId?: string;
  termStart: number;
  termEnd?: number;
  basis: MembershipBasis;
  /** The holder's standing as a party member, from the registry (undefined: not registered). */
  partyMember?: 'retired' | 'mobile' | 'inService';
  /** Why a supervisory board member is not a retired party member (default rule: they are). */
  exceptionReason?: string;
}

/** Refusals of a proposed membership, each naming its field (empty: allowed). */
export function checkMembership(p: MembershipProposal, now: number): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  const label = MEMBERSHIP_BODY_LABELS[p.body];
  if (!POSITIONS_OF[p.body].includes(p.position))
    errors.push({
      field: 'body.position',
      message: `${label}的职务只能是：${POSITIONS_OF[p.body].map((x) => POSITION_LABELS[x]).join('、')}`,
    });
  if (!BASES_OF[p.body].includes(p.basis.kind))
    errors.push({
      field: 'body.basis.kind',
      message: `${label}成员只能${BASES_OF[p.body].map((b) => BASIS_LABELS[b]).join('或')}`,
    });
  if (p.body === 'residentsCouncil' && !p.category)
    errors.push({
      field: 'body.category',
      message: '请注明议事会席位类别（物管公司代表、党员代表或居民代表）',
    });
  if (p.body !== 'residentsCouncil' && p.category)
    errors.push({ field: 'body.category', message: '只有居民议事会的席位有类别' });
  if (p.body === 'buildingLeader' && !p.buildingId)
    errors.push({ field: 'body.buildingId', message: '楼栋长请注明所在楼栋' });
  if (p.body !== 'staff' && p.termEnd === undefined)
    errors.push({ field: 'body.termEnd', message: '请填写任期截止日期' });
  if (p.termEnd !== undefined) {
    if (p.termEnd <= p.termStart)
      errors.push({ field: 'body.termEnd', message: '任期截止日期应晚于开始日期' });
    else if (p.termEnd - p.termStart > (MAX_TERM_YEARS * 366 + 1) * DAY_MS)
      errors.push({ field: 'body.termEnd', message: `一届任期最长 ${MAX_TERM_YEARS} 年` });
    else if (p.termEnd <= now) errors.push({ field: 'body.termEnd', message: '任期已经届满，无需登记' });
  }
  if (p.basis.kind === 'elected') {
    const b = p.basis;
    if (b.ballotsFor > b.ballotsCast)
      errors.push({ field: 'body.basis.ballotsFor', message: '得票数不能多于投票总数' });
    if (Date.parse(`${b.electedOn}T00:00:00Z`) > p.termStart + DAY_MS)
      errors.push({ field: 'body.basis.electedOn', message: '选举日期应在任期开始之前' });
  }
  if (p.basis.kind === 'hired' && !p.basis.resolutionOrderId && !p.basis.resolutionRef?.trim())
    errors.push({
      field: 'body.basis.resolutionOrderId',
      message: '聘请自管会须依据议事会决议：请注明该决议（或上线前决议的文号）',
    });
  if (p.body === 'supervisoryBoard') {
    if (!p.partyMember)
      errors.push({ field: 'body.userId', message: '耄耋监事会由党员组成：请先在党员名册中登记此人' });
    else if (p.partyMember !== 'retired' && !p.exceptionReason?.trim())
      errors.push({
        field: 'body.exceptionReason',
        message: '耄耋监事会成员默认为离退休党员；此人不是离退休党员，请说明理由',
      });
  }
  return errors;
}

/** The owners' committee's share of party members (业委会中党员比例), as the article asks it be shown. */
export function partyShare(members: { partyMember?: string }[]): {
  members: number;
  partyMembers: number;
  percent: number;
} {
  const partyMembers = members.filter((m) => m.partyMember).length;
  return {
    members: members.length,
    partyMembers,
    percent: members.length ? Math.round((partyMembers / members.length) * 1000) / 10 : 0,
  };
}

/** The roles one person holds in a compound from their current memberships (and a home there). */
export function rolesFrom(memberships: { body: MembershipBody }[], resident: boolean): Role[] {
  const roles = new Set<Role>(memberships.map((m) => ROLE_OF_BODY[m.body]));
  if (resident) roles.add('resident');
  return [...roles].sort();
}
