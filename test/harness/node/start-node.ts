// Starts a real node in dir: its own control plane (with the node controllers), containerd, the pod
// network, kubelet, kube-scheduler, kube-proxy and CoreDNS. Every step is recorded in dir/node.json before it
// makes anything, so stop-node.ts can remove what a start made even when the start failed half-way.
import { randomBytes } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SERVICE_CIDR, startControlPlane, type ControlPlaneState } from '../control-plane.ts';
import { eventually } from '../eventually.ts';
import { createCgroupRoot } from './cgroup-root.ts';
import { clusterDnsManifest } from './cluster-dns.ts';
import { startContainerd } from './containerd.ts';
import { iptablesDelta, snapshotIptables } from './iptables-record.ts';
import { startKubelet } from './kubelet.ts';
import {
  CONTAINER_LOG_DIR,
  NODE_IP,
  POD_CIDR,
  nodePaths,
  saveNodeState,
  type NodeComponent,
  type NodeState,
} from './node-layout.ts';
import type { ProcessIdentity } from '../process-identity.ts';
import { importNodeImages } from './node-images.ts';
import { addIsolationRules, createBridge, isolationRules, writeCniConfig } from './pod-network.ts';
import { startProxy, startScheduler } from './scheduler-and-proxy.ts';
import { kubectlAt } from './node-kubectl.ts';
import { stopNode } from './stop-node.ts';

export interface NodeBinaries {
  /** kube-apiserver … kube-proxy, from build-control-plane.sh. */
  binDir: string;
  /** coredns, from build-coredns.sh. */
  corednsBinDir: string;
}

/** The pod range and node address; a second node on this machine (the teardown test's) needs others. */
export interface NodeNetwork {
  podCidr: string;
  nodeIp: string;
}

export async function startNode(
  dir: string,
  binaries: NodeBinaries,
  network: NodeNetwork = { podCidr: POD_CIDR, nodeIp: NODE_IP },
): Promise<NodeState> {
  await mkdir(dir, { recursive: true });
  const paths = nodePaths(dir);
  const id = randomBytes(3).toString('hex');
  const state: NodeState = {
    id,
    nodeName: `furnace-node-${id}`,
    nodeIp: network.nodeIp,
    podCidr: network.podCidr,
    dir,
    binDir: binaries.binDir,
    corednsBinDir: binaries.corednsBinDir,
    controlPlaneStatePath: join(dir, 'control-plane', 'control-plane.json'),
    kubeconfigPath: join(dir, 'control-plane', 'kubeconfig'),
    containerdSocket: join(dir, 'containerd.sock'),
    pids: {},
    startTimes: {},
    cgroupRoot: `/furnace-node-${id}`,
    rules: [],
    started: [],
    containerLogDirExisted: Boolean(await stat(CONTAINER_LOG_DIR).catch(() => undefined)),
  };
  const save = () => saveNodeState(state);
  await save();
  try {
    const before = await snapshotIptables();
    await createBridge(state, save);
    // Kept only once the bridge exists: a start refused because another node runs here removes nothing.
    state.iptablesBefore = before;
    await writeCniConfig(state, paths);
    await addIsolationRules(state, isolationRules(state, SERVICE_CIDR), save);
    const cp: ControlPlaneState = await startControlPlane(join(dir, 'control-plane'), binaries.binDir, {
      nodeAddress: network.nodeIp,
    });
    await save();
    started(
      state,
      'containerd',
      await startContainerd(paths, state.containerdSocket, join(dir, 'containerd.log')),
    );
    await save();
    await importNodeImages(paths.images, binaries.corednsBinDir, state.containerdSocket);
    await createCgroupRoot(state.cgroupRoot);
    started(state, 'kubelet', await startKubelet(state, paths, cp));
    await save();
    started(state, 'scheduler', await startScheduler(state, paths, cp));
    started(state, 'proxy', await startProxy(state, paths, cp));
    await save();
    await waitForReadyNode(state);
    await kubectlAt(state.binDir, state.kubeconfigPath, ['apply', '-f', '-'], clusterDnsManifest());
    await kubectlAt(state.binDir, state.kubeconfigPath, [
      'rollout',
      'status',
      '-n',
      'kube-system',
      'deployment/coredns',
      '--timeout=120s',
    ]);
    state.started = iptablesDelta(before, await snapshotIptables());
    delete state.iptablesBefore;
    await save();
    return state;
  } catch (error) {
    await stopNode(dir, { keepLogs: true }).catch(() => undefined);
    const refused = (error as { code?: string }).code === 'ERR_NODE_ADDRESS_IN_USE';
    if (error instanceof Error && !refused) error.message += ` (the node's logs: ${dir})`;
    throw error;
  }
}

/** Records a component's PID and start time (saved with the state next). */
function started(state: NodeState, component: NodeComponent, identity: ProcessIdentity): void {
  state.pids[component] = identity.pid;
  (state.startTimes ??= {})[component] = identity.startTime;
}

async function waitForReadyNode(state: NodeState): Promise<void> {
  await eventually(
    async () => {
      const out = await kubectlAt(state.binDir, state.kubeconfigPath, [
        'get',
        'node',
        state.nodeName,
        '-o',
        'json',
      ]).catch(() => undefined);
      if (!out) return undefined;
      const node = JSON.parse(out) as {
        spec?: { taints?: { key: string }[] };
        status?: { conditions?: { type: string; status: string }[] };
      };
      const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const tainted = node.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/'));
      return ready && !tainted ? true : undefined;
    },
    90_000,
    `node ${state.nodeName} Ready and untainted (log: ${join(state.dir, 'kubelet.log')})`,
  );
}
