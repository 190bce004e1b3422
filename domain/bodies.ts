/**
 * The bodies that govern a compound together (DOMAIN.md "Who is involved") and what they are called.
 * One vocabulary for every matter: voices, meetings, orders and evaluations take their bodies and labels
 * from here. `staff` is the community office (社区工作人员): triage, records and the final word.
 */

export const BODIES = [
  'partyBranch',
  'ownersCommittee',
  'supervisoryBoard',
  'selfManagementCommittee',
  'staff',
] as const;
export type Body = (typeof BODIES)[number];

/** Full names, as formal notices and the echo wall write them. */
export const BODY_NAMES: Record<Body, string> = {
  partyBranch: '社区党支部',
  ownersCommittee: '业主委员会',
  supervisoryBoard: '耄耋监事会',
  selfManagementCommittee: '自管会',
  staff: '社区工作人员',
};

/** Short names, as the article and the residents say them (业委会, 监事会); `staff` as the community. */
export const BODY_SHORT_NAMES: Record<Body, string> = {
  partyBranch: '党支部',
  ownersCommittee: '业委会',
  supervisoryBoard: '监事会',
  selfManagementCommittee: '自管会',
  staff: '社区',
};

/** A label table for some of the bodies, keyed in the order given (listings show it). */
export function labelsOf<B extends Body>(
  bodies: readonly B[],
  names: Record<Body, string> = BODY_NAMES,
): Record<B, string> {
  return Object.fromEntries(bodies.map((b) => [b, names[b]])) as Record<B, string>;
}

/** Community staff, and administrators, act for the community office on every matter. */
export function isStaff(roles: readonly string[]): boolean {
  return roles.includes('staff') || roles.includes('admin');
}
