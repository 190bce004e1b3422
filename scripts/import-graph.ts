/**
 * The project's import graph, type imports included (ESLint's import-x/no-cycle skips those), and the
 * layer rules it must keep: no cycles at all, and nothing below the API (worker, services, activities,
 * models, workflows, domain, scripts, benchmarks) imports `api/`. `npm run imports` prints the
 * violations; test/architecture/imports.test.ts fails on any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = resolve(__dirname, '..');
const SKIP = new Set(['node_modules', 'dist', 'data', '.tools', '.git', 'coverage', 'test']);

/** Layers that may never import the API: the API sits on top of them. */
export const BELOW_API = [
  'worker.ts',
  'services/',
  'activities/',
  'models/',
  'workflows/',
  'domain/',
  'scripts/',
  'bench/',
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined; // a package, not ours
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** file (relative to the root) → the project files it imports, by value or by type. */
export function importGraph(root = ROOT): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => resolveImport(file, f.fileName))
      .flatMap((t) => (t ? [relative(root, t)] : []));
    graph.set(relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/** Each cycle once, as the files around it (Tarjan's strongly connected components of two or more). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

/** Imports of `api/` from a layer below it. */
export function layerCrossings(graph: Map<string, string[]>): string[] {
  const below = (f: string) => BELOW_API.some((l) => (l.endsWith('/') ? f.startsWith(l) : f === l));
  return [...graph].flatMap(([file, targets]) =>
    below(file) ? targets.filter((t) => t.startsWith('api/')).map((t) => `${file} → ${t}`) : [],
  );
}

if (require.main === module) {
  const graph = importGraph();
  const found = cycles(graph);
  const crossings = layerCrossings(graph);
  for (const c of found) console.log(`cycle: ${c.join(' ↔ ')}`);
  for (const c of crossings) console.log(`layer: ${c} (only api/ and the tests may import api/)`);
  console.log(`${graph.size} files: ${found.length} cycles, ${crossings.length} layer crossings`);
  process.exit(found.length || crossings.length ? 1 : 0);
}
