/** What the benchmarks share: running N tasks C at a time, latency summaries, CPU seconds of a process. */
import { readFileSync } from 'node:fs';

export interface Run {
  /** Completed per second over the whole run. */
  rate: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `n` calls of `task`, `concurrency` at a time; times each (ms). */
export async function pool(
  n: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<Run> {
  const times: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        try {
          await task(i);
          times.push(performance.now() - s);
        } catch {
          errors++;
        }
      }
    }),
  );
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    rate: (times.length / total) * 1000,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1) ?? NaN,
    errors,
  };
}

/** min / median / max of some figures, formatted. */
export function spread(xs: number[], digits = 0): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(digits);
  return `${f(s[0]!)} / ${f(s[Math.floor(s.length / 2)]!)} / ${f(s.at(-1)!)}`;
}

function ownCpu(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100/s)
  } catch {
    return 0;
  }
}

/** The processes a process started (Linux /proc). */
export function children(pid: number | undefined): number[] {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) a process and its children have used so far (Linux /proc). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  return ownCpu(pid) + children(pid).reduce((n, c) => n + cpuSeconds(c), 0);
}

/** Resident memory of a process and its children, in MiB (Linux /proc). */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  let own: number;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    own = m ? Number(m[1]) / 1024 : 0;
  } catch {
    own = 0;
  }
  return own + children(pid).reduce((n, c) => n + rssMiB(c), 0);
}

export const line = (what: string, value: string) => console.log(`${what.padEnd(64)} ${value}`);

/** A small seeded generator (mulberry32), so every run generates the same mix. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Signs in over HTTP as a benchmark user and returns its token. */
export async function loginToken(apiUrl: string, username: string, password: string): Promise<string> {
  const login = await fetch(`${apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`login as ${username} answered HTTP ${login.status}`);
  return ((await login.json()) as { token: string }).token;
}
