import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../config';

/**
 * Checks docker-compose.yml, its files under deploy/ and the Dockerfile against the app itself, without a Docker
 * engine: the variables the services set are ones config.ts reads and accepts, the commands the images run name
 * files tsc emits, and the topology is the production one (a MongoDB replica set with majority reads and writes,
 * Temporal on PostgreSQL with our search attributes registered, several api and worker replicas behind the proxy,
 * nothing but the proxy published, no secret in the repository) and the deployment defaults of issue 10: MongoDB
 * with access control and an application user, every database password required, the Temporal Web UI read-only,
 * TLS at the proxy, memory limits, read-only root filesystems and dropped capabilities. Where the tools are on the
 * machine, the real `docker compose config`, `caddy adapt`/`caddy validate`, the search-attribute script (against
 * a stand-in CLI) and the MongoDB keyfile script (against a stand-in entrypoint) run too.
 */

type Healthcheck = { test?: string | string[]; disable?: boolean };
type Volume =
  | string
  | {
      type?: string;
      source?: string;
      target: string;
      read_only?: boolean;
      bind?: { create_host_path?: boolean };
    };
type Port = string | number | { target: number | string; published?: number | string; host_ip?: string };
type Service = {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Port[];
  expose?: (string | number)[];
  volumes?: Volume[];
  networks?: string[] | Record<string, unknown>;
  healthcheck?: Healthcheck;
  restart?: string;
  deploy?: { replicas?: number | string; resources?: unknown };
  container_name?: string;
  mem_limit?: string | number;
  read_only?: boolean;
  tmpfs?: string | string[];
  security_opt?: string[];
  cap_drop?: string[];
  cap_add?: string[];
  user?: string;
};
type ComposeFile = {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, { internal?: boolean } | null>;
};

const root = path.resolve(__dirname, '../..');
const composeText = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
// merge: true because the file shares the app environment and settings between api and worker with `<<:` keys.
const compose = parse(composeText, { merge: true }) as ComposeFile;
const dockerfileText = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const caddyfile = fs.readFileSync(path.join(root, 'deploy/Caddyfile'), 'utf8');
const envExample = fs.readFileSync(path.join(root, 'deploy/.env.example'), 'utf8');
const mongoEntrypoint = path.join(root, 'deploy/mongo-entrypoint.sh');
const mongoInitDir = path.join(root, 'deploy/mongo-init');

const SERVICES = [
  'postgresql',
  'temporal',
  'temporal-search-attributes',
  'temporal-ui',
  'mongodb',
  'api',
  'worker',
  'proxy',
] as const;
/** Exit once their job is done; everything else runs for good. */
const ONE_SHOT = ['temporal-search-attributes'];
const APP_SERVICES = ['api', 'worker'] as const;
const DATABASES = ['postgresql', 'mongodb'] as const;
const SAMPLE_SECRET = 'deploy-test-sample-secret-32-chr';
/** What the deployer must set: compose refuses to start without any of them, and none has a default. */
const REQUIRED = [
  'GONGZHI_TLS_DIR',
  'JWT_SECRET',
  'MONGO_APP_PASSWORD',
  'MONGO_ROOT_PASSWORD',
  'TEMPORAL_DB_PASSWORD',
] as const;
/** The required variables that are secrets (the rest is a path). */
const SECRETS = REQUIRED.filter((name) => name !== 'GONGZHI_TLS_DIR');
/** Services whose image writes nothing at run time but temporary files: their root filesystem is read-only. */
const READ_ONLY = ['api', 'worker', 'proxy', 'temporal-ui', 'temporal-search-attributes'] as const;
/** The capabilities a service may add back after dropping them all, each with the reason in docker-compose.yml. */
const CAPABILITIES_ALLOWED: Record<string, string[]> = {
  // The images' entrypoints start as root, fix the ownership of the data directories and drop to their user.
  postgresql: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
  mongodb: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETGID', 'SETUID'],
  // Binding 80 and 443.
  proxy: ['NET_BIND_SERVICE'],
};
/** Where the proxy finds the certificate, inside its container. */
const TLS_DIR = '/etc/caddy/tls';
/** The custom search attributes the workflows carry (issue 9), by their CLI type names. */
const SEARCH_ATTRIBUTES = { GongzhiCompound: 'Keyword', GongzhiKind: 'Keyword', GongzhiStatus: 'Keyword' };

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

function dependsOn(name: string): Record<string, { condition?: string }> {
  const deps = service(name).depends_on ?? {};
  return Array.isArray(deps) ? Object.fromEntries(deps.map((d) => [d, {}])) : deps;
}

function networksOf(name: string): string[] {
  const n = service(name).networks;
  if (n === undefined) return ['default'];
  return Array.isArray(n) ? n : Object.keys(n);
}

/** Published ports as [host address, host port, container port]; the host address is '' for all interfaces. */
function publishedPorts(name: string): { hostIp: string; published: string; target: string }[] {
  return (service(name).ports ?? []).flatMap((p) => {
    if (typeof p === 'object') {
      if (p.published === undefined) return [];
      return [
        { hostIp: p.host_ip ?? '', published: interpolate(String(p.published)), target: String(p.target) },
      ];
    }
    const parts = interpolate(String(p))
      .replace(/\/\w+$/, '')
      .split(':');
    if (parts.length === 3) return [{ hostIp: parts[0]!, published: parts[1]!, target: parts[2]! }];
    if (parts.length === 2) return [{ hostIp: '', published: parts[0]!, target: parts[1]! }];
    // A bare container port publishes on a random host port of every interface.
    return [{ hostIp: '', published: '', target: parts[0]! }];
  });
}

function bindMounts(name: string): { source: string; target: string; readOnly: boolean }[] {
  return (service(name).volumes ?? []).flatMap((v) => {
    if (typeof v === 'object') {
      return v.type === 'bind' && v.source
        ? [{ source: v.source, target: v.target, readOnly: v.read_only === true }]
        : [];
    }
    const [source, target, mode] = v.split(':');
    if (!source || !target || !/^[./]/.test(source)) return [];
    return [{ source, target, readOnly: (mode ?? '').split(',').includes('ro') }];
  });
}

/** A service's mounts in long form, whichever syntax the file uses. */
function mounts(name: string): { type: string; source: string; target: string; readOnly: boolean }[] {
  return (service(name).volumes ?? []).map((v) => {
    if (typeof v === 'object') {
      return {
        type: v.type ?? 'volume',
        source: v.source ?? '',
        target: v.target,
        readOnly: v.read_only === true,
      };
    }
    const [source = '', target = '', mode = ''] = v.split(':');
    return {
      type: /^[./]/.test(source) ? 'bind' : 'volume',
      source,
      target,
      readOnly: mode.split(',').includes('ro'),
    };
  });
}

/** `512m`, `1g`, `1536m`, a byte count: in bytes, as Docker reads a memory limit. */
function bytes(size: string | number | undefined): number {
  if (size === undefined) return NaN;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(String(size).trim());
  if (!m) return NaN;
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    m[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'
  ];
  return Number(m[1]) * unit;
}

function tmpfsMounts(name: string): string[] {
  const t = service(name).tmpfs ?? [];
  return (Array.isArray(t) ? t : [t]).map((entry) => entry.split(':')[0]!);
}

/** The value of a command-line option given as `--name value` or `--name=value`. */
function option(command: string[], name: string): string | undefined {
  const i = command.indexOf(name);
  if (i >= 0) return command[i + 1];
  return command.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

/** Every `${VAR:?…}` in the compose file: what the deployer must provide. */
const requiredVariables = [...new Set([...composeText.matchAll(/\$\{(\w+):?\?[^}]*\}/g)].map((m) => m[1]!))];

/** Lower case without underscores, so the CLI's Keyword, the SDK's KEYWORD and the server's enum compare. */
function normaliseType(type: string): string {
  return type
    .toLowerCase()
    .replace(/^indexed_value_type_/, '')
    .replace(/_/g, '');
}

/** `Name=Type` pairs from the one-shot's GONGZHI_SEARCH_ATTRIBUTES. */
function searchAttributesRegistered(): Record<string, string> {
  const list = environment('temporal-search-attributes').GONGZHI_SEARCH_ATTRIBUTES ?? '';
  return Object.fromEntries(
    list
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/**
 * The search attributes the app's code defines with `defineSearchAttributeKey`: the exported keys of every module
 * that calls it, and any call with literal arguments (an unexported key too).
 */
function searchAttributesInCode(): Record<string, string> {
  const found: Record<string, string> = {};
  const appFiles = tsconfig.fileNames
    .map((f) => path.resolve(f))
    .filter(
      (f) =>
        !path
          .relative(root, f)
          .split(path.sep)
          .some((part) => ['test', 'bench'].includes(part)),
    );
  for (const file of appFiles) {
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('defineSearchAttributeKey')) continue;
    for (const m of text.matchAll(
      /defineSearchAttributeKey\(\s*['"`](\w+)['"`]\s*,\s*SearchAttributeType\.(\w+)/g,
    )) {
      found[m[1]!] = m[2]!;
    }
    const collect = (value: unknown, depth: number) => {
      if (!value || typeof value !== 'object' || depth > 2) return;
      const v = value as { name?: unknown; type?: unknown };
      if (typeof v.name === 'string' && typeof v.type === 'string' && Object.keys(v).length === 2) {
        found[v.name] = v.type;
        return;
      }
      for (const inner of Object.values(value)) collect(inner, depth + 1);
    };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- whichever modules define keys
    collect(require(file) as unknown, 0);
  }
  return found;
}

function has(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0;
}
const dockerCompose = has('docker', ['compose', 'version']);
const caddy = has('caddy', ['version']);
const shellWithJq = has('sh', ['-c', 'command -v jq']);
const itCaddy = caddy ? it : it.skip; // the image's caddy is newer; the Caddyfile uses nothing past 2.6

// ---- deploy/Caddyfile ----

type CaddySite = { address: string; body: string };

/** The Caddyfile's top-level blocks (a block opens at the start of a line and closes with a `}` alone there). */
const caddyBlocks: CaddySite[] = [...caddyfile.matchAll(/^(\S[^\n]*?)\s*\{\n([\s\S]*?)^\}/gm)].map((m) => ({
  address: m[1]!,
  body: m[2]!,
}));

/** The sites, with each `import snippet` replaced by the snippet's body. */
function caddySites(): CaddySite[] {
  const snippets = Object.fromEntries(
    caddyBlocks.filter((b) => /^\(\w[\w-]*\)$/.test(b.address)).map((b) => [b.address.slice(1, -1), b.body]),
  );
  return caddyBlocks
    .filter((b) => !b.address.startsWith('('))
    .map((b) => ({
      address: b.address,
      body: b.body.replace(/^\s*import\s+([\w-]+)\s*$/gm, (line, name: string) => snippets[name] ?? line),
    }));
}

function sitePort(address: string): string | undefined {
  return /:(\d+)$/.exec(address)?.[1];
}

/** Sites bound to the container's loopback: unreachable from outside the container. */
function loopbackSites(): CaddySite[] {
  return caddySites().filter((s) => /^\s*bind\s+127\.0\.0\.1\s*$/m.test(s.body));
}

function publicSites(): CaddySite[] {
  const loopback = loopbackSites().map((s) => s.address);
  return caddySites().filter((s) => !loopback.includes(s.address));
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
  it('defines the services a deployment needs', () => {
    expect(Object.keys(compose.services ?? {}).sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES.filter((s) => s !== 'temporal-ui' && !ONE_SHOT.includes(s)))(
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

  it.each(SERVICES.filter((s) => !ONE_SHOT.includes(s)))('%s restarts by itself', (name) => {
    expect(['always', 'unless-stopped']).toContain(service(name).restart);
  });

  it('the one-shot jobs are not restarted once they have exited', () => {
    for (const name of ONE_SHOT) expect(service(name).restart ?? 'no').toBe('no');
  });

  it('every image is pinned: a tag that is not `latest`, the Temporal images to an exact release', () => {
    for (const name of SERVICES) {
      const image = service(name).image;
      if (image === undefined) continue; // built from the Dockerfile
      expect({ name, image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:[\w.-]+$/) });
      expect(image.endsWith(':latest')).toBe(false);
    }
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:2\.\d+\.\d+$/);
    // The admin tools of the same server release: the CLI and the server agree on the operator API.
    const serverVersion = service('temporal').image!.split(':')[1]!;
    expect(service('temporal-search-attributes').image).toMatch(
      new RegExp(`^temporalio/admin-tools:${serverVersion.replace(/\./g, '\\.')}(-|$)`),
    );
    expect(service('mongodb').image).toMatch(/^mongo:7\.\d+/);
    expect(service('proxy').image).toMatch(/^caddy:2\.\d+\.\d+/);
  });

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

  describe('MongoDB', () => {
    const uri = () => new URL(environment('api').MONGODB_URI!);

    it('runs as a replica set, and the app connects to it by its name', () => {
      const command = words(service('mongodb').command);
      const set = command[command.indexOf('--replSet') + 1];
      expect(command).toContain('--replSet');
      expect(set).toMatch(/^\w+$/);
      expect(uri().searchParams.get('replicaSet')).toBe(set);
    });

    it('writes and reads are majority-acknowledged', () => {
      expect(uri().searchParams.get('w')).toBe('majority');
      expect(uri().searchParams.get('readConcernLevel')).toBe('majority');
    });

    it('its healthcheck initiates the set once, with the member name the app resolves, and waits for a primary', () => {
      const command = words(service('mongodb').command);
      const set = command[command.indexOf('--replSet') + 1];
      const check = healthcheckCommand('mongodb');
      // Idempotent: initiate only when the server says the set is not initiated yet.
      expect(check).toMatch(/rs\.status\(\)/);
      expect(check).toContain('NotYetInitialized');
      const initiate =
        /rs\.initiate\(\{\s*_id:\s*'(\w+)',\s*members:\s*\[\{\s*_id:\s*0,\s*host:\s*'([\w.-]+:\d+)'/.exec(
          check,
        );
      expect(initiate?.[1]).toBe(set);
      expect(initiate?.[2]).toBe(`${uri().hostname}:${uri().port || '27017'}`);
      expect(uri().hostname).toBe('mongodb');
      expect(check).toContain('isWritablePrimary');
    });
  });

  describe('Temporal', () => {
    it('runs on the PostgreSQL service, started once it is healthy, with one password from the deployer', () => {
      const env = rawEnvironment('temporal');
      expect(env.DB).toBe('postgres12');
      expect(env.POSTGRES_SEEDS).toBe('postgresql');
      expect(env.POSTGRES_USER).toBe(rawEnvironment('postgresql').POSTGRES_USER);
      expect(env.POSTGRES_PWD).toMatch(/^\$\{TEMPORAL_DB_PASSWORD:\?[^}]+\}$/);
      expect(rawEnvironment('postgresql').POSTGRES_PASSWORD).toBe(env.POSTGRES_PWD);
      expect(dependsOn('temporal').postgresql?.condition).toBe('service_healthy');
    });

    it('registers the namespace the api and worker use, and its healthcheck waits for it', () => {
      const namespace = environment('api').TEMPORAL_NAMESPACE;
      expect(namespace).toBeDefined();
      expect(environment('worker').TEMPORAL_NAMESPACE).toBe(namespace);
      expect(environment('temporal').DEFAULT_NAMESPACE ?? 'default').toBe(namespace);
      expect(healthcheckCommand('temporal')).toContain(`--namespace ${namespace}`);
    });

    it("auto-setup does not add its own test search attributes to the app's namespace", () => {
      expect(environment('temporal').SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES).toBe('true');
    });

    it('the ui reaches the frontend on the compose network', () => {
      expect(environment('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    });
  });

  describe('search attributes', () => {
    const script = () => {
      const mount = bindMounts('temporal-search-attributes').find((m) =>
        words(service('temporal-search-attributes').entrypoint).includes(m.target),
      );
      expect(mount).toBeDefined();
      return { ...mount!, file: path.resolve(root, mount!.source) };
    };

    it('GongzhiCompound, GongzhiKind and GongzhiStatus are registered as Keyword', () => {
      expect(searchAttributesRegistered()).toEqual(SEARCH_ATTRIBUTES);
    });

    it('every search attribute the code defines is registered, with the same type', () => {
      const registered = searchAttributesRegistered();
      for (const [name, type] of Object.entries(searchAttributesInCode())) {
        expect({ name, type: registered[name] && normaliseType(registered[name]) }).toEqual({
          name,
          type: normaliseType(type),
        });
      }
    });

    it('the one-shot runs the script from deploy/, read-only, once Temporal is healthy, in the app namespace', () => {
      const { file, readOnly } = script();
      expect(path.relative(path.join(root, 'deploy'), file).startsWith('..')).toBe(false);
      expect(fs.existsSync(file)).toBe(true);
      expect(readOnly).toBe(true);
      // The admin-tools image's own entrypoint only sleeps: the service must replace it.
      expect(words(service('temporal-search-attributes').entrypoint)[0]).toMatch(/^(\/bin\/)?(ba)?sh$/);
      expect(dependsOn('temporal-search-attributes').temporal?.condition).toBe('service_healthy');
      const env = environment('temporal-search-attributes');
      expect(env.TEMPORAL_ADDRESS).toBe(environment('api').TEMPORAL_ADDRESS);
      expect(env.TEMPORAL_NAMESPACE).toBe(environment('api').TEMPORAL_NAMESPACE);
    });

    it.each(APP_SERVICES)('%s starts only after the search attributes are registered', (name) => {
      expect(dependsOn(name)['temporal-search-attributes']?.condition).toBe('service_completed_successfully');
    });

    describe('the script, against a stand-in for the temporal CLI', () => {
      let dir: string;
      beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongzhi-sa-'));
        // Keeps the namespace's custom attributes in a file, one Name=INDEXED_VALUE_TYPE_X line each, and
        // answers `list --output json` and `create --name … --type …` as the real CLI does.
        fs.writeFileSync(
          path.join(dir, 'temporal'),
          [
            '#!/bin/sh',
            'state="$FAKE_STATE"',
            'echo "$*" >> "$state.calls"',
            '[ -f "$state.down" ] && { echo "connection refused" >&2; exit 1; }',
            'case "$*" in',
            '  "operator search-attribute list"*)',
            '    printf \'{"customAttributes":{\'; sep=""',
            '    while IFS="=" read -r n t; do [ -n "$n" ] && printf \'%s"%s":"%s"\' "$sep" "$n" "$t" && sep=","; done < "$state"',
            '    printf \'},"systemAttributes":{"WorkflowId":"INDEXED_VALUE_TYPE_KEYWORD"}}\\n\' ;;',
            '  "operator search-attribute create"*)',
            '    set -- $*',
            '    while [ $# -gt 0 ]; do case "$1" in',
            '      --name) n=$2; shift ;;',
            '      --type) echo "$n=INDEXED_VALUE_TYPE_$(echo "$2" | tr a-z A-Z)" >> "$state" ;;',
            '    esac; shift; done',
            '    echo "Search attributes have been added" ;;',
            '  *) echo "unexpected: $*" >&2; exit 2 ;;',
            'esac',
            '',
          ].join('\n'),
          { mode: 0o755 },
        );
      });
      afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

      /** Runs the script as the one-shot does, with the namespace holding `existing`. */
      function run(name: string, existing: string[], opts: { down?: boolean } = {}) {
        const state = path.join(dir, name);
        fs.writeFileSync(state, existing.map((l) => l + '\n').join(''));
        if (opts.down) fs.writeFileSync(state + '.down', '');
        const r = spawnSync('sh', [script().file], {
          encoding: 'utf8',
          timeout: 30_000,
          env: {
            ...environment('temporal-search-attributes'),
            PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
            FAKE_STATE: state,
            ATTEMPTS: '3',
            INTERVAL: '0',
          },
        });
        const calls = fs.existsSync(state + '.calls') ? fs.readFileSync(state + '.calls', 'utf8') : '';
        return {
          status: r.status,
          output: r.stdout + r.stderr,
          creates: calls.split('\n').filter((c) => c.startsWith('operator search-attribute create')),
          calls,
          registered: fs.readFileSync(state, 'utf8').split('\n').filter(Boolean).sort(),
        };
      }

      const wanted = Object.keys(SEARCH_ATTRIBUTES).map((n) => `${n}=INDEXED_VALUE_TYPE_KEYWORD`);
      const itJq = shellWithJq ? it : it.skip; // jq is in the admin-tools image; here it may not be

      itJq('creates the attributes in a fresh namespace, in the namespace and at the address given', () => {
        const r = run('fresh', []);
        expect(r.status).toBe(0);
        expect(r.registered).toEqual(wanted.sort());
        expect(r.creates).toHaveLength(1);
        const env = environment('temporal-search-attributes');
        expect(r.creates[0]).toContain(`--namespace ${env.TEMPORAL_NAMESPACE}`);
        expect(r.creates[0]).toContain(`--address ${env.TEMPORAL_ADDRESS}`);
      });

      itJq('run again, creates nothing and succeeds', () => {
        const r = run('again', wanted);
        expect(r.status).toBe(0);
        expect(r.creates).toEqual([]);
      });

      itJq('creates only what is missing, leaving the other custom attributes alone', () => {
        const r = run('partial', ['GongzhiKind=Keyword', 'CustomKeywordField=INDEXED_VALUE_TYPE_KEYWORD']);
        expect(r.status).toBe(0);
        expect(r.creates).toHaveLength(1);
        expect(r.creates[0]).not.toContain('GongzhiKind');
        expect(r.registered).toEqual(
          expect.arrayContaining([
            ...wanted.filter((w) => !w.startsWith('GongzhiKind=')),
            'GongzhiKind=Keyword',
          ]),
        );
      });

      itJq('refuses to go on when an attribute exists with another type', () => {
        const r = run('conflict', ['GongzhiStatus=INDEXED_VALUE_TYPE_TEXT']);
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/GongzhiStatus already exists .* as text, not Keyword/);
        expect(r.creates).toEqual([]);
      });

      itJq('waits for Temporal, and gives up with a failure after its attempts', () => {
        const r = run('down', [], { down: true });
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/gave up after 3 attempts/);
      });
    });
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
      expect(Array.isArray(service(name).depends_on)).toBe(false);
      expect(dependsOn(name).mongodb?.condition).toBe('service_healthy');
      expect(dependsOn(name).temporal?.condition).toBe('service_healthy');
    });

    it('runs at least two replicas, none of them with a fixed container name or host port', () => {
      expect(Number(interpolate(String(service(name).deploy?.replicas ?? 1)))).toBeGreaterThanOrEqual(2);
      expect(service(name).container_name).toBeUndefined();
      expect(publishedPorts(name)).toEqual([]);
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

  it('the api and the worker share one environment, but for the api’s PORT and HOST', () => {
    const { PORT, HOST, ...api } = environment('api');
    expect(PORT).toBeDefined();
    // Inside its container the API listens on every interface, for the proxy; it is not published.
    expect(HOST).toBe('0.0.0.0');
    expect(service('api').ports ?? []).toEqual([]);
    expect(api).toEqual(environment('worker'));
  });

  it('the api healthcheck probes the PORT it listens on', () => {
    const port = environment('api').PORT;
    expect(port).toMatch(/^\d+$/);
    expect(loadConfig(environment('api')).port).toBe(Number(port));
    expect(healthcheckCommand('api')).toContain(`http://localhost:${port}/healthz`);
  });

  it('the worker healthcheck reads only variables the worker service sets explicitly', () => {
    const read = [...healthcheckCommand('worker').matchAll(/process\.env\.(\w+)/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(0);
    const env = environment('worker');
    for (const key of read) expect(env[key]).toBeTruthy();
  });

  describe('the proxy', () => {
    it('is the only service published on all interfaces; the ui is on loopback; nothing else is published', () => {
      const published = Object.fromEntries(SERVICES.map((s) => [s, publishedPorts(s)]));
      expect(published.proxy!.length).toBeGreaterThan(0);
      for (const p of published.proxy!) expect(p.hostIp).toBe('');
      for (const p of published['temporal-ui']!) expect(p.hostIp).toBe('127.0.0.1');
      for (const s of SERVICES.filter((s) => !['proxy', 'temporal-ui'].includes(s))) {
        expect({ s, ports: published[s] }).toEqual({ s, ports: [] });
      }
    });

    it('publishes 80 and 443 as themselves, the ports the Caddyfile’s public sites serve', () => {
      // The redirect keeps the host and drops any port, and HSTS is per host: both assume the standard ports.
      const ports = publishedPorts('proxy').map((p) => `${p.published}:${p.target}`);
      expect(ports.sort()).toEqual(['443:443', '80:80']);
      expect(
        publicSites()
          .map((s) => sitePort(s.address))
          .sort(),
      ).toEqual(['443', '80']);
    });

    it('its one other site listens on the container’s loopback only, on a port that is not published', () => {
      const loopback = loopbackSites();
      expect(loopback).toHaveLength(1);
      expect(publishedPorts('proxy').map((p) => p.target)).not.toContain(sitePort(loopback[0]!.address));
    });

    it('serves deploy/Caddyfile, mounted read-only', () => {
      const mount = bindMounts('proxy').find((m) => m.target === '/etc/caddy/Caddyfile');
      expect(mount && path.resolve(root, mount.source)).toBe(path.join(root, 'deploy/Caddyfile'));
      expect(mount?.readOnly).toBe(true);
    });

    it('spreads requests over the replicas of the api service, at the PORT they listen on', () => {
      const upstream = /dynamic\s+a\s+(\S+)\s+(\d+)/.exec(caddyfile);
      expect(upstream?.[1]).toBe('api');
      expect(upstream?.[2]).toBe(environment('api').PORT);
      // A fixed upstream list would pin the addresses the replicas had when the proxy started.
      expect(caddyfile).not.toMatch(/reverse_proxy\s+[\w.:]+/);
      // The HTTPS site and the healthcheck's site reach the api the same way.
      const proxying = caddySites().filter((s) => /reverse_proxy/.test(s.body));
      expect(proxying.map((s) => s.address).sort()).toEqual([loopbackSites()[0]!.address, ':443'].sort());
      const imported = caddyBlocks
        .filter((b) => proxying.some((s) => s.address === b.address))
        .map((b) => {
          expect(b.body).not.toMatch(/reverse_proxy/);
          return /^\s*import\s+([\w-]+)\s*$/m.exec(b.body)?.[1];
        });
      expect(imported).toHaveLength(2);
      expect(new Set(imported).size).toBe(1);
    });

    it('starts once the api is healthy, and its healthcheck goes through itself to the api', () => {
      expect(dependsOn('proxy').api?.condition).toBe('service_healthy');
      expect(healthcheckCommand('proxy')).toContain(
        `http://127.0.0.1:${sitePort(loopbackSites()[0]!.address)}/healthz`,
      );
    });
  });

  describe('TLS at the proxy', () => {
    const https = () => caddySites().find((s) => sitePort(s.address) === '443')!;
    const http = () => caddySites().find((s) => sitePort(s.address) === '80')!;

    it('the HTTPS site loads its certificate and key from the directory mounted from GONGZHI_TLS_DIR', () => {
      const tls = /^\s*tls\s+(\S+)\s+(\S+)\s*$/m.exec(https().body);
      expect(tls).not.toBeNull();
      expect(path.posix.dirname(tls![1]!)).toBe(TLS_DIR);
      expect(path.posix.dirname(tls![2]!)).toBe(TLS_DIR);
      const mount = mounts('proxy').find((m) => m.target === TLS_DIR);
      expect(mount).toMatchObject({ type: 'bind', readOnly: true });
      expect(mount?.source).toMatch(/^\$\{GONGZHI_TLS_DIR:\?[^}]+\}$/);
      // Long syntax without create_host_path: Docker refuses a missing directory instead of creating an empty one.
      const raw = (service('proxy').volumes ?? []).find((v) => typeof v === 'object' && v.target === TLS_DIR);
      expect(typeof raw === 'object' && raw.bind?.create_host_path).toBeFalsy();
    });

    it('plain HTTP answers every request with a permanent redirect to the same URL over HTTPS, and nothing else', () => {
      const directives = http()
        .body.split('\n')
        .map((l) => l.replace(/#.*$/, '').trim())
        .filter(Boolean);
      // 308 keeps the method and the body, where 301 lets clients turn a POST into a GET.
      expect(directives).toEqual(['redir https://{host}{uri} 308']);
    });

    it('the HTTPS site sets HSTS for at least a year, deferred so that it replaces any value the api sends', () => {
      const header = /^\s*header\s*\{([^}]*)\}/m.exec(https().body)?.[1] ?? '';
      const maxAge = /Strict-Transport-Security\s+"max-age=(\d+)/.exec(header)?.[1];
      expect(Number(maxAge)).toBeGreaterThanOrEqual(365 * 24 * 3600);
      expect(header).toMatch(/^\s*defer\s*$/m);
    });

    it('the api gets the X-Forwarded-* headers Caddy sets, never ones a client sent', () => {
      // Without trusted_proxies, Caddy replaces X-Forwarded-For/-Proto/-Host with what it saw itself; the api then
      // trusts exactly this one hop. Nothing may remove or rewrite them on the way.
      const directives = caddyfile.replace(/(^|\s)#.*$/gm, '$1');
      expect(directives).not.toMatch(/trusted_proxies/);
      expect(directives).not.toMatch(/header_up\s+[-+]?X-Forwarded/i);
      expect(directives).not.toMatch(/header_up\s+-/);
    });

    itCaddy(
      'caddy adapts it to TLS with the mounted files, the redirect, HSTS and a loopback-only health site',
      () => {
        const r = spawnSync(
          'caddy',
          ['adapt', '--adapter', 'caddyfile', '--config', path.join(root, 'deploy/Caddyfile')],
          { encoding: 'utf8', timeout: 60_000 },
        );
        expect({ status: r.status, out: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, out: '' });
        type Handler = { handler: string; [key: string]: unknown };
        type Server = {
          listen: string[];
          routes?: { handle?: Handler[] }[];
          tls_connection_policies?: unknown[];
        };
        const adapted = JSON.parse(r.stdout) as {
          apps: {
            http: { servers: Record<string, Server> };
            tls?: { certificates?: { load_files?: { certificate: string; key: string }[] } };
          };
        };
        const servers = Object.values(adapted.apps.http.servers);
        const on = (listen: string) => servers.find((s) => s.listen.includes(listen));
        const handlers = (s?: Server) => (s?.routes ?? []).flatMap((route) => route.handle ?? []);

        expect(servers.map((s) => s.listen).sort()).toEqual(
          [[':443'], [':80'], [`127.0.0.1:${sitePort(loopbackSites()[0]!.address)}`]].sort(),
        );
        expect(on(':443')?.tls_connection_policies?.length).toBeGreaterThan(0);
        expect(adapted.apps.tls?.certificates?.load_files).toEqual([
          expect.objectContaining({ certificate: `${TLS_DIR}/fullchain.pem`, key: `${TLS_DIR}/privkey.pem` }),
        ]);
        expect(handlers(on(':80'))).toEqual([
          {
            handler: 'static_response',
            status_code: 308,
            headers: { Location: ['https://{http.request.host}{http.request.uri}'] },
          },
        ]);
        const headers = handlers(on(':443')).find((h) => h.handler === 'headers') as
          { response?: { deferred?: boolean; set?: Record<string, string[]> } } | undefined;
        expect(headers?.response?.deferred).toBe(true);
        expect(headers?.response?.set?.['Strict-Transport-Security']).toEqual([
          expect.stringMatching(/^max-age=\d+/),
        ]);
        for (const proxy of servers.flatMap(handlers).filter((h) => h.handler === 'reverse_proxy')) {
          expect(proxy).not.toHaveProperty('trusted_proxies');
          expect(JSON.stringify(proxy.headers ?? {})).not.toMatch(/X-Forwarded/i);
        }
      },
    );
  });

  describe('MongoDB access control', () => {
    const command = () => words(service('mongodb').command);
    const healthcheckScript = () => words(service('mongodb').healthcheck?.test).at(-1)!;

    /** The init scripts as the image runs them: with mongosh's `db` and `print`, and the service's environment. */
    function runInitScripts(env: Record<string, string>) {
      const created: Record<string, unknown>[] = [];
      const db = {
        getSiblingDB: (name: string) => ({
          createUser: (user: Record<string, unknown>) => created.push({ db: name, ...user }),
        }),
        createUser: (user: Record<string, unknown>) => created.push({ db: 'test', ...user }),
      };
      const scripts = fs.readdirSync(mongoInitDir).filter((f) => f.endsWith('.js'));
      let error: unknown;
      for (const file of scripts.sort()) {
        try {
          vm.runInNewContext(fs.readFileSync(path.join(mongoInitDir, file), 'utf8'), {
            db,
            print: () => undefined,
            process: { env },
          });
        } catch (e) {
          error = e;
          break;
        }
      }
      return { scripts, created, error: error as { message?: string } | undefined };
    }

    /**
     * The healthcheck's script in mongosh's place: `rs.status()` answers as a server in the given state, every call
     * is recorded in order, and `quit(code)` ends the run with that code (an exception thrown is exit 1).
     */
    function runHealthcheck(
      state: 'fresh' | 'initiated' | 'standalone',
      opts: { badPassword?: boolean } = {},
    ) {
      const calls: unknown[][] = [];
      const env = environment('mongodb');
      const fail = (codeName: string) => Object.assign(new Error(codeName), { codeName });
      const ctx = {
        process: { env },
        db: {
          getSiblingDB: (name: string) => ({
            auth: (user: string, pwd: string) => {
              calls.push(['auth', name, user, pwd]);
              if (opts.badPassword) throw fail('AuthenticationFailed');
              return { ok: 1 };
            },
          }),
          hello: () => {
            calls.push(['hello']);
            return { isWritablePrimary: state !== 'standalone' };
          },
        },
        rs: {
          status: () => {
            calls.push(['status']);
            if (state === 'fresh') throw fail('NotYetInitialized');
            if (state === 'standalone') throw fail('NoReplicationEnabled');
            return { ok: 1 };
          },
          initiate: (config: unknown) => calls.push(['initiate', config]),
        },
        quit: (code: number) => {
          throw { exitCode: code };
        },
      };
      let exitCode = 0;
      try {
        vm.runInNewContext(healthcheckScript(), ctx);
      } catch (e) {
        exitCode = (e as { exitCode?: number }).exitCode ?? 1;
      }
      return { calls, exitCode, env };
    }

    it('the root user and its password come from the deployer, the password required and without a default', () => {
      const env = rawEnvironment('mongodb');
      expect(env.MONGO_INITDB_ROOT_USERNAME).toMatch(/^\w+$/);
      expect(env.MONGO_INITDB_ROOT_PASSWORD).toMatch(/^\$\{MONGO_ROOT_PASSWORD:\?[^}]+\}$/);
    });

    it('mongod runs with a keyFile, kept on a named volume, which the service’s entrypoint script makes', () => {
      const keyFile = option(command(), '--keyFile');
      expect(keyFile).toMatch(/^\//);
      const volume = mounts('mongodb').find((m) => m.target === path.posix.dirname(keyFile!));
      expect(volume?.type).toBe('volume');
      expect(Object.keys(compose.volumes ?? {})).toContain(volume?.source);
      // Not on the data volume, and not in the image: a keyfile must survive the container and be shareable.
      expect(volume?.source).not.toBe(mounts('mongodb').find((m) => m.target === '/data/db')?.source);
      const entrypoint = words(service('mongodb').entrypoint);
      expect(entrypoint[0]).toMatch(/^(\/bin\/)?(ba)?sh$/);
      const script = bindMounts('mongodb').find((m) => m.target === entrypoint[1]);
      expect(script && path.resolve(root, script.source)).toBe(mongoEntrypoint);
      expect(script?.readOnly).toBe(true);
    });

    describe('the keyfile script, against a stand-in for the image’s entrypoint', () => {
      let dir: string;
      beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongzhi-keyfile-'));
        fs.writeFileSync(
          path.join(dir, 'docker-entrypoint.sh'),
          '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_OUT"\n',
          {
            mode: 0o755,
          },
        );
      });
      afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

      /** Runs the script with the service's command, its --keyFile pointed into the temporary directory. */
      function run(name: string, args = command()) {
        const keyfile = path.join(dir, name, 'keyfile');
        fs.mkdirSync(path.dirname(keyfile), { recursive: true });
        const withKeyfile = args.map((a, i) => (args[i - 1] === '--keyFile' ? keyfile : a));
        const argsOut = path.join(dir, `${name}.args`);
        const r = spawnSync('sh', [mongoEntrypoint, ...withKeyfile], {
          encoding: 'utf8',
          timeout: 30_000,
          env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`, ARGS_OUT: argsOut },
        });
        const passed = fs.existsSync(argsOut)
          ? fs.readFileSync(argsOut, 'utf8').split('\n').slice(0, -1)
          : null;
        return { status: r.status, stderr: r.stderr, keyfile, withKeyfile, passed };
      }

      it('makes a keyfile mongod accepts (mode 400, base64, 6–1024 characters) and runs the image’s entrypoint', () => {
        const r = run('fresh');
        expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({
          status: 0,
          stderr: '',
        });
        const stat = fs.statSync(r.keyfile);
        expect(stat.mode & 0o777).toBe(0o400);
        // As root (as the container starts) it belongs to the image's mongodb user, which mongod runs as.
        if (process.getuid?.() === 0) expect([stat.uid, stat.gid]).toEqual([999, 999]);
        const key = fs.readFileSync(r.keyfile, 'utf8').replace(/\s/g, '');
        expect(key).toMatch(/^[A-Za-z0-9+/=]{6,1024}$/);
        expect(r.passed).toEqual(r.withKeyfile);
      });

      it('keeps the keyfile it made on every later start', () => {
        const first = run('kept');
        const key = fs.readFileSync(first.keyfile, 'utf8');
        const second = run('kept');
        expect(second.status).toBe(0);
        expect(fs.readFileSync(second.keyfile, 'utf8')).toBe(key);
        expect(fs.statSync(second.keyfile).mode & 0o777).toBe(0o400);
      });

      it('refuses to start mongod without a --keyFile', () => {
        const r = run(
          'none',
          command().filter((a, i, all) => a !== '--keyFile' && all[i - 1] !== '--keyFile'),
        );
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(/--keyFile/);
        expect(r.passed).toBeNull();
      });
    });

    it('the init scripts of deploy/mongo-init are mounted read-only where the image runs them', () => {
      const mount = bindMounts('mongodb').find((m) => m.target === '/docker-entrypoint-initdb.d');
      expect(mount && path.resolve(root, mount.source)).toBe(mongoInitDir);
      expect(mount?.readOnly).toBe(true);
    });

    it('they create one user, with readWrite on the gongzhi database only, with the password the service passes', () => {
      const read = new Set(
        fs
          .readdirSync(mongoInitDir)
          .flatMap((f) => [
            ...fs.readFileSync(path.join(mongoInitDir, f), 'utf8').matchAll(/process\.env\.(\w+)/g),
          ])
          .map((m) => m[1]!),
      );
      // Every variable they read, the service sets from a required variable of the deployer.
      expect(read.size).toBeGreaterThan(0);
      for (const key of read) {
        expect({ key, value: rawEnvironment('mongodb')[key] }).toEqual({
          key,
          value: expect.stringMatching(/^\$\{\w+:\?[^}]+\}$/),
        });
      }
      const r = runInitScripts(environment('mongodb'));
      expect(r.error).toBeUndefined();
      expect(r.created).toEqual([
        { db: 'gongzhi', user: 'gongzhi', pwd: SAMPLE_SECRET, roles: [{ role: 'readWrite', db: 'gongzhi' }] },
      ]);
    });

    it('they stop the first start, rather than create a user without a password, when it is missing', () => {
      const r = runInitScripts({});
      expect(r.created).toEqual([]);
      expect(r.error?.message).toMatch(/not set/);
    });

    it('the app connects as that user, with that password, authenticating against the gongzhi database', () => {
      const raw = rawEnvironment('api').MONGODB_URI!;
      const m = /^mongodb:\/\/([^:@/]+):(\$\{[^}]+\})@([^/]+)\/(\w+)\?(.*)$/.exec(raw);
      expect(m).not.toBeNull();
      const [, user, password, , database, query] = m!;
      const created = runInitScripts(environment('mongodb')).created[0]!;
      expect(user).toBe(created.user);
      expect(database).toBe(created.db);
      expect(new URLSearchParams(query).get('authSource')).toBe(created.db);
      // The same required variable that the init script's password came from.
      const initPassword = Object.values(rawEnvironment('mongodb')).find((v) =>
        v.includes('MONGO_APP_PASSWORD'),
      );
      expect(password).toMatch(/^\$\{MONGO_APP_PASSWORD:\?[^}]+\}$/);
      expect(password).toBe(initPassword);
      expect(new URL(environment('api').MONGODB_URI!).username).toBe(created.user);
      expect(loadConfig(environment('api')).mongodbUri).toContain(
        `${String(created.user)}:${SAMPLE_SECRET}@`,
      );
    });

    it('the healthcheck authenticates as root, from the environment, before it asks or initiates anything', () => {
      const r = runHealthcheck('fresh');
      expect(r.calls[0]).toEqual([
        'auth',
        'admin',
        r.env.MONGO_INITDB_ROOT_USERNAME,
        r.env.MONGO_INITDB_ROOT_PASSWORD,
      ]);
      expect(r.env.MONGO_INITDB_ROOT_PASSWORD).toBe(SAMPLE_SECRET);
      expect(r.calls.slice(1).map((c) => c[0])).toEqual(['status', 'initiate', 'hello']);
      expect(r.exitCode).toBe(0);
      // Never on its command line, where `ps` on the host would show it.
      const test = words(service('mongodb').healthcheck?.test);
      expect(test).not.toContain('-p');
      expect(test).not.toContain('--password');
      expect(test.join(' ')).not.toMatch(/\$\{?MONGO/);
    });

    it('the healthcheck initiates only a set that is not initiated, and fails while the first-start setup runs', () => {
      expect(runHealthcheck('initiated').calls.map((c) => c[0])).toEqual(['auth', 'status', 'hello']);
      expect(runHealthcheck('initiated').exitCode).toBe(0);
      const standalone = runHealthcheck('standalone');
      expect(standalone.calls.map((c) => c[0])).toEqual(['auth', 'status']);
      expect(standalone.exitCode).not.toBe(0);
      const denied = runHealthcheck('fresh', { badPassword: true });
      expect(denied.calls.map((c) => c[0])).toEqual(['auth']);
      expect(denied.exitCode).not.toBe(0);
    });
  });

  describe('the Temporal Web UI', () => {
    it('is the release whose variable for disabling write actions was checked, and has them disabled', () => {
      // TEMPORAL_DISABLE_WRITE_ACTIONS is what temporalio/ui 2.43.3's config/docker.yaml reads into
      // disableWriteActions. On an upgrade, check the new release's config/docker.yaml and add it here.
      expect(['temporalio/ui:2.43.3']).toContain(service('temporal-ui').image);
      expect(environment('temporal-ui').TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    });

    it('is published once, on loopback only', () => {
      const ports = publishedPorts('temporal-ui');
      expect(ports).toHaveLength(1);
      expect(ports[0]!.hostIp).toBe('127.0.0.1');
    });

    it('does not run as root', () => {
      const user = service('temporal-ui').user?.split(':')[0];
      expect(user).toBeDefined();
      expect(['root', '0']).not.toContain(user);
    });
  });

  describe('memory limits and hardening', () => {
    const GiB = 1024 ** 3;

    it.each(SERVICES)('%s has a memory limit, set the one way that docker compose up applies', (name) => {
      expect(bytes(service(name).mem_limit)).toBeGreaterThanOrEqual(64 * 1024 ** 2);
      // Not also under deploy.resources, where a second value could disagree with it.
      expect(service(name).deploy?.resources).toBeUndefined();
    });

    it('the worker’s limit is above the 1 GiB docs/performance.md measures with the default workflow cache', () => {
      expect(bytes(service('worker').mem_limit)).toBeGreaterThan(GiB);
    });

    it('MongoDB’s WiredTiger cache is at most half its memory limit', () => {
      const cache = Number(option(words(service('mongodb').command), '--wiredTigerCacheSizeGB'));
      expect(cache).toBeGreaterThan(0);
      expect(cache * GiB).toBeLessThanOrEqual(bytes(service('mongodb').mem_limit) / 2);
    });

    it.each(SERVICES)('%s gains no privilege and keeps no capability but those it needs', (name) => {
      expect(service(name).security_opt ?? []).toContain('no-new-privileges:true');
      expect(service(name).cap_drop).toEqual(['ALL']);
      const added = service(name).cap_add ?? [];
      expect({ name, extra: added.filter((c) => !(CAPABILITIES_ALLOWED[name] ?? []).includes(c)) }).toEqual({
        name,
        extra: [],
      });
    });

    it.each(READ_ONLY)('%s has a read-only root filesystem, with a tmpfs for /tmp', (name) => {
      expect(service(name).read_only).toBe(true);
      expect(tmpfsMounts(name)).toContain('/tmp');
    });

    it('the proxy writes only to its mounts: its data on a volume, its autosaved configuration on a tmpfs', () => {
      // The caddy image's XDG_DATA_HOME and XDG_CONFIG_HOME.
      expect(mounts('proxy').find((m) => m.target === '/data')?.type).toBe('volume');
      expect(tmpfsMounts('proxy')).toContain('/config');
    });
  });

  it('the databases are only on an internal network, which every service that needs them joins', () => {
    const internal = Object.entries(compose.networks ?? {})
      .filter(([, n]) => n?.internal === true)
      .map(([name]) => name);
    for (const db of DATABASES) {
      expect(networksOf(db).length).toBeGreaterThan(0);
      for (const n of networksOf(db)) expect(internal).toContain(n);
    }
    const dbNetworks = new Set(DATABASES.flatMap(networksOf));
    for (const client of ['temporal', ...APP_SERVICES]) {
      expect(networksOf(client).some((n) => dbNetworks.has(n))).toBe(true);
    }
    for (const outsider of ['proxy', 'temporal-ui', 'temporal-search-attributes']) {
      expect({ outsider, shared: networksOf(outsider).filter((n) => dbNetworks.has(n)) }).toEqual({
        outsider,
        shared: [],
      });
    }
  });

  describe('no secret in the repository', () => {
    it('every password, secret or key a service sets comes from a required variable', () => {
      for (const name of SERVICES) {
        for (const [key, value] of Object.entries(rawEnvironment(name))) {
          if (!/SECRET|PASSWORD|PWD|TOKEN|_KEY$/.test(key)) continue;
          expect({ name, key, value }).toEqual({
            name,
            key,
            value: expect.stringMatching(/^\$\{\w+:\?[^}]+\}$/),
          });
        }
      }
      expect(requiredVariables.sort()).toEqual([...REQUIRED].sort());
    });

    it('every database has a password, and every database password is required', () => {
      expect(rawEnvironment('postgresql').POSTGRES_PASSWORD).toMatch(/^\$\{TEMPORAL_DB_PASSWORD:\?[^}]+\}$/);
      expect(rawEnvironment('mongodb').MONGO_INITDB_ROOT_PASSWORD).toMatch(
        /^\$\{MONGO_ROOT_PASSWORD:\?[^}]+\}$/,
      );
      // No secret has a default anywhere in the file, not even one used only by some service.
      const defaulted = [...composeText.matchAll(/\$\{(\w+):?[-+=][^}]*\}/g)].map((m) => m[1]!);
      expect(defaulted.filter((name) => /SECRET|PASSWORD|PWD|TOKEN|KEY/.test(name))).toEqual([]);
      expect(defaulted.filter((name) => (REQUIRED as readonly string[]).includes(name))).toEqual([]);
    });

    it('a connection URI carries a password only from a required variable', () => {
      for (const name of SERVICES) {
        for (const [key, value] of Object.entries(rawEnvironment(name))) {
          const userinfo = /^[a-z][\w+.-]*:\/\/([^@/]*)@/i.exec(value)?.[1];
          if (userinfo === undefined) continue;
          const password = userinfo.slice(userinfo.indexOf(':') + 1);
          expect({ name, key, password }).toEqual({
            name,
            key,
            password: expect.stringMatching(/^\$\{\w+:\?[^}]+\}$/),
          });
        }
      }
    });

    it('deploy/.env.example names every required variable and leaves it empty', () => {
      for (const name of requiredVariables) expect(envExample).toMatch(new RegExp(`^${name}=$`, 'm'));
    });

    it.each(SECRETS)('deploy/.env.example tells how to generate %s, just above it', (name) => {
      const lines = envExample.split('\n');
      const at = lines.indexOf(`${name}=`);
      expect(at).toBeGreaterThan(0);
      let first = at;
      while (first > 0 && lines[first - 1]!.startsWith('#')) first--;
      expect(lines.slice(first, at).join(' ')).toMatch(/openssl rand -hex \d+/);
    });

    it('deploy/.env.example mentions every optional variable the compose file reads', () => {
      const optional = [...composeText.matchAll(/\$\{(\w+):?-[^}]*\}/g)].map((m) => m[1]!);
      for (const name of optional) expect(envExample).toMatch(new RegExp(`^#?${name}=`, 'm'));
    });
  });

  describe('the docker compose CLI', () => {
    const itCompose = dockerCompose ? it : it.skip; // the client without its compose plugin cannot tell

    function config(env: Record<string, string | undefined>, ...args: string[]) {
      const clean = { ...process.env };
      for (const k of [...requiredVariables, 'GONGZHI_HTTP_PORT', 'TEMPORAL_UI_PORT']) delete clean[k];
      // --env-file /dev/null: a deployer's .env in the checkout must not answer for the test.
      return spawnSync(
        'docker',
        [
          'compose',
          '--env-file',
          '/dev/null',
          '-f',
          path.join(root, 'docker-compose.yml'),
          'config',
          ...args,
        ],
        { encoding: 'utf8', timeout: 60_000, env: { ...clean, ...env } },
      );
    }
    // The same value for every secret, as interpolate() gives them, so the resolved file compares with this test's.
    const required: Record<string, string> = {
      ...Object.fromEntries(SECRETS.map((name) => [name, SAMPLE_SECRET])),
      GONGZHI_TLS_DIR: '/etc/gongzhi/tls',
    };

    itCompose('accepts the file with the required variables set', () => {
      const r = config(required, '-q');
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    });

    itCompose.each([...REQUIRED])('refuses it without %s', (name) => {
      const r = config({ ...required, [name]: undefined }, '-q');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`set ${name}`);
    });

    itCompose.each([...REQUIRED])('refuses it with %s empty', (name) => {
      const r = config({ ...required, [name]: '' }, '-q');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`set ${name}`);
    });

    itCompose('resolves the merge keys, replicas, limits and hardening as this test reads them', () => {
      const r = config(required, '--format', 'json');
      expect(r.status).toBe(0);
      type Resolved = {
        environment?: Record<string, string>;
        depends_on?: object;
        deploy?: object;
        mem_limit?: string | number;
        read_only?: boolean;
        tmpfs?: string[];
        cap_drop?: string[];
        cap_add?: string[];
        security_opt?: string[];
        volumes?: { type: string; source: string; target: string; read_only?: boolean }[];
      };
      const resolved = JSON.parse(r.stdout) as { services: Record<string, Resolved> };
      expect(Object.keys(resolved.services).sort()).toEqual([...SERVICES].sort());
      for (const name of APP_SERVICES) {
        const s = resolved.services[name]!;
        expect(s.environment?.MONGODB_URI).toBe(environment(name).MONGODB_URI);
        expect(s.environment?.JWT_SECRET).toBe(SAMPLE_SECRET);
        expect(Object.keys(s.depends_on ?? {}).sort()).toEqual(Object.keys(dependsOn(name)).sort());
        expect(s.deploy).toMatchObject({ replicas: Number(service(name).deploy?.replicas) });
      }
      for (const name of SERVICES) {
        const s = resolved.services[name]!;
        expect({ name, mem: Number(s.mem_limit) }).toEqual({ name, mem: bytes(service(name).mem_limit) });
        expect({ name, cap_drop: s.cap_drop }).toEqual({ name, cap_drop: ['ALL'] });
        expect({ name, cap_add: s.cap_add ?? [] }).toEqual({ name, cap_add: service(name).cap_add ?? [] });
        expect(s.security_opt).toContain('no-new-privileges:true');
        expect({ name, read_only: s.read_only === true }).toEqual({
          name,
          read_only: (READ_ONLY as readonly string[]).includes(name),
        });
      }
      const tls = resolved.services.proxy!.volumes?.find((v) => v.target === TLS_DIR);
      expect(tls).toMatchObject({ type: 'bind', source: required.GONGZHI_TLS_DIR, read_only: true });
    });
  });

  itCaddy('caddy validates deploy/Caddyfile, with a certificate in place of the mounted one', () => {
    // Validating loads the certificate files: a throw-away self-signed pair stands in for the operator's.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongzhi-caddy-'));
    try {
      const made = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=gongzhi.test',
          '-keyout',
          path.join(dir, 'privkey.pem'),
          '-out',
          path.join(dir, 'fullchain.pem'),
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (made.status !== 0) {
        // No openssl: validate without TLS. Everything else the file configures is still checked.
        fs.writeFileSync(
          path.join(dir, 'Caddyfile'),
          caddyfile.replace(/^\s*tls\s+\S+\s+\S+\s*$/m, '\ttls internal'),
        );
      } else {
        fs.writeFileSync(path.join(dir, 'Caddyfile'), caddyfile.split(`${TLS_DIR}/`).join(`${dir}/`));
      }
      const r = spawnSync(
        'caddy',
        ['validate', '--adapter', 'caddyfile', '--config', path.join(dir, 'Caddyfile')],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect({ status: r.status, out: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, out: '' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
