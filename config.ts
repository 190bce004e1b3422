import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { isTimeZone } from './domain/calendar';

/** Environment, parsed once at start-up; a bad value stops the process with a message naming it. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where the API listens: this machine only unless told otherwise (the containers set 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URI')
    .default('mongodb://127.0.0.1:27017/gongzhi'),
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('gongzhi'),
  JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(12 * 3600),
  NOTIFY_WEBHOOK_URL: z.url().optional(),
  NOTIFY_LOG: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  /** The SMS gateway for registration codes (template model: sign + template code + parameters). */
  SMS_ENDPOINT: z.url().optional(),
  SMS_SIGN_NAME: z.string().min(1).max(20).optional(),
  SMS_TEMPLATE_CODE: z.string().min(1).max(40).optional(),
  /** Where residents open the web app (printed in the buildings' registration QR codes). */
  PUBLIC_BASE_URL: z
    .url()
    .regex(/^https?:\/\//, 'must be an http(s):// URL')
    .default('http://localhost:3000'),
  /** Per-user and per-address limits (login, intake, exports, public pages). Off only for load tests. */
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  DEFAULT_TIME_ZONE: z.string().default('Asia/Shanghai'),
  LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce
    .number()
    .int('must be a whole number ≥ 0')
    .min(0, 'must be a whole number ≥ 0')
    .default(2000),
});

export type Config = {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  mongodbUri: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  jwtSecret: string;
  tokenTtlSeconds: number;
  notify: { webhookUrl?: string; log: boolean };
  rateLimits: boolean;
  sms?: { endpoint: string; signName: string; templateCode: string };
  /** The web app's address as residents reach it, e.g. https://gongzhi.example.cn (no trailing slash needed). */
  publicBaseUrl: string;
  defaultTimeZone: string;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How many workflows a worker keeps in memory between their tasks (0 disables the cache). An evicted
   * workflow costs a replay of its history at its next task; a cached one costs memory. The SDK's own
   * default follows the V8 heap limit, so it changes with the machine; 2000 is explicit and, measured
   * by bench/timers.ts, keeps the worker well below 1 GiB of RSS.
   */
  workerMaxCachedWorkflows: number;
};

/** Where development keeps its own signing key when JWT_SECRET is not set (data/ is git-ignored). */
export const DEV_SECRET_FILE = join(__dirname, 'data', 'jwt-secret');

/**
 * Development's signing key: random, made on first start and kept (mode 600) so tokens survive a
 * restart; never one written in the repository, which would let anyone mint tokens for any deployment
 * started without JWT_SECRET.
 */
export function developmentSecret(file: string = DEV_SECRET_FILE): string {
  const read = () => {
    try {
      const kept = readFileSync(file, 'utf8').trim();
      return kept.length >= 32 ? kept : undefined;
    } catch {
      return undefined;
    }
  };
  const kept = read();
  if (kept) return kept;
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs. Anything else (a short file) is replaced.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !read())
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  }
  return read()!;
}

export function loadConfig(
  source: NodeJS.ProcessEnv = process.env,
  opts: { secretFile?: string } = {},
): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`配置错误 / invalid configuration:\n${lines}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new Error('配置错误 / invalid configuration:\n  JWT_SECRET: required in production');
  }
  if (!isTimeZone(e.DEFAULT_TIME_ZONE)) {
    throw new Error(
      `配置错误 / invalid configuration:\n  DEFAULT_TIME_ZONE: unknown time zone '${e.DEFAULT_TIME_ZONE}'`,
    );
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    mongodbUri: e.MONGODB_URI,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
    },
    jwtSecret: e.JWT_SECRET ?? developmentSecret(opts.secretFile),
    tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
    notify: { webhookUrl: e.NOTIFY_WEBHOOK_URL, log: e.NOTIFY_LOG ?? e.NODE_ENV === 'development' },
    rateLimits: e.RATE_LIMITS === 'on',
    sms:
      e.SMS_ENDPOINT && e.SMS_SIGN_NAME && e.SMS_TEMPLATE_CODE
        ? { endpoint: e.SMS_ENDPOINT, signName: e.SMS_SIGN_NAME, templateCode: e.SMS_TEMPLATE_CODE }
        : undefined,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    logLevel: e.LOG_LEVEL,
    workerMaxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
  };
}

/** The variables the app reads; deployment files are checked against this list. */
export const CONFIG_KEYS = Object.keys(envSchema.shape) as (keyof typeof envSchema.shape)[];
