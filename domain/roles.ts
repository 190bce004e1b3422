/**
 * Who may do what. A user holds roles per compound; a route names one permission; this table is the
 * single place that says which roles grant it.
 */
import { BODY_NAMES } from './bodies';

export const ROLES = [
  'admin', // system administrator, every compound
  'staff', // 社区工作人员
  'partyBranch', // 社区党支部
  'ownersCommittee', // 业委会
  'supervisoryBoard', // 耄耋监事会
  'selfManagementCommittee', // 自管会
  'councilMember', // 居民议事会成员
  'buildingLeader', // 楼栋长
  'resident', // 居民 / 业主
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: '系统管理员',
  staff: BODY_NAMES.staff,
  partyBranch: BODY_NAMES.partyBranch,
  ownersCommittee: BODY_NAMES.ownersCommittee,
  supervisoryBoard: BODY_NAMES.supervisoryBoard,
  selfManagementCommittee: BODY_NAMES.selfManagementCommittee,
  councilMember: '居民议事会成员',
  buildingLeader: '楼栋长',
  resident: '居民',
};

const EVERYONE: readonly Role[] = ROLES;
const OFFICERS: readonly Role[] = [
  'admin',
  'staff',
  'partyBranch',
  'ownersCommittee',
  'supervisoryBoard',
  'selfManagementCommittee',
];

export const PERMISSIONS = {
  'compound:read': EVERYONE,
  'compound:configure': ['admin', 'staff'],
  /** Issue and revoke the keys outside systems (the 12345 platform…) file voices with. */
  'apikey:manage': ['admin', 'staff'],
  /** Communities and new compounds: the deployment's administrators. */
  'community:manage': ['admin'],
  /** Buildings, units and rooms of a compound: created, changed and retired by the office. */
  'place:manage': ['admin', 'staff'],
  'place:read': OFFICERS,
  /** Reset a member's password, deactivate an account: the office. */
  'account:manage': ['admin', 'staff'],
  /** The audit log of the compound's writes. */
  'audit:read': ['admin', 'staff'],
  /** Approve a resident's registration: the office, or the building leader for their own building. */
  'registration:approve': ['admin', 'staff', 'buildingLeader'],
  'voice:submit': EVERYONE,
  /** Enter a voice heard on the hotline, a door-to-door visit, from a building group… */
  'voice:submitOnBehalf': ['admin', 'staff', 'buildingLeader'],
  /** See every voice of the compound, with contact data. Residents see only their own. */
  'voice:readAll': OFFICERS,
  'voice:readOwn': EVERYONE,
  /** Accept, report progress, resolve: further limited to the bodies responsible for that voice. */
  'voice:handle': ['admin', 'staff', 'partyBranch', 'ownersCommittee', 'selfManagementCommittee'],
  'voice:extendDeadline': ['admin', 'staff'],
  /** Reclassify or reassign a voice with a reason (community staff's triage). */
  'voice:reassign': ['admin', 'staff'],
  /** The resident's own satisfaction; staff may record it from a phone call. */
  'voice:feedback': EVERYONE,
  'echoWall:read': EVERYONE,
  'inbox:read': EVERYONE,
  // The four meetings
  'meeting:read': EVERYONE,
  'meeting:trigger': ['admin', 'staff'],
  /** Set date, place, participants, or postpone; the workflow also requires a convener of that meeting. */
  'meeting:schedule': OFFICERS,
  'meeting:record': ['admin', 'staff'],
  'meeting:confirmConvening': ['partyBranch', 'ownersCommittee'],
  'motion:propose': [
    'admin',
    'staff',
    'partyBranch',
    'ownersCommittee',
    'supervisoryBoard',
    'buildingLeader',
    'councilMember',
  ],
  /** Further limited by the workflow to members on the council's roster who are present. */
  'vote:cast': ['partyBranch', 'ownersCommittee', 'supervisoryBoard', 'buildingLeader', 'councilMember'],
  'voting:close': ['admin', 'staff', 'partyBranch'],
  'evaluation:sign': ['partyBranch', 'supervisoryBoard'],
  /** The community party organization's final word on a disagreement, entered by community staff. */
  'evaluation:finalize': ['admin', 'staff'],
  'rectification:read': EVERYONE,
  // Any body an order or resolution can be delegated to reports on it; the workflow checks it is the owner.
  'rectification:report': ['admin', 'staff', 'selfManagementCommittee', 'ownersCommittee', 'partyBranch'],
  'rectification:verify': ['admin', 'staff', 'ownersCommittee', 'partyBranch'],
  /** The bodies as they stand and their members' terms: the record the residents are governed by. */
  'membership:read': EVERYONE,
  /** Register, renew or end a membership; the service further limits who forms which body. */
  'membership:form': ['admin', 'staff', 'partyBranch', 'ownersCommittee'],
  'ledger:read': EVERYONE,
  /** Exports and verification read a compound's whole chain: for its officers, not every resident. */
  'ledger:export': OFFICERS,
  /** The party-member registry (党员登记): the branch and the office only, never other bodies or residents. */
  'partyMember:read': ['admin', 'staff', 'partyBranch'],
  'partyMember:manage': ['admin', 'staff', 'partyBranch'],
  /** 在职党员报到: anyone may ask; the service checks the registration is their own. */
  'partyMember:report': EVERYONE,
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function rolesGrant(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((r) => allowed.includes(r));
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
