// The cgroups a kubelet with containerd makes for a pod: one for the sandbox (the pause process) and one
// per container, under the writable cgroup2 hierarchy, named as the systemd or the cgroupfs cgroup driver
// names them. The simulated kubelet (pod-sim.ts) moves each container's processes into its cgroup, so
// /proc/PID/cgroup says which pod and container a process belongs to, as on a real node.
import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The cgroup2 hierarchy the harness writes to (a hybrid host mounts it here). */
export const CGROUP2_ROOT = '/sys/fs/cgroup/unified';

export type CgroupDriver = 'systemd' | 'cgroupfs';

/** A 64-hex-digit container ID, as containerd makes them. */
export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The cgroup path of a container of a BestEffort pod, relative to the cgroup2 root:
 * systemd: `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_>.slice/cri-containerd-<id>.scope`;
 * cgroupfs: `kubepods/besteffort/pod<uid>/<id>`.
 */
export function containerCgroupPath(driver: CgroupDriver, podUid: string, containerId: string): string {
  if (driver === 'cgroupfs') return `kubepods/besteffort/pod${podUid}/${containerId}`;
  const pod = `kubepods-besteffort-pod${podUid.replace(/-/g, '_')}.slice`;
  return `kubepods.slice/kubepods-besteffort.slice/${pod}/cri-containerd-${containerId}.scope`;
}

export interface PodCgroups {
  /** The pod's own cgroup directory (absolute). */
  podDir: string;
  /** The sandbox's cgroup directory and ID: the pause process lives there; it is no container of the pod. */
  sandbox: { id: string; dir: string };
  /** Per container name: its ID and cgroup directory (absolute). */
  containers: Map<string, { id: string; dir: string }>;
  /** Moves any process left out to the root cgroup, then removes the pod's cgroups. */
  remove(): Promise<void>;
}

async function moveOut(dir: string): Promise<void> {
  const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of procs.split('\n').filter(Boolean)) {
    await writeFile(join(CGROUP2_ROOT, 'cgroup.procs'), pid).catch(() => undefined);
  }
}

/** Makes the pod's cgroups; fails with what is missing when the cgroup2 hierarchy is not writable here. */
export async function createPodCgroups(
  driver: CgroupDriver,
  podUid: string,
  containerNames: readonly string[],
): Promise<PodCgroups> {
  try {
    await access(join(CGROUP2_ROOT, 'cgroup.procs'));
  } catch {
    throw new Error(`the pod simulation needs a writable cgroup2 hierarchy at ${CGROUP2_ROOT}`);
  }
  const sandboxId = newContainerId();
  const sandboxDir = join(CGROUP2_ROOT, containerCgroupPath(driver, podUid, sandboxId));
  const podDir = join(sandboxDir, '..');
  await mkdir(sandboxDir, { recursive: true });
  const containers = new Map<string, { id: string; dir: string }>();
  for (const name of containerNames) {
    const id = newContainerId();
    const dir = join(CGROUP2_ROOT, containerCgroupPath(driver, podUid, id));
    await mkdir(dir, { recursive: true });
    containers.set(name, { id, dir });
  }
  return {
    podDir,
    sandbox: { id: sandboxId, dir: sandboxDir },
    containers,
    async remove() {
      // The pod's ancestors (kubepods…) are shared with other pods and stay.
      for (const dir of [...[...containers.values()].map((c) => c.dir), sandboxDir, podDir]) {
        await moveOut(dir);
        await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
    },
  };
}

/** The shell line that moves the shell running it (and so what it execs) into a cgroup. */
export function joinCgroupLine(dir: string): string {
  return `echo 0 > '${join(dir, 'cgroup.procs')}'`;
}
