/**
 * The API fuzzed as a stranger would try it: schemathesis (pinned, provisioned by scripts/provision.sh) reads
 * the served OpenAPI document and sends every operation generated requests, valid and invalid, signed in as
 * several roles, with every check on — no 5xx, no status or body the document does not declare, missing auth
 * refused, 405 for a wrong method. The stack is the real one: FerretDB, the Temporal dev server, a worker.
 * Requests aim at a real compound (its id fixed as the `compoundId` parameter) so they reach past the 404s.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Role } from '../../domain/roles';
import { makeCompound, makeUser } from '../helpers/fixtures';
import { runCommand, startListeningStack } from '../helpers/fuzz';

const ROOT = join(__dirname, '..', '..');
const FUZZ_ROLES: Role[] = ['resident', 'staff', 'supervisoryBoard'];
// Bounded: the whole run must fit CI. More examples: FUZZ_MAX_EXAMPLES=100 npx jest test/fuzz.
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '8';
const WALL_SECONDS = 420;

let running: Awaited<ReturnType<typeof startListeningStack>>;
let stack: Awaited<ReturnType<typeof startListeningStack>>['stack'];

beforeAll(async () => {
  running = await startListeningStack();
  stack = running.stack;
});
afterAll(() => running.stop());

it(
  'when schemathesis fuzzes every documented operation as a resident, staff and the supervisory board, it finds no failure',
  async () => {
    const compoundId = await makeCompound({ echoWallPublic: true });
    const tokens: Record<string, string> = {};
    for (const role of FUZZ_ROLES) tokens[role] = await stack.login(await makeUser(compoundId, [role]));
    // The document is served and names its operations: the run below has something to fuzz.
    const doc = await request(stack.app).get('/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths).length).toBeGreaterThan(20);

    const dir = mkdtempSync(join(tmpdir(), 'gongzhi-fuzz-'));
    const tokensFile = join(dir, 'tokens.json');
    writeFileSync(tokensFile, JSON.stringify(tokens));
    const { code, output } = await runCommand(
      'bash',
      [
        join(ROOT, 'scripts', 'fuzz.sh'),
        '--base-url',
        `${running.origin}/api/v1`,
        '--tokens',
        tokensFile,
        '--report-dir',
        join(ROOT, 'data', 'fuzz'),
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          FUZZ_MAX_EXAMPLES: MAX_EXAMPLES,
          FUZZ_TIMEOUT: String(WALL_SECONDS),
          FUZZ_PARAMETERS: JSON.stringify({ compoundId }),
        },
        timeoutMs: (WALL_SECONDS * FUZZ_ROLES.length + 60) * 1000,
      },
    );
    if (code !== 0) {
      // The whole report, so CI's log says which operation answered what.
      for (const role of FUZZ_ROLES) {
        try {
          process.stdout.write(readFileSync(join(ROOT, 'data', 'fuzz', role, 'output.txt'), 'utf8'));
        } catch {
          /* that role did not run */
        }
      }
      process.stdout.write(output);
    }
    expect({ code, tail: code === 0 ? '' : output.slice(-4000) }).toEqual({ code: 0, tail: '' });
  },
  (WALL_SECONDS * FUZZ_ROLES.length + 120) * 1000,
);
