// Which test files need no cluster: none of the modules they import, directly or through others, is the
// control plane's or the real node's harness. test/run.sh runs those first, while Kubernetes may still be
// building on a fresh machine, and the rest once it has joined the build and started the cluster.
//
//   node --import tsx test/harness/cluster-free-files.ts FILE...   prints the files that need no cluster
//
// The walk reads relative imports (static, `import type` and dynamic with a literal path); anything else
// is a package. A file that reaches the cluster another way (a path in a string) is caught when it runs:
// the early run sets FURNACE_TEST_BEFORE_CLUSTER, and the cluster harness refuses to start under it.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The harness modules that start or use a cluster, as paths relative to the project's root. */
export const CLUSTER_MODULES = [/^test\/harness\/control-plane\.ts$/, /^test\/harness\/node\//];

const IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative module paths a source text imports. Pure. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((match) => match[1] as string);
}

/** True when `file` (absolute) imports, at any depth, one of CLUSTER_MODULES under `root`. */
export function reachesCluster(
  file: string,
  root: string,
  read: (path: string) => string | undefined = readSource,
): boolean {
  const seen = new Set<string>();
  const queue = [file];
  while (queue.length > 0) {
    const current = queue.pop() as string;
    if (seen.has(current)) continue;
    seen.add(current);
    const relative = current.startsWith(`${root}/`) ? current.slice(root.length + 1) : current;
    if (CLUSTER_MODULES.some((pattern) => pattern.test(relative))) return true;
    const source = read(current);
    if (source === undefined) continue;
    for (const path of relativeImports(source)) queue.push(resolve(dirname(current), path));
  }
  return false;
}

function readSource(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, '../..');
  for (const file of process.argv.slice(2))
    if (!reachesCluster(resolve(file), root)) process.stdout.write(`${file}\n`);
}
