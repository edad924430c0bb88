// Where a test node keeps everything, and the state file that records what it made. Every path, socket,
// port, bridge, cgroup and iptables rule of the node is its own; stop-node.ts removes what this file lists.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The pod range (one node, one /24) and the bridge's address on it, which is the node's InternalIP. */
export const POD_CIDR = '10.217.0.0/24';
export const NODE_IP = '10.217.0.1';
/** CoreDNS's Service address, in the control plane's Service range (SERVICE_CIDR). */
export const CLUSTER_DNS_IP = '10.0.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** The pause image every pod sandbox runs, built by the harness (no registry to pull one from). */
export const PAUSE_IMAGE = 'localhost/furnace/pause:test';
export const COREDNS_IMAGE = 'localhost/furnace/coredns:test';

/** One iptables rule the node added: table, chain and the rule's arguments as given to `-A`. */
export interface IptablesRule {
  table: string;
  chain: string;
  args: string[];
}

/** What appeared in one table of one family (iptables or ip6tables), as iptables-save prints it. */
export interface IptablesDelta {
  family: IptablesFamily;
  table: string;
  chains: string[];
  /** `-A CHAIN ...` lines, in chains that existed before. */
  rules: string[];
  /** The table itself appeared (nf_tables makes a table when a first chain needs it). */
  newTable: boolean;
}

export type IptablesFamily = 'iptables' | 'ip6tables';

/** family → table → its chains and its rules (`-A ...` lines, counters dropped). */
export type IptablesSnapshot = Record<string, Record<string, { chains: string[]; rules: string[] }>>;

/** The node's processes the harness starts, besides its control plane. */
export type NodeComponent = 'containerd' | 'kubelet' | 'scheduler' | 'proxy';

export interface NodeState {
  /** Short random id: the bridge's name, the cgroup root and the iptables comments carry it. */
  id: string;
  nodeName: string;
  nodeIp: string;
  podCidr: string;
  dir: string;
  binDir: string;
  corednsBinDir: string;
  /** The node's control plane (its own, with the node controllers). */
  controlPlaneStatePath: string;
  kubeconfigPath: string;
  containerdSocket: string;
  pids: Partial<Record<NodeComponent, number>>;
  /**
   * Each started component's start time (field 22 of /proc/PID/stat) beside its PID: teardown signals a PID
   * only while it names that process. A node.json without them (an older harness's) has its PIDs left alone.
   */
  startTimes?: Partial<Record<NodeComponent, number>>;
  bridge?: string;
  /** Below every cgroup hierarchy; the kubelet's kubepods tree is under it. */
  cgroupRoot: string;
  /** Rules the harness added itself (isolation), removed with `-D` and the same arguments. */
  rules: IptablesRule[];
  /** Chains, and rules in chains that were there before, that appeared while the kubelet and kube-proxy started. */
  started: IptablesDelta[];
  /**
   * iptables before the start, kept until `started` is recorded: a start that fails before then is torn down
   * by the difference between this and what is there at teardown.
   */
  iptablesBefore?: IptablesSnapshot;
  /** The value of net.ipv4.ip_forward before the node (the CNI bridge plugin turns it on). */
  ipForwardBefore?: string;
  /** The value of net.bridge.bridge-nf-call-iptables before the node (kube-proxy's rules need it on). */
  bridgeNfBefore?: string;
  /** Whether /var/log/containers existed before (the kubelet links container logs there). */
  containerLogDirExisted: boolean;
}

export interface NodePaths {
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  /** containerd's registry hosts directory (`config_path`): `<host:port>/hosts.toml` and its CA, read per pull. */
  containerdHosts: string;
  cniConfDir: string;
  cniDataDir: string;
  kubeletRoot: string;
  podLogs: string;
  pki: string;
  images: string;
}

export function nodePaths(dir: string): NodePaths {
  return {
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    containerdConfig: join(dir, 'containerd', 'config.toml'),
    containerdHosts: join(dir, 'containerd', 'hosts.d'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    podLogs: join(dir, 'pod-logs'),
    pki: join(dir, 'pki'),
    images: join(dir, 'images'),
  };
}

export const CONTAINER_LOG_DIR = '/var/log/containers';

export function nodeStatePath(dir: string): string {
  return join(dir, 'node.json');
}

/** Written after every step of the start, so a start that fails half-way is torn down by what it made. */
export async function saveNodeState(state: NodeState): Promise<void> {
  await writeFile(nodeStatePath(state.dir), JSON.stringify(state, null, 2));
}

export async function loadNodeState(dir: string): Promise<NodeState> {
  return JSON.parse(await readFile(nodeStatePath(dir), 'utf8')) as NodeState;
}
