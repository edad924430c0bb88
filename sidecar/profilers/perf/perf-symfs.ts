// A tree of the targets' binaries at their own paths, for `perf script --symfs`, when this recorder cannot
// enter its targets' mount namespaces (the node agent holds no CAP_SYS_ADMIN). perf then records no build id
// for a process that was running before it attached (it reads the binary at its path in its own filesystem
// and finds nothing), so perf script cannot look it up in the build-id cache; with --symfs it opens
// `<tree><path>` instead. The binaries come from /proc/PID/root (binary-cache.ts). Two mount namespaces
// (two containers of one pod) can map different files at one path: that path is left out of the tree, so
// perf shows it as unknown rather than naming one binary's functions with the other's symbols.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, posix } from 'node:path';

export interface SymbolTree {
  /** The directory given to perf script as --symfs. */
  readonly dir: string;
  /**
   * Moves `copy` (a regular file read from a target's root) to `<dir><path>`. Paths seen from several mount
   * namespaces with different contents are removed; the answer says whether the tree now has the path.
   */
  place(copy: string, binary: { path: string; namespace: string }): Promise<boolean>;
}

/** Whether perf can enter other mount namespaces (setns needs CAP_SYS_ADMIN), from /proc/self/status text. */
export function entersMountNamespaces(status: string): boolean {
  const effective = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (effective === undefined) return false;
  const CAP_SYS_ADMIN = 21n;
  return ((BigInt(`0x${effective}`) >> CAP_SYS_ADMIN) & 1n) === 1n;
}

/** Reads this process's capabilities: true when perf can enter its targets' mount namespaces itself. */
export async function canEnterMountNamespaces(statusFile = '/proc/self/status'): Promise<boolean> {
  return entersMountNamespaces(await readFile(statusFile, 'utf8').catch(() => ''));
}

/** The path inside the tree, or undefined for a path that is not absolute and plain (no `.` or `..`). */
function inTree(dir: string, path: string): string | undefined {
  if (!path.startsWith('/') || posix.normalize(path) !== path || path.split('/').includes('..'))
    return undefined;
  return `${dir}${path}`;
}

async function digest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  if (sa.size !== sb.size) return false;
  return (await digest(a)) === (await digest(b));
}

export function createSymbolTree(dir: string): SymbolTree {
  /** Path → the mount namespace its file came from; undefined once two namespaces disagreed. */
  const placed = new Map<string, string | undefined>();
  return {
    dir,
    async place(copy, { path, namespace }) {
      const target = inTree(dir, path);
      if (target === undefined) return false;
      if (placed.has(path)) {
        const from = placed.get(path);
        if (from === undefined) return false;
        if (from === namespace || (await sameContent(target, copy))) return true;
        placed.set(path, undefined);
        await rm(target, { force: true });
        return false;
      }
      await mkdir(dirname(target), { recursive: true });
      await rename(copy, target);
      placed.set(path, namespace);
      return true;
    },
  };
}
