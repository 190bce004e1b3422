/**
 * Workflows read like their paragraphs (STYLE.md): no function in workflows/ longer than 80 lines.
 * `npm run function-lengths` prints the longest ones.
 */
import { join } from 'node:path';
import { measureFolder, measureSource } from '../../scripts/function-lengths';

const MAX_LINES = 80;

it(`no function in workflows/ is longer than ${MAX_LINES} lines`, () => {
  const tooLong = measureFolder(join(__dirname, '../../workflows')).filter((f) => f.lines > MAX_LINES);
  expect(tooLong.map((f) => `${f.file}:${f.line} ${f.name} (${f.lines} lines)`)).toEqual([]);
});

it('measures declarations, methods, constructors and arrows, each from its first line to its last', () => {
  const source = [
    'export function story(a: number) {', // 1
    '  const twice = (x: number) =>', // 2
    '    x * 2;', // 3
    '  return twice(a);', // 4
    '}', // 5
    'class Meeting {', // 6
    '  constructor() {}', // 7
    '  run() {', // 8
    '    setHandler(q, () => 1);', // 9
    '  }', // 10
    '}', // 11
  ].join('\n');
  const found = measureSource('x.ts', source).map(({ name, line, lines }) => ({ name, line, lines }));
  expect(found).toEqual([
    { name: 'story', line: 1, lines: 5 },
    { name: 'twice', line: 2, lines: 2 },
    { name: 'Meeting.constructor', line: 7, lines: 1 },
    { name: 'Meeting.run', line: 8, lines: 3 },
    { name: '(argument of setHandler)', line: 9, lines: 1 },
  ]);
});
