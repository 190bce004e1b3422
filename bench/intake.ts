/**
 * Intake under load (`npm run bench -- intake`), on the stack as it runs in production: FerretDB, the
 * Temporal dev server, the worker and the API as separate processes on this machine. In alternating
 * rounds, 32 requests at a time:
 *   - the bare controls: starting a no-op workflow with a bare Temporal client, a bare insertOne into the
 *     same FerretDB, Express's bare res.json;
 *   - raising a voice over HTTP (POST …/voices), and how long until its workflow's first step (assigned,
 *     notified, marked for the counts) is in the record.
 * Then a sustained load of 20 voices/s (BENCH_SUSTAIN_S seconds, 300 by default; 0 skips it).
 * Env: BENCH_ROUNDS (3), BENCH_N (1000 per round and kind).
 */
import express from 'express';
import mongoose from 'mongoose';
import { Client, Connection } from '@temporalio/client';
import type { Server } from 'node:http';
import { hashPassword } from '../services/passwords';
import { Community, Compound } from '../models/compound';
import { User } from '../models/user';
import { Voice } from '../models/voice';
import { Stack } from '../scripts/stack';
import { cpuSeconds, line, loginToken, percentile, pool, spread, type Run } from './lib';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const N = Number(process.env.BENCH_N ?? 1000);
const SUSTAIN_S = Number(process.env.BENCH_SUSTAIN_S ?? 300);
const C = 32;

async function firstSteps(ids: string[], timeoutMs = 600_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  const lat = new Map<string, number>();
  while (lat.size < ids.length && Date.now() < deadline) {
    for (const id of ids) {
      if (lat.has(id)) continue;
      const v = await Voice.findById(id, { createdAt: 1, timeline: 1 }).lean();
      const assigned = v?.timeline.find((e) => e.type === 'assigned');
      if (v && assigned) lat.set(id, assigned.at.getTime() - v.createdAt.getTime());
    }
    if (lat.size < ids.length) await new Promise((r) => setTimeout(r, 500));
  }
  return [...lat.values()].sort((a, b) => a - b);
}

export async function benchIntake() {
  // BENCH_PROFILE=<dir>: CPU profiles of the worker and the API, written when they stop.
  const profile = process.env.BENCH_PROFILE;
  const stack = await new Stack({
    nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
    log: process.env.BENCH_LOG ? (p, l) => console.log(`[${p}] ${l}`) : undefined,
    env: process.env.QSTATS ? { QSTATS: '1' } : {},
  }).start();
  await mongoose.connect(stack.mongodbUri);
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  await Community.create({ _id: 'bench', name: '基准社区' });
  await Compound.create({
    _id: 'bench-c',
    name: '基准小区',
    communityId: 'bench',
    buildings: [{ _id: 'b1', name: '1号楼' }],
  });
  const passwordHash = await hashPassword('bench-password');
  await User.create({
    _id: 'bench-r',
    username: 'bench-r',
    name: '王小明',
    passwordHash,
    memberships: [{ compoundId: 'bench-c', roles: ['resident'] }],
  });
  const token = await loginToken(stack.apiUrl, 'bench-r', 'bench-password');

  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection });
  const bare = express();
  bare.get('/', (_req, res) => void res.json({ ok: true }));
  const server: Server = await new Promise((r) => {
    const s = bare.listen(0, '127.0.0.1', () => r(s));
  });
  const barePort = (server.address() as { port: number }).port;
  const scratch = mongoose.connection.db!.collection('bench_scratch');

  let seq = 0;
  const raise = async () => {
    const res = await fetch(`${stack.apiUrl}/compounds/bench-c/voices`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'idempotency-key': `bench-${++seq}-${Date.now()}`,
      },
      body: JSON.stringify({ kind: 'complaint', text: '3号楼门口的垃圾三天没人清运了', buildingId: 'b1' }),
    });
    if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
    return ((await res.json()) as { voice: { id: string } }).voice.id;
  };

  const results: Record<string, Run[]> = { start: [], insert: [], json: [], intake: [] };
  const firsts: number[][] = [];
  const cpu: number[] = [];
  console.log(
    `intake benchmark: ${ROUNDS} rounds × ${N} of each, ${C} at a time (FerretDB v1.24 SQLite, Temporal dev server)`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    results.start!.push(
      await pool(N, C, (i) =>
        client.workflow.start('benchNoop', {
          workflowId: `noop-${round}-${i}-${Date.now()}`,
          taskQueue: 'bench-noop',
          args: [],
        }),
      ),
    );
    results.insert!.push(
      await pool(N, C, (i) =>
        scratch.insertOne({ _id: `${round}-${i}` as never, n: i, text: 'x'.repeat(400) }),
      ),
    );
    results.json!.push(await pool(N, C, () => fetch(`http://127.0.0.1:${barePort}/`).then((r) => r.json())));
    const ids: string[] = [];
    const cpu0 = cpuSeconds(stack.pid('database'));
    const parts = ['database', 'temporal', 'worker', 'api'] as const;
    const before = parts.map((p) => cpuSeconds(stack.pid(p)));
    results.intake!.push(await pool(N, C, async () => ids.push(await raise())));
    const steps = await firstSteps(ids);
    cpu.push(((cpuSeconds(stack.pid('database')) - cpu0) / ids.length) * 1000);
    console.log(
      `  CPU-s per 1,000 voices: ${parts.map((p, k) => `${p} ${(((cpuSeconds(stack.pid(p)) - before[k]!) / ids.length) * 1000).toFixed(1)}`).join(', ')}`,
    );
    firsts.push(steps);
    const r = results.intake!.at(-1)!;
    console.log(
      `  round ${round}: bare start ${results.start!.at(-1)!.rate.toFixed(0)}/s, intake ${r.rate.toFixed(0)}/s (p50 ${r.p50.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms, ${r.errors} errors), first step p99 ${percentile(steps, 99).toFixed(0)} ms (${steps.length}/${ids.length})`,
    );
  }
  const fig = (k: string, f: (r: Run) => number, d = 0) => spread(results[k]!.map(f), d);
  console.log('\nmin / median / max over the rounds:');
  line(
    'bare Temporal start (no-op workflow): starts/s',
    fig('start', (r) => r.rate),
  );
  line(
    'bare Temporal start: p50 / p99 ms (median round)',
    `${fig('start', (r) => r.p50)} | ${fig('start', (r) => r.p99)}`,
  );
  line(
    'bare insertOne into FerretDB: docs/s',
    fig('insert', (r) => r.rate),
  );
  line(
    'bare Express res.json: req/s',
    fig('json', (r) => r.rate),
  );
  line(
    'POST …/voices (intake): voices/s',
    fig('intake', (r) => r.rate),
  );
  line(
    'POST …/voices: p50 ms',
    fig('intake', (r) => r.p50),
  );
  line(
    'POST …/voices: p99 ms',
    fig('intake', (r) => r.p99),
  );
  line(
    'POST …/voices: errors',
    fig('intake', (r) => r.errors),
  );
  const ratios = results.intake!.map((r, i) => r.rate / results.start![i]!.rate);
  line('intake rate ÷ bare start rate (same round)', spread(ratios, 2));
  line('first workflow step after intake: p99 ms', spread(firsts.map((s) => percentile(s, 99))));
  line('FerretDB CPU-seconds per 1,000 voices (intake and first steps)', spread(cpu, 1));

  if (SUSTAIN_S > 0) {
    // 20 voices/s, evenly spaced, for the whole window.
    const ids: string[] = [];
    const lat: number[] = [];
    let errors = 0;
    const t0 = Date.now();
    const inflight: Promise<void>[] = [];
    for (let k = 0; k < SUSTAIN_S * 20; k++) {
      const due = t0 + k * 50;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const s = performance.now();
      inflight.push(
        raise().then(
          (id) => {
            ids.push(id);
            lat.push(performance.now() - s);
          },
          () => void errors++,
        ),
      );
    }
    await Promise.all(inflight);
    const steps = await firstSteps(ids);
    lat.sort((a, b) => a - b);
    console.log(`\nsustained: 20 voices/s for ${SUSTAIN_S} s (${ids.length} voices, ${errors} errors)`);
    line(
      'POST …/voices: p50 / p99 ms',
      `${percentile(lat, 50).toFixed(0)} / ${percentile(lat, 99).toFixed(0)}`,
    );
    line(
      'first workflow step: p50 / p99 / max ms',
      `${percentile(steps, 50).toFixed(0)} / ${percentile(steps, 99).toFixed(0)} / ${steps.at(-1)?.toFixed(0)}`,
    );
  }
  server.close();
  await connection.close();
  await mongoose.disconnect();
  await stack.stop();
}
