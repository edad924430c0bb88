// The cgroup v2 IDs of the targets' cgroups, which bpftrace's `cgroup` builtin (bpf_get_current_cgroup_id)
// compares in the kernel: a cgroup's ID is the inode number of its directory in a cgroup2 mount. The path
// comes from the target's /proc/PID/cgroup (`0::/kubepods/besteffort/pod<uid>/<id>`); the directory is
// looked for under the recorder's own cgroup2 mounts, then under the target's (through /proc/PID/root), then
// under those of the target's parents and PID 1 (for the agent, which shares the host's PID namespace and
// reads other processes' roots with CAP_SYS_PTRACE anyway: the container's runtime shim and the node's init,
// which see the whole tree), then under a read-only mount of the whole tree the recorder makes for itself
// (kernel-mounts.ts; needs CAP_SYS_ADMIN): a container on a hybrid node sees no cgroup2 mount at all, only
// its own v1 cgroups. Cgroup v1 hierarchies have no such ID: on a v1-only
// node, or where no mount shows the cgroup, the scope stays the PID namespace (the reason says why).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { procDirOf } from '../../host/live-task.ts';

/** A cgroup2 mount of one mount namespace: which cgroup is its root, and where it is mounted. */
export interface Cgroup2Mount {
  /** The cgroup at the mount's root, as /proc/PID/cgroup paths start (`/` for the whole tree). */
  root: string;
  mountPoint: string;
}

/** The v2 line's path of a /proc/PID/cgroup text (`0::/path`); undefined on a v1-only process. Pure. */
export function unifiedPathOf(text: string): string | undefined {
  return /^0::(\/.*)$/m.exec(text)?.[1];
}

/** mountinfo's octal escapes (`\040` for a space) undone. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup2 mounts of a /proc/PID/mountinfo text. Pure. */
export function cgroup2MountsOf(text: string): Cgroup2Mount[] {
  const mounts: Cgroup2Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined || right.split(' ')[0] !== 'cgroup2') continue;
    const fields = left.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root !== undefined && mountPoint !== undefined)
      mounts.push({ root: unescapeMountField(root), mountPoint: unescapeMountField(mountPoint) });
  }
  return mounts;
}

/** Where a cgroup's directory is under one of these mounts (the widest first); undefined if under none. Pure. */
export function cgroupDirectoryOf(path: string, mounts: readonly Cgroup2Mount[]): string | undefined {
  const sorted = [...mounts].sort((a, b) => a.root.length - b.root.length);
  for (const { root, mountPoint } of sorted) {
    const under = path === root || path.startsWith(`${root}/`);
    const rest = root === '/' ? path : under ? path.slice(root.length) : undefined;
    // Paths above the reader's cgroup namespace start with `/..`, and so does the root of a mount of the
    // tree above it (mountinfo shows both from the reader's namespace): the part below the root may not climb.
    if (rest !== undefined && !rest.split('/').includes('..')) return join(mountPoint, rest);
  }
  return undefined;
}

export type CgroupIdResult = { id: number } | { reason: string };

async function idOfDirectory(directory: string): Promise<number | undefined> {
  const info = await stat(directory, { bigint: true }).catch(() => undefined);
  if (info === undefined || !info.isDirectory() || info.ino > BigInt(Number.MAX_SAFE_INTEGER))
    return undefined;
  return Number(info.ino);
}

/** The ID of the cgroup at `path` under the cgroup2 mounts one mountinfo lists, reached through `prefix`. */
async function idInView(
  path: string,
  view: { mountinfo: string; prefix: string },
): Promise<number | undefined> {
  const mounts = cgroup2MountsOf(await readFile(view.mountinfo, 'utf8').catch(() => ''));
  const directory = cgroupDirectoryOf(path, mounts);
  return directory === undefined ? undefined : idOfDirectory(join(view.prefix, directory));
}

/** The most parents of a target whose mounts are looked at. */
const MAX_ANCESTORS = 16;

/**
 * The process's parents, nearest first, then PID 1 (the chain ends where a parent is outside the reader's PID
 * namespace). For the node agent these are the container's runtime shim and the node's init, in the host's
 * mount namespace, where the whole cgroup2 tree is mounted.
 */
async function ancestorsOf(pid: number, procRoot: string): Promise<number[]> {
  const chain: number[] = [];
  for (let current = pid; chain.length < MAX_ANCESTORS;) {
    const status = await readFile(`${procRoot}/${current}/status`, 'utf8').catch(() => '');
    const parent = Number(/^PPid:\s+(\d+)$/m.exec(status)?.[1] ?? 0);
    if (parent <= 0 || parent === pid || chain.includes(parent)) break;
    chain.push(parent);
    current = parent;
  }
  return chain.includes(1) ? chain : [...chain, 1];
}

/**
 * The cgroup v2 ID of a process's cgroup, or why there is none to scope by: a v1-only process, the root of
 * the tree (or of a cgroup namespace, which hides where it is), or a directory no mount shows.
 */
export async function readCgroupId(
  pid: number,
  procRoot = '/proc',
  /** Mounts a view of the whole tree of the recorder's own (kernel-mounts.ts) when no mount shows the cgroup. */
  mountOwnView?: () => Promise<boolean>,
): Promise<CgroupIdResult> {
  // A zombie leader's cgroup file names the root; a live thread's names the process's (live-task.ts).
  const text = await readFile(`${await procDirOf(pid, procRoot)}/cgroup`, 'utf8').catch(() => undefined);
  const path = text === undefined ? undefined : unifiedPathOf(text);
  if (path === undefined) return { reason: `process ${pid} has no cgroup v2 line in /proc/${pid}/cgroup` };
  if (path === '/')
    return { reason: `process ${pid} is in the root cgroup v2 (or a cgroup namespace's root)` };
  const own = { mountinfo: `${procRoot}/self/mountinfo`, prefix: '/' };
  const viewOf = (p: number) => ({
    mountinfo: `${procRoot}/${p}/mountinfo`,
    prefix: `${procRoot}/${p}/root`,
  });
  for (const view of [own, viewOf(pid)]) {
    const id = await idInView(path, view);
    if (id !== undefined) return { id };
  }
  for (const ancestor of await ancestorsOf(pid, procRoot)) {
    const id = await idInView(path, viewOf(ancestor));
    if (id !== undefined) return { id };
  }
  const mounted = mountOwnView === undefined ? undefined : await mountOwnView();
  const id = mounted === true ? await idInView(path, own) : undefined;
  if (id !== undefined) return { id };
  // Above the recorder's cgroup namespace, only a mount of the tree above it (a host process's) reaches there.
  if (path.split('/').includes('..'))
    return { reason: `process ${pid}'s cgroup ${path} is outside the recorder's cgroup namespace` };
  const tried = mounted === false ? ', and mounting one of its own failed' : '';
  return { reason: `no cgroup2 mount the recorder or process ${pid} sees shows ${path}${tried}` };
}
