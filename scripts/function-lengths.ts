/**
 * Measures every function in a folder (declarations, methods, constructors, accessors, arrows and
 * function expressions), in lines from its first line to its last, and prints the longest:
 *   npx tsx scripts/function-lengths.ts [folder=workflows] [--max 80] [--top 15]
 * Exits 1 when one is longer than --max: a workflow should read like its paragraph (STYLE.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

/** A readable name: the declaration's own, else what it is assigned to or passed as. */
function nameOf(node: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) {
    const cls = node.parent;
    return `${cls.name?.text ?? '(class)'}.constructor`;
  }
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : node.name?.getText(sf);
  const cls = ts.isClassLike(node.parent) ? node.parent.name?.text : undefined;
  if (own) return cls ? `${cls}.${own}` : own;
  const p = node.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))
    return p.name.getText(sf);
  if (ts.isCallExpression(p)) return `(argument of ${p.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
}

/** Every function-like node of one source text, with its length in lines. */
export function measureSource(file: string, text: string): FunctionLength[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const start = sf.getLineAndCharacterOfPosition(fn.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(fn.getEnd()).line;
      out.push({ file, name: nameOf(fn, sf), line: start + 1, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Every function of the .ts files in a folder (not below it), longest first. */
export function measureFolder(dir: string, root = process.cwd()): FunctionLength[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .flatMap((f) => measureSource(relative(root, join(dir, f)), readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

function main(argv: string[]): number {
  const flag = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const max = flag('--max', 80);
  const top = flag('--top', 15);
  const dir = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? 'workflows';
  const all = measureFolder(dir);
  for (const f of all.slice(0, top)) {
    console.log(`${String(f.lines).padStart(4)}  ${f.file}:${f.line}  ${f.name}`);
  }
  const over = all.filter((f) => f.lines > max);
  console.log(`${all.length} functions in ${dir}/; ${over.length} longer than ${max} lines`);
  return over.length ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
