/**
 * The open intake fuzzed as an outside system would try it: schemathesis (provisioned in .tools) reads the
 * served document and sends the Open311 operations generated requests, valid and invalid, with a real key
 * of a real compound — no 5xx, no status or body the document does not declare. Its operations carry their
 * own server (/api/open311/v2), which schemathesis does not follow from a relative path-level `servers`, so
 * this run gives it that base and only those operations.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OPEN311_BASE } from '../../api/app';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { runCommand, startListeningStack } from '../helpers/fuzz';

const ROOT = join(__dirname, '..', '..');
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '10';

let running: Awaited<ReturnType<typeof startListeningStack>>;
let stack: Awaited<ReturnType<typeof startListeningStack>>['stack'];
beforeAll(async () => {
  running = await startListeningStack();
  stack = running.stack;
});
afterAll(() => running?.stop());

it('when schemathesis fuzzes the Open311 operations with a valid key, it finds no failure', async () => {
  const compoundId = await makeCompound();
  const staff = await stack.login(await makeUser(compoundId, ['staff']));
  const issued = await request(stack.app)
    .post(`/api/v1/compounds/${compoundId}/api-keys`)
    .set('Authorization', staff)
    .send({ name: '模糊测试' });
  expect(issued.status).toBe(201);
  const dir = mkdtempSync(join(tmpdir(), 'gongzhi-open311-fuzz-'));
  const config = join(dir, 'st.toml');
  // Open311 answers 400 to a request it cannot fulfil though well formed (no location, dates more than
  // 90 days apart): the spec's rule, so a schema-valid request may meet it.
  writeFileSync(
    config,
    [
      '[cache]',
      'enabled = false',
      '[generation]',
      'database = "none"',
      '[parameters]',
      `api_key = "${issued.body.key as string}"`,
      `jurisdiction_id = "${compoundId}"`,
      'service_code = "complaint.sanitation"',
      '[checks.positive_data_acceptance]',
      'expected-statuses = ["2xx", "400", "403", "404", "409", "429"]',
      '',
    ].join('\n'),
  );
  const { code, output } = await runCommand(
    join(ROOT, '.tools', 'bin', 'st'),
    [
      '--config-file',
      config,
      'run',
      `${running.origin}/api/v1/openapi.json`,
      '--url',
      `${running.origin}${OPEN311_BASE}`,
      '--include-tag',
      '外部系统接入（Open311 GeoReport v2）',
      '--checks',
      'all',
      '--phases',
      'examples,coverage,fuzzing',
      '--max-examples',
      MAX_EXAMPLES,
      '--seed',
      '311',
      '--workers',
      '1',
      '--no-color',
    ],
    { cwd: ROOT, timeoutMs: 300_000 },
  );
  if (code !== 0) process.stdout.write(output);
  expect({ code, tail: code === 0 ? '' : output.slice(-4000) }).toEqual({ code: 0, tail: '' });
}, 360_000);
