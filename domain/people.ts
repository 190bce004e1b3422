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

/** 18 characters: 17 digits and a check character (0–9 or X), as GB 11643 writes a citizen ID number. */
export const ID_NUMBER_PATTERN = /^\d{17}[\dXx]$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECKS = '10X98765432';

/** The check character GB 11643 gives the first 17 digits (ISO 7064 MOD 11-2). */
export function idNumberCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECKS[sum % 11] ?? '';
}

/**
 * What is wrong with an ID number (公民身份号码), or undefined when it is right: the shape, the birth date
 * (digits 7–14, a real day, not in the future of `today`), and the check character.
 */
export function idNumberProblem(id: string, today: string = '9999-12-31'): string | undefined {
  if (!ID_NUMBER_PATTERN.test(id)) return '身份证号应为 18 位：17 位数字加 1 位数字或 X';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  const real = date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  const iso = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  if (!real || y < 1900 || iso > today) return '身份证号中的出生日期不对';
  if (idNumberCheck(id.slice(0, 17)) !== id.slice(17).toUpperCase()) return '身份证号校验位不对，请核对';
  return undefined;
}

/** 610102199001011234 → 6101**********1234: the province and city, and the last four. */
export function maskIdNumber(id: string): string {
  return id.length >= 8 ? `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}` : '****';
}
