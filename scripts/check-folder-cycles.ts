/**
 * `npm run lint`: fails when folders import each other in a cycle (src/feed ↔ src/features, or
 * src/feed/catalogue ↔ src/feed/pipeline), which the file-level rule of .dependency-cruiser.cjs
 * cannot see. Every directory holding .ts files is a folder, and folders are compared at every
 * depth: at depth d each file counts as its first d path segments (src/feed/catalogue/x.ts is
 * src/feed at depth 2, src/feed/catalogue at depth 3), so a cycle between two folders is found
 * whether it runs through their own files or through their subfolders'.
 *
 * A folder and the folders inside it are one unit seen from outside: an import between a folder's
 * own files and its subfolders (src/api/app.ts mounting src/api/routes, which use src/api/handler.ts)
 * is not a cycle between folders. A cycle is reported once, at the shallowest depth it shows.
 */
import { createRequire } from 'node:module';
import { cruise, type ICruiseResult } from 'dependency-cruiser';

const ROOTS = ['src', 'jobs', 'models'];

/** The folder of `path` (a file) seen at `depth` path segments. */
function folderAt(path: string, depth: number): string {
  const dirs = path.split('/').slice(0, -1);
  return dirs.slice(0, depth).join('/');
}

/** Whether one folder is the other or holds it. */
function nested(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

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
const imports: [from: string, to: string][] = [];
for (const module of (output as ICruiseResult).modules) {
  for (const dep of module.dependencies) {
    if (dep.coreModule || !ROOTS.some((root) => dep.resolved.startsWith(`${root}/`))) continue;
    imports.push([module.source, dep.resolved]);
  }
}
const folders = new Set(
  (output as ICruiseResult).modules
    .filter((module) => ROOTS.some((root) => module.source.startsWith(`${root}/`)))
    .map((module) => folderAt(module.source, Infinity)),
);
const maxDepth = Math.max(...[...folders].map((folder) => folder.split('/').length));

const reported: { depth: number; folders: string[] }[] = [];
/**
 * Whether `component` is a cycle already reported at a shallower depth, seen in more detail: its
 * folders, cut to that depth, are at least two folders of that cycle (cut to one folder, it is a
 * new cycle inside that folder).
 */
const alreadyReported = (component: string[]) =>
  reported.some(({ depth, folders: cycle }) => {
    const cut = new Set(component.map((folder) => folder.split('/').slice(0, depth).join('/')));
    return cut.size > 1 && [...cut].every((folder) => cycle.includes(folder));
  });

for (let depth = 2; depth <= maxDepth; depth++) {
  const graph = new Map<string, Set<string>>();
  const examples = new Map<string, string>();
  for (const [fromFile, toFile] of imports) {
    const from = folderAt(fromFile, depth);
    const to = folderAt(toFile, depth);
    if (nested(from, to)) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from)!.add(to);
    if (!examples.has(`${from} ${to}`)) examples.set(`${from} ${to}`, `${fromFile} → ${toFile}`);
  }
  for (const component of cycles(graph)) {
    if (alreadyReported(component)) continue;
    reported.push({ depth, folders: component });
    console.error(`folder cycle: ${component.join(', ')}`);
    for (const from of component)
      for (const to of graph.get(from) ?? [])
        if (component.includes(to)) console.error(`  ${examples.get(`${from} ${to}`)}`);
  }
}
if (reported.length > 0) process.exit(1);
console.log(`no folder cycles (${folders.size} folders, compared at every depth)`);
