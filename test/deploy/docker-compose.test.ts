import fs from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../config';

/**
 * Checks docker-compose.yml and the Dockerfile against the app itself, without a Docker engine: the variables the
 * services set are ones config.ts reads and accepts, and the commands the images run name files tsc emits.
 */

type Healthcheck = { test?: string | string[]; disable?: boolean };
type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: (string | number | { target: number | string; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: Healthcheck;
};
type ComposeFile = { services?: Record<string, Service>; volumes?: Record<string, unknown> };

const root = path.resolve(__dirname, '../..');
// merge: true because the file shares the app environment between api and worker with a `<<:` merge key.
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as ComposeFile;
const dockerfileText = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

const SERVICES = ['postgresql', 'temporal', 'temporal-ui', 'mongodb', 'api', 'worker'] as const;
const APP_SERVICES = ['api', 'worker'] as const;
const SAMPLE_SECRET = 'deploy-test-sample-secret-32-chr';

function service(name: string): Service {
  const s = compose.services?.[name];
  if (!s) throw new Error(`docker-compose.yml has no service '${name}'`);
  return s;
}

/** The environment as the container sees it before interpolation; list and map syntax both allowed. */
function rawEnvironment(name: string): Record<string, string> {
  const env = service(name).environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/**
 * Compose interpolation as a deployer would see it with only the required variables set:
 * `${VAR:?msg}` gets a sample value, `${VAR:-default}` its default, a bare `${VAR}` nothing.
 */
function interpolate(value: string): string {
  return value.replace(
    /\$\{(\w+)(?:(:?[?-])([^}]*))?\}/g,
    (_match, _name: string, op?: string, arg?: string) => {
      if (op === ':?' || op === '?') return SAMPLE_SECRET;
      if (op === ':-' || op === '-') return arg ?? '';
      return '';
    },
  );
}

function environment(name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(name)).map(([k, v]) => [k, interpolate(v)]));
}

function words(command: string | string[] | undefined): string[] {
  if (command === undefined) return [];
  return Array.isArray(command) ? command : command.trim().split(/\s+/);
}

function healthcheckCommand(name: string): string {
  const test = service(name).healthcheck?.test;
  return Array.isArray(test) ? test.slice(1).join(' ') : (test ?? '');
}

// ---- Dockerfile ----

type Instruction = { keyword: string; args: string };
type Stage = { name?: string; instructions: Instruction[] };

function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  if (pending) logical.push(pending);

  const stages: Stage[] = [];
  for (const line of logical.filter((l) => l !== '')) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const instruction = { keyword: match[1]!.toUpperCase(), args: match[2]!.trim() };
    if (instruction.keyword === 'FROM') {
      stages.push({ name: /\s+AS\s+(\S+)\s*$/i.exec(instruction.args)?.[1], instructions: [instruction] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

function execForm(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : words(args);
}

const stages = parseDockerfile(dockerfileText);
const runtimeStage = stages.at(-1);
const runtime = (keyword: string) => runtimeStage?.instructions.filter((i) => i.keyword === keyword) ?? [];

// ---- what tsc emits ----

const tsconfig = (() => {
  const file = path.join(root, 'tsconfig.json');
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
})();
const outDir = path.resolve(root, tsconfig.options.outDir ?? '.');
const rootDir = path.resolve(root, tsconfig.options.rootDir ?? '.');
const compiledFiles = new Set(tsconfig.fileNames.map((f) => path.resolve(f)));

/** The .ts file whose compilation produces `emitted` (a path relative to the image's working directory). */
function sourceOf(emitted: string): string {
  const relative = path.relative(outDir, path.resolve(root, emitted));
  return path.join(rootDir, relative).replace(/\.js$/, '.ts');
}

function emittedFilesIn(command: string[]): string[] {
  const prefix = path.relative(root, outDir) + '/';
  return command.filter((arg) => arg.startsWith(prefix) && arg.endsWith('.js'));
}

// ---- tests ----

describe('docker-compose.yml', () => {
  it('defines the six services a deployment needs', () => {
    expect(Object.keys(compose.services ?? {}).sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES.filter((s) => s !== 'temporal-ui'))(
    '%s has a healthcheck that runs a command, so dependents can wait for it',
    (name) => {
      const hc = service(name).healthcheck;
      expect(hc?.disable).not.toBe(true);
      const test = words(hc?.test);
      expect(test.length).toBeGreaterThan(0);
      expect(test[0]).not.toBe('NONE');
      if (['CMD', 'CMD-SHELL'].includes(test[0]!)) expect(test.length).toBeGreaterThan(1);
    },
  );

  it('the database services keep their data in named volumes that survive `down`', () => {
    const named = Object.keys(compose.volumes ?? {});
    for (const [name, dataDir] of [
      ['postgresql', '/var/lib/postgresql/data'],
      ['mongodb', '/data/db'],
    ] as const) {
      const mount = (service(name).volumes ?? [])
        .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
        .find((v) => v.target === dataDir);
      expect(mount?.source).toBeDefined();
      expect(named).toContain(mount?.source);
    }
  });

  it('pins temporal to a 1.29.x auto-setup tag and the ui to a 2.x tag', () => {
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:2\.\d+\.\d+$/);
    expect(environment('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('the temporal healthcheck waits for the namespace the api and worker use', () => {
    const namespace = environment('api').TEMPORAL_NAMESPACE;
    expect(namespace).toBeDefined();
    expect(environment('worker').TEMPORAL_NAMESPACE).toBe(namespace);
    expect(healthcheckCommand('temporal')).toContain(`--namespace ${namespace}`);
  });

  describe.each(APP_SERVICES)('the %s service', (name) => {
    it('is built from the Dockerfile in the repository root', () => {
      const build = service(name).build;
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = typeof build === 'object' ? (build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      expect(context).toBeDefined();
      expect(path.resolve(root, context!)).toBe(root);
      expect(path.resolve(root, context!, dockerfile)).toBe(path.join(root, 'Dockerfile'));
      expect(service(name).image).toBeUndefined();
    });

    it('starts only after mongodb and temporal report healthy', () => {
      const dependsOn = service(name).depends_on;
      expect(Array.isArray(dependsOn)).toBe(false);
      const conditions = dependsOn as Record<string, { condition?: string }>;
      expect(conditions.mongodb?.condition).toBe('service_healthy');
      expect(conditions.temporal?.condition).toBe('service_healthy');
    });

    it(`every variable the ${name} service sets is one the app's config reads`, () => {
      const keys = Object.keys(rawEnvironment(name));
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !(CONFIG_KEYS as string[]).includes(k))).toEqual([]);
    });

    it('takes JWT_SECRET from the deployer, with no default, and runs in production', () => {
      expect(rawEnvironment(name).JWT_SECRET).toMatch(/^\$\{JWT_SECRET:\?[^}]+\}$/);
      expect(rawEnvironment(name).NODE_ENV).toBe('production');
    });

    it('loadConfig() accepts its environment and points it at the compose services', () => {
      const config = loadConfig(environment(name));
      expect(config.env).toBe('production');
      expect(config.jwtSecret).toBe(SAMPLE_SECRET);
      expect(config.defaultTimeZone).toBe('Asia/Shanghai');
      expect(new URL(config.mongodbUri).hostname).toBe('mongodb');
      expect(config.temporal.address).toBe('temporal:7233');
    });

    it('loadConfig() refuses its environment when the deployer has not set JWT_SECRET', () => {
      const withoutSecret = environment(name);
      delete withoutSecret.JWT_SECRET;
      expect(() => loadConfig(withoutSecret)).toThrow(/JWT_SECRET/);
    });
  });

  it("the api's published port maps to the PORT it listens on, and its healthcheck probes that port", () => {
    const port = environment('api').PORT;
    expect(port).toMatch(/^\d+$/);
    expect(loadConfig(environment('api')).port).toBe(Number(port));
    const targets = (service('api').ports ?? []).flatMap((p) => {
      if (typeof p === 'object') return p.published === undefined ? [] : [String(p.target)];
      const parts = interpolate(String(p))
        .replace(/\/\w+$/, '')
        .split(':');
      return parts.length >= 2 ? [parts.at(-1)!] : [];
    });
    expect(targets).toContain(port);
    expect(healthcheckCommand('api')).toContain(`http://localhost:${port}/healthz`);
  });

  it('the worker healthcheck reads only variables the worker service sets explicitly', () => {
    const read = [...healthcheckCommand('worker').matchAll(/process\.env\.(\w+)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(0);
    const env = environment('worker');
    for (const key of read) expect(env[key]).toBeTruthy();
  });
});

describe('Dockerfile', () => {
  it('builds in one stage and runs from a separate node:20-bookworm-slim stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.instructions[0]!.args).toMatch(/^node:20-bookworm-slim(\s|$)/);
    const build = stages.slice(0, -1).flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
    expect(build.some((i) => /\bnpm ci\b/.test(i.args))).toBe(true);
    expect(build.some((i) => /\bnpm run build\b/.test(i.args))).toBe(true);
  });

  it('the runtime stage installs production dependencies only and copies dist/ from the build stage', () => {
    const installs = runtime('RUN').filter((i) => /\bnpm (ci|install)\b/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const i of installs) expect(i.args).toMatch(/--omit=dev\b/);
    const buildStages = stages.slice(0, -1).map((s) => s.name);
    const copies = runtime('COPY').filter((i) => {
      const from = /--from=(\S+)/.exec(i.args)?.[1];
      return from !== undefined && buildStages.includes(from) && /\bdist\/?(\s|$)/.test(i.args);
    });
    expect(copies.length).toBeGreaterThan(0);
  });

  it('the runtime stage runs as a non-root user with NODE_ENV=production', () => {
    const user = runtime('USER').at(-1)?.args.split(':')[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime('ENV').some((i) => /\bNODE_ENV[= ]production\b/.test(i.args))).toBe(true);
  });

  it('has no HEALTHCHECK, because compose defines a different one per service', () => {
    expect(stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'HEALTHCHECK')).toEqual([]);
  });
});

describe('commands the image runs', () => {
  const cmd = runtime('CMD').at(-1);
  const commands: [string, string[]][] = [
    ['the Dockerfile CMD', cmd ? execForm(cmd.args) : []],
    ['the api command', words(service('api').command)],
    ['the worker command', words(service('worker').command)],
  ];

  it('the api runs dist/api/server.js by default and the worker overrides it with dist/worker.js', () => {
    expect(commands[0]![1]).toEqual(['node', 'dist/api/server.js']);
    expect(commands[1]![1]).toEqual(['node', 'dist/api/server.js']);
    expect(commands[2]![1]).toEqual(['node', 'dist/worker.js']);
  });

  it.each(commands)(
    '%s runs a file that tsc emits from a source file in the repository',
    (_label, command) => {
      const emitted = emittedFilesIn(command);
      expect(emitted.length).toBeGreaterThan(0);
      for (const file of emitted) {
        const source = sourceOf(file);
        expect(path.relative(rootDir, source).startsWith('..')).toBe(false);
        expect({ source, exists: fs.existsSync(source) }).toEqual({ source, exists: true });
        // Existing is not enough: tsconfig's include must cover it, or tsc never emits the .js.
        expect({ source, compiled: compiledFiles.has(source) }).toEqual({ source, compiled: true });
      }
    },
  );
});

describe('.dockerignore', () => {
  it("keeps the host's node_modules, dist and secrets out of the build context", () => {
    const ignored = fs
      .readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim().replace(/^\/|\/$/g, ''))
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', 'dist', '.tools', 'data', 'coverage', '.git', '.env']) {
      expect(ignored).toContain(entry);
    }
  });
});
