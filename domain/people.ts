/** People as the office records them: how someone lives in a room, and how their phone number is shown. */

/** 业主 / 租户 / 家庭成员 */
export const RESIDENT_RELATIONS = ['owner', 'tenant', 'family'] as const;
export type ResidentRelation = (typeof RESIDENT_RELATIONS)[number];
export const RELATION_LABELS: Record<ResidentRelation, string> = {
  owner: '业主',
  tenant: '租户',
  family: '家庭成员',
};

/** A mainland mobile number: 11 digits starting 13–19. */
export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/** Rooms one person may be bound to at once (an owner of several flats, a family across two). */
export const MAX_ROOMS_PER_PERSON = 10;
