/**
 * Replays stored histories of every workflow type against the current workflow code: a change that
 * would break workflows already running (non-determinism) fails here, before it reaches a compound.
 * Refresh the histories with `RECORD_HISTORIES=1 npx jest test/workflows` when a change is meant to be
 * incompatible — and guard it with patched() instead, if workflows of the old shape still run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, quietRuntime, workflowBundle } from '../helpers/temporal';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.bin'));
const load = (file: string) =>
  temporal.api.history.v1.History.decode(readFileSync(join(HISTORIES_DIR, file)));
const typeOf = (h: temporal.api.history.v1.History) =>
  h.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? 'unknown';

beforeAll(() => quietRuntime());

it('has a stored history for every workflow type', () => {
  const types = new Set(files.map((f) => typeOf(load(f))));
  expect([...types].sort()).toEqual(
    [
      'annualEvaluation',
      'governanceCycle',
      'monthlyConsultation',
      'periodicCoordination',
      'quarterlyDeliberation',
      'rectificationOrder',
      'residentVoice',
    ].sort(),
  );
});

it.each(files)('replaying %s with the current code raises no determinism error', async (file) => {
  const history = load(file);
  await expect(
    Worker.runReplayHistory({ workflowBundle: workflowBundle() }, history, file.replace(/\.bin$/, '')),
  ).resolves.toBeUndefined();
});
