// Tears a node down by what dir/node.json recorded: its pods (through the kubelet, so every sandbox's network
// is released by CNI), its processes by PID, every container of its containerd, the mounts below its
// directory, its cgroup root, the iptables rules it and its kube-proxy and kubelet made, its bridge, and the
// ip_forward value it found. Returns what could not be removed (empty when the machine is as it was).
import { readdir, readlink, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { stopControlPlane, type ControlPlaneState } from '../control-plane.ts';
import { eventually } from '../eventually.ts';
import { stopPid } from '../processes.ts';
import { recordedIdentity } from '../process-identity.ts';
import { readFile } from 'node:fs/promises';
import { removeCgroupRoot } from './cgroup-root.ts';
import { ctr, removeAllContainers } from './containerd.ts';
import { iptablesDelta, removeDelta, snapshotIptables } from './iptables-record.ts';
import {
  CONTAINER_LOG_DIR,
  loadNodeState,
  nodePaths,
  type NodeComponent,
  type NodeState,
} from './node-layout.ts';
import { unmountBelow } from './node-mounts.ts';
import { deleteBridge, deleteRule, restoreSysctls } from './pod-network.ts';
import { cleanupProxyRules } from './scheduler-and-proxy.ts';
import { kubectlAt } from './node-kubectl.ts';

/**
 * `keepLogs`: the directory stays with the components' logs and configuration (a failed start says where),
 * without the containers' and images' files.
 */
export async function stopNode(dir: string, options: { keepLogs?: boolean } = {}): Promise<string[]> {
  const state = await loadNodeState(dir);
  const left: string[] = [];
  const cp = await readFile(state.controlPlaneStatePath, 'utf8')
    .then((text) => JSON.parse(text) as ControlPlaneState)
    .catch(() => undefined);
  await stopProcesses(state, cp);
  left.push(...(await unmountBelow(dir)).map((m) => `mount ${m}`));
  await removeContainerLogLinks(state);
  left.push(...(await removeCgroupRoot(state.cgroupRoot)).map((c) => `cgroup ${c}`));
  if (state.pids.proxy) await cleanupProxyRules(state);
  const started = state.iptablesBefore
    ? iptablesDelta(state.iptablesBefore, await snapshotIptables())
    : state.started;
  for (const delta of started)
    await removeDelta(delta).catch((e: Error) => left.push(`iptables ${e.message}`));
  for (const rule of [...state.rules].reverse()) await deleteRule(rule);
  await deleteBridge(state);
  await restoreSysctls(state);
  // A start refused before any component ran has no logs to keep.
  const ran = cp !== undefined || Object.keys(state.pids).length > 0;
  if (left.length === 0) await removeDir(dir, options.keepLogs === true && ran);
  return left;
}

/**
 * The pods through the kubelet, then the node's processes by PID (each only while its PID names the process
 * started: the same start time), containers, and its control plane.
 */
async function stopProcesses(state: NodeState, cp: ControlPlaneState | undefined): Promise<void> {
  const stop = async (component: NodeComponent, graceMs?: number): Promise<void> => {
    const identity = recordedIdentity(component, state.pids[component], state.startTimes?.[component]);
    if (identity) await stopPid(identity, graceMs);
  };
  await stop('scheduler');
  if (cp && state.pids.kubelet && state.pids.containerd) await drainPods(state);
  await stop('kubelet');
  await stop('proxy');
  if (state.pids.containerd) {
    await removeAllContainers(state.containerdSocket);
    await stop('containerd', 10_000);
  }
  if (cp) await stopControlPlane(cp);
}

async function removeDir(dir: string, keepLogs: boolean): Promise<void> {
  if (!keepLogs) return rm(dir, { recursive: true, force: true });
  for (const bulk of ['containerd', 'kubelet', 'images', 'pod-logs', join('control-plane', 'etcd')]) {
    await rm(join(dir, bulk), { recursive: true, force: true });
  }
}

/**
 * Deletes every pod (scheduler stopped first, so a controller's replacement stays Pending) and waits until
 * the kubelet has stopped every sandbox: no task left in containerd and no pod address left allocated.
 */
async function drainPods(state: NodeState): Promise<void> {
  await kubectlAt(state.binDir, state.kubeconfigPath, [
    'delete',
    'pods',
    '--all',
    '--all-namespaces',
    '--grace-period=0',
    '--force',
    '--wait=false',
  ]).catch(() => undefined);
  const ipam = nodePaths(state.dir).cniDataDir;
  await eventually(
    async () => {
      const tasks = (await ctr(state.containerdSocket, ['tasks', 'ls', '-q']).catch(() => '')).trim();
      const allocated = (await readdir(ipam, { recursive: true }).catch(() => [])).filter((f) =>
        /\d+\.\d+\.\d+\.\d+$/.test(f),
      );
      return tasks === '' && allocated.length === 0 ? true : undefined;
    },
    60_000,
    'the kubelet stopping every pod of the node',
  ).catch(() => undefined);
}

/** The kubelet links each container's log into /var/log/containers; links into the node's directory go. */
async function removeContainerLogLinks(state: NodeState): Promise<void> {
  const names = await readdir(CONTAINER_LOG_DIR).catch(() => []);
  for (const name of names) {
    const path = join(CONTAINER_LOG_DIR, name);
    const target = await readlink(path).catch(() => '');
    if (target.startsWith(`${state.dir}/`)) await unlink(path);
  }
  if (!state.containerLogDirExisted && (await stat(CONTAINER_LOG_DIR).catch(() => undefined))) {
    await rmdir(CONTAINER_LOG_DIR).catch(() => undefined);
  }
}
