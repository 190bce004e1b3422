/** Where a client reads more about a matter: API paths built in one place. */
import { meetingTypeOfSlug } from '../domain/meetings';

export const API = '/api/v1';

/** "monthly-consultation/dongshunyuan/2026-11" → the meeting's API path; undefined if not a meeting id. */
export function meetingPath(compoundId: string, meetingId: string | undefined) {
  const [slug, compound, period] = meetingId?.split('/') ?? [];
  if (!slug || compound !== compoundId || !period || !meetingTypeOfSlug(slug)) return undefined;
  return `${API}/compounds/${compoundId}/meetings/${slug}/${period}`;
}
