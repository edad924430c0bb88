// Which pod and container a process of the node belongs to, found the way the node itself knows it: the
// kubelet puts every container in a cgroup whose path names the pod UID and the runtime's container ID.
// The pod's status.containerStatuses maps those IDs to container names. Pure.
//
// Paths covered (cgroup v1 and v2 lines alike; any QoS class, or none for Guaranteed pods):
//   systemd driver:  kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid_>.slice/cri-containerd-<id>.scope
//                    (CRI-O `crio-<id>.scope`, dockershim/cri-dockerd `docker-<id>.scope`)
//   cgroupfs driver: kubepods/burstable/pod<uid>/<id>
//   containerd outside systemd's tree: …/kubepods-burstable-pod<uid_>.slice:cri-containerd:<id>
// The path may start with `/..` segments: from inside a cgroup namespace (a container's default on
// cgroup v2) other cgroups show relative to the namespace's root, and the pod's names are still there.

export interface CgroupOwner {
  podUid: string;
  /** The runtime's container ID (64 hex digits); the pod's sandbox (pause) has one too. */
  containerId: string;
}

const POD_SYSTEMD = /^kubepods(?:-[a-z]+)?-pod([0-9a-fA-F_]+)\.slice$/;
const POD_CGROUPFS = /^pod([0-9a-fA-F-]+)$/;
const CONTAINER_ID = '([0-9a-f]{64})';
const CONTAINER_SCOPE = new RegExp(`^(?:cri-containerd|crio|docker)-${CONTAINER_ID}\\.scope$`);
const CONTAINER_BARE = new RegExp(`^${CONTAINER_ID}$`);
const CONTAINER_COLON = new RegExp(
  `^kubepods(?:-[a-z]+)?-pod([0-9a-fA-F_]+)\\.slice:cri-containerd:${CONTAINER_ID}$`,
);

/** A pod UID as the API server writes it: systemd slice names turn its dashes into underscores. */
function podUidOf(segment: string): string | undefined {
  const systemd = POD_SYSTEMD.exec(segment)?.[1];
  if (systemd !== undefined) return systemd.replace(/_/g, '-').toLowerCase();
  return POD_CGROUPFS.exec(segment)?.[1]?.toLowerCase();
}

function containerIdOf(segment: string): string | undefined {
  return CONTAINER_SCOPE.exec(segment)?.[1] ?? CONTAINER_BARE.exec(segment)?.[1];
}

/**
 * The pod and container of one cgroup path; undefined unless a container's cgroup is right under its pod's.
 * The outermost pod wins: a container allowed to make cgroups can nest any names below its own, never above.
 */
export function ownerOfCgroupPath(path: string): CgroupOwner | undefined {
  const segments = path.split('/').filter((s) => s !== '' && s !== '..');
  for (const [i, segment] of segments.entries()) {
    const colon = CONTAINER_COLON.exec(segment);
    if (colon?.[1] !== undefined && colon[2] !== undefined) {
      return { podUid: colon[1].replace(/_/g, '-').toLowerCase(), containerId: colon[2] };
    }
    const podUid = podUidOf(segment);
    if (podUid === undefined) continue;
    const containerId = containerIdOf(segments[i + 1] ?? '');
    // The pod's own cgroup, or a child that is no container's: the process belongs to no container.
    return containerId === undefined ? undefined : { podUid, containerId };
  }
  return undefined;
}

/**
 * The pod and container of a process from its /proc/PID/cgroup text (`hierarchy:controllers:path` lines).
 * Every line that names a pod must name the same one: a process whose hierarchies disagree belongs to no pod.
 */
export function parseProcCgroup(text: string): CgroupOwner | undefined {
  let found: CgroupOwner | undefined;
  for (const line of text.split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const owner = ownerOfCgroupPath(line.slice(second + 1));
    if (owner === undefined) continue;
    if (found !== undefined && (found.podUid !== owner.podUid || found.containerId !== owner.containerId))
      return undefined;
    found = owner;
  }
  return found;
}

/** What the agent needs of a container status: its name and `<runtime>://<id>`. */
export interface ContainerStatusLike {
  name: string;
  containerID?: string | undefined;
}

/** Container ID → container name, from the pod's container statuses (`containerd://<id>`, `cri-o://<id>`, `docker://<id>`). */
export function containerNamesById(statuses: readonly ContainerStatusLike[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const status of statuses) {
    const id = /^[a-z0-9-]+:\/\/([0-9a-f]{64})$/.exec(status.containerID ?? '')?.[1];
    if (id !== undefined) names.set(id, status.name);
  }
  return names;
}

/**
 * Agent mode: the owner of a process from its /proc/PID/cgroup text, only when it is a container of the
 * scope's pod that the pod's status lists (the sandbox's pause process and every other pod get none).
 */
export function ownerInScope(scope: {
  podUid: string;
  containers: readonly { name: string; id: string }[];
}): (cgroupText: string) => { podUid: string; container: string } | undefined {
  const names = new Map(scope.containers.map((c) => [c.id, c.name]));
  const podUid = scope.podUid.toLowerCase();
  return (text) => {
    const owner = parseProcCgroup(text);
    if (owner?.podUid !== podUid) return undefined;
    const container = names.get(owner.containerId);
    return container === undefined ? undefined : { podUid: scope.podUid, container };
  };
}
