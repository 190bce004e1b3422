/**
 * The one error type of the domain. Codes map to HTTP statuses in api/errors.ts; the message is
 * for people (Chinese first), `details` for programs (e.g. which field is wrong).
 */
export type DomainErrorCode =
  | 'invalid' // 400: the request is malformed
  | 'unauthenticated' // 401
  | 'forbidden' // 403: authenticated, but this role may not
  | 'not_found' // 404
  | 'conflict' // 409: the thing is not in a state that allows it
  | 'unprocessable' // 422: well-formed as documented, but breaks a rule stated in words (a building the compound lacks, a time already past, a cross-field rule)
  | 'rate_limited' // 429: too many calls; Retry-After says when to try again
  | 'unavailable'; // 503: a server this depends on is down

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
