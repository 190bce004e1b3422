/**
 * A small in-process cache of answers that many people read and that may lag a little (the echo wall's
 * monthly summary): each key is computed once per `ttlMs`, concurrent misses share one computation, and at
 * most `maxEntries` keys are kept (the oldest goes first).
 */
export function ttlCache<T>(opts: { ttlMs: number; maxEntries: number; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { at: number; value: Promise<T> }>();
  return {
    get(key: string, compute: () => Promise<T>): Promise<T> {
      const hit = entries.get(key);
      if (hit && now() - hit.at < opts.ttlMs) return hit.value;
      entries.delete(key);
      const value = compute();
      entries.set(key, { at: now(), value });
      // A failure is not kept: the next reader tries again.
      value.catch(() => entries.get(key)?.value === value && entries.delete(key));
      while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!);
      return value;
    },
    get size() {
      return entries.size;
    },
  };
}
