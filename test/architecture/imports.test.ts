import { cycles, importGraph, layerCrossings } from '../../scripts/import-graph';

const graph = importGraph();

it('when the project is read with its type imports, no file imports itself round a cycle', () => {
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph)).toEqual([]);
});

it('when the worker, services, activities, models, workflows, domain, scripts or benchmarks import, none reaches into api/', () => {
  expect(layerCrossings(graph)).toEqual([]);
});

it('when a graph has a cycle through a type-only import, the check names its files', () => {
  const planted = new Map([
    ['api/app.ts', ['api/voices/routes.ts']],
    ['api/voices/routes.ts', ['api/app.ts', 'domain/voices.ts']],
    ['domain/voices.ts', []],
    ['services/intake.ts', ['api/errors.ts']],
  ]);
  expect(cycles(planted)).toEqual([['api/app.ts', 'api/voices/routes.ts']]);
  expect(layerCrossings(planted)).toEqual(['services/intake.ts → api/errors.ts']);
});
