/**
 * From an empty deployment to someone who can sign in: the administrator made from the command line,
 * against the real database, then signing in through the real API.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { User } from '../../models/user';
import { cycles, importGraph } from '../../scripts/import-graph';
import { startStack } from '../helpers/app';
import { makeCompound } from '../helpers/fixtures';

const ROOT = join(__dirname, '..', '..');
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

function admin(args: string[], stdin: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [join(ROOT, 'scripts', 'admin.ts'), ...args],
      {
        env: { ...process.env, MONGODB_URI: stack.db.uri, GONGZHI_ADMIN_PASSWORD: '', ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.end(stdin);
    child.on('close', (code) => resolve({ code, out }));
  });
}

it('when the first administrator is created from the command line, they can sign in and act in any compound', async () => {
  const username = `ops${Date.now().toString(36)}`;
  const password = 'Correct-Horse-42-Battery';
  const made = await admin(['create-admin', '--username', username, '--name', '社区管理员'], `${password}\n`);
  expect(made).toMatchObject({ code: 0, out: expect.stringContaining('已创建管理员') });
  expect(made.out).not.toContain(password);

  const login = await request(stack.app).post('/api/v1/auth/login').send({ username, password });
  expect(login.status).toBe(200);
  const compound = await makeCompound();
  const read = await request(stack.app)
    .patch(`/api/v1/compounds/${compound}/settings`)
    .set('Authorization', `Bearer ${login.body.token as string}`)
    .send({ echoWallPublic: true });
  expect(read.status).toBe(200);
  const stored = await User.findOne({ username }).select('+passwordHash').lean().orFail();
  expect(stored.memberships).toEqual([{ compoundId: '*', roles: ['admin'] }]);
  expect(stored.passwordHash).toMatch(/^scrypt\$/);

  // The same name again is refused, and nothing is changed.
  const again = await admin(
    ['create-admin', '--username', username, '--name', '另一人'],
    'Another-Good-Pass-77\n',
  );
  expect(again.code).toBe(1);
  expect(again.out).toContain('已被使用');
  expect(await User.countDocuments({ username })).toBe(1);
});

it('when the password is weak, missing or the usage is wrong, no administrator is made', async () => {
  const username = `weak${Date.now().toString(36)}`;
  const short = await admin(['create-admin', '--username', username, '--name', '管理员'], 'short\n');
  expect(short.code).toBe(1);
  expect(short.out).toContain('至少 12');
  const repeated = await admin(
    ['create-admin', '--username', username, '--name', '管理员'],
    'aaaaaaaaaaaaaaaa\n',
  );
  expect(repeated.code).toBe(1);
  const withName = await admin(
    ['create-admin', '--username', username, '--name', '管理员'],
    `${username}-2026-xyz\n`,
  );
  expect(withName.out).toContain('不能包含用户名');
  const badName = await admin(
    ['create-admin', '--username', '$ne', '--name', '管理员'],
    'Correct-Horse-42-Battery\n',
  );
  expect(badName.code).toBe(1);
  const usage = await admin(['make-admin'], '');
  expect(usage.code).toBe(2);
  expect(await User.countDocuments({ username })).toBe(0);
});

it('when the API or the worker starts, nothing it imports can seed the demo people', () => {
  const graph = importGraph();
  const reach = (from: string) => {
    const seen = new Set<string>();
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const t of graph.get(f) ?? []) walk(t);
    };
    walk(from);
    return seen;
  };
  expect(graph.has('scripts/seed-demo.ts')).toBe(true);
  for (const entry of ['api/server.ts', 'worker.ts'])
    expect(reach(entry).has('scripts/seed-demo.ts')).toBe(false);
  expect(cycles(graph)).toEqual([]);
});
