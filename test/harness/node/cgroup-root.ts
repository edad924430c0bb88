// A cgroup of the node's own in every hierarchy the machine mounts (v1 controllers and the cgroup2 tree at
// /sys/fs/cgroup/unified): the kubelet's cgroupRoot, so its kubepods/<qos>/pod<uid>/<container> tree sits
// below it and goes with it.
import { copyFile, mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const CGROUP_FS = '/sys/fs/cgroup';

async function hierarchies(): Promise<string[]> {
  const entries = await readdir(CGROUP_FS, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() || e.isSymbolicLink()).map((e) => join(CGROUP_FS, e.name));
}

export async function createCgroupRoot(root: string): Promise<void> {
  for (const hierarchy of await hierarchies()) {
    const dir = join(hierarchy, root);
    await mkdir(dir, { recursive: true });
    // A v1 cpuset cgroup starts with no CPUs and no memory nodes; its children could run nothing.
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = join(hierarchy, file);
      if (await stat(parent).catch(() => undefined)) await copyFile(parent, join(dir, file));
    }
  }
}

/** Removes the root and everything below it, deepest first; the processes in it must be gone. */
export async function removeCgroupRoot(root: string): Promise<string[]> {
  const left: string[] = [];
  for (const hierarchy of await hierarchies()) {
    const dir = join(hierarchy, root);
    if (!(await stat(dir).catch(() => undefined))) continue;
    await removeTree(dir, left);
  }
  return left;
}

async function removeTree(dir: string, left: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeTree(join(dir, entry.name), left);
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  left.push(dir);
}
