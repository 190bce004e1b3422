/**
 * Administration from the command line, for a deployment with no one in it yet.
 *
 *   npm run admin -- create-admin --username ops --name 社区管理员 < password.txt
 *   GONGZHI_ADMIN_PASSWORD=… npm run admin -- create-admin --username ops --name 社区管理员
 *
 * The password comes from standard input (its first line) or GONGZHI_ADMIN_PASSWORD, never from the
 * command line, where other users of the machine could read it. Exit 0 when done, 1 when refused, 2 on
 * bad usage. In the compose deployment: `docker compose run --rm -T api node dist/scripts/admin.js …`.
 */
import mongoose from 'mongoose';
import { loadConfig } from '../config';
import { DomainError } from '../domain/errors';
import { createAdministrator } from '../services/administrators';

const USAGE =
  'usage: admin create-admin --username NAME --name 姓名  (password on stdin or in GONGZHI_ADMIN_PASSWORD)';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.GONGZHI_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (process.stdin.isTTY)
    throw new DomainError('invalid', '请从标准输入给出密码（或设置 GONGZHI_ADMIN_PASSWORD）');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim();
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'create-admin') {
    console.error(USAGE);
    return 2;
  }
  const username = flag(args, 'username');
  const name = flag(args, 'name');
  if (!username || !name) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  await mongoose.connect(config.mongodbUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const admin = await createAdministrator({ username, name, password: await readPassword() });
    console.log(`已创建管理员 ${admin.name}（用户名 ${admin.username}，id ${admin.id}）`);
    return 0;
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`未创建：${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await mongoose.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
