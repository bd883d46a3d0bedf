/**
 * `npm run lint`: fails when folders import each other in a cycle (src/feed ↔ src/experiments,
 * say), which the file-level rule of .dependency-cruiser.cjs cannot see. A folder is the first two
 * path segments (src/feed, models/eval, jobs/runners); files directly under src/, jobs/ or models/
 * count as their top-level folder.
 */
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const ROOTS = ['src', 'jobs', 'models'];

const folderOf = (path: string) => {
  const parts = path.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts[0]!;
};

/** Strongly connected components of more than one folder (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const options = createRequire(import.meta.url)('../.dependency-cruiser.cjs').options;
const { output } = await cruise(ROOTS, { ...options, ruleSet: undefined, validate: false });
const graph = new Map<string, Set<string>>();
const examples = new Map<string, string>();
for (const module of (output as ICruiseResult).modules) {
  const from = folderOf(module.source);
  for (const dep of module.dependencies) {
    if (dep.coreModule || !ROOTS.some((root) => dep.resolved.startsWith(`${root}/`))) continue;
    const to = folderOf(dep.resolved);
    if (to === from) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
    if (!examples.has(`${from} ${to}`)) examples.set(`${from} ${to}`, `${module.source} → ${dep.resolved}`);
  }
}
const found = cycles(graph);
for (const component of found) {
  console.error(`folder cycle: ${component.join(', ')}`);
  for (const from of component)
    for (const to of graph.get(from) ?? [])
      if (component.includes(to)) console.error(`  ${examples.get(`${from} ${to}`)}`);
}
if (found.length > 0) process.exit(1);
console.log(`no folder cycles (${graph.size} folders import others)`);
