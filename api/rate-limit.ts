/**
 * Limits on calls per user (or per address, signed out): a token bucket per key, in this process. With
 * several API replicas each keeps its own, so the effective limit is per replica (docs/operations.md).
 */
import type { Response } from 'express';
import { DomainError } from '../domain/errors';

export interface RateLimit {
  /** Takes one call for `key`, or refuses with 429 and Retry-After. */
  take(key: string, res: Response): void;
}

/** The most keys remembered; past it the oldest are forgotten (a full bucket is the default anyway). */
const MAX_KEYS = 50_000;

/**
 * `burst` calls at once, refilled at `perMinute`; `what` names the action in the refusal
 * ("登录", "提交反映"…). `now` is injectable so tests need not wait.
 */
export function rateLimit(
  what: string,
  opts: { burst: number; perMinute: number },
  now: () => number = Date.now,
): RateLimit {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = opts.perMinute / 60_000;
  return {
    take(key, res) {
      const t = now();
      const b = buckets.get(key) ?? { tokens: opts.burst, at: t };
      b.tokens = Math.min(opts.burst, b.tokens + (t - b.at) * perMs);
      b.at = t;
      buckets.delete(key); // re-inserted last: the map's order is then least recently used first
      if (b.tokens < 1) {
        buckets.set(key, b);
        const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        throw new DomainError('rate_limited', `${what}过于频繁，请 ${retryAfter} 秒后再试`, {
          retryAfterSeconds: retryAfter,
        });
      }
      b.tokens -= 1;
      buckets.set(key, b);
      if (buckets.size > MAX_KEYS) buckets.delete(buckets.keys().next().value!);
    },
  };
}
