// The node's pod network: a bridge of its own (made here, so its name is recorded before anything uses it),
// the CNI bridge configuration that attaches pods to it without masquerade, and the FORWARD rules that keep
// pods to the node and each other.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../processes.ts';
import type { IptablesRule, NodePaths, NodeState } from './node-layout.ts';

const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
/** On, a packet between two pods of the bridge passes iptables, so a Service's DNAT applies to it. */
const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';

/**
 * Creates the bridge with the node's address on it; the state records it before it exists. Refuses when the
 * address is already on an interface: another node runs here (two would share routes, and their kube-proxies
 * would rewrite each other's chains).
 */
export async function createBridge(state: NodeState, saveState: () => Promise<void>): Promise<void> {
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show']);
  const holder = stdout.split('\n').find((line) => line.includes(` ${state.nodeIp}/`));
  if (holder) {
    throw Object.assign(
      new Error(
        `node address ${state.nodeIp} is already on interface ${holder.split(/\s+/)[1]}: another test node runs on this machine (one at a time)`,
      ),
      { code: 'ERR_NODE_ADDRESS_IN_USE' },
    );
  }
  const name = `fnode${state.id}`;
  state.bridge = name;
  state.ipForwardBefore = (await readFile(IP_FORWARD, 'utf8')).trim();
  state.bridgeNfBefore = (await readFile(BRIDGE_NF, 'utf8').catch(() => '')).trim();
  if (state.bridgeNfBefore === '') {
    throw Object.assign(new Error(`${BRIDGE_NF} is missing: load br_netfilter (modprobe br_netfilter)`), {
      code: 'ERR_NODE_BR_NETFILTER',
    });
  }
  await saveState();
  if (state.bridgeNfBefore !== '1') await writeFile(BRIDGE_NF, '1\n');
  await run('ip', ['link', 'add', name, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `${state.nodeIp}/${state.podCidr.split('/')[1]}`, 'dev', name]);
  await run('ip', ['link', 'set', name, 'up']);
}

/**
 * The CNI configuration: the bridge plugin on the node's bridge with the node's address as gateway,
 * no masquerade (a pod's packets keep its address, so nothing outside could answer them anyway), and
 * host-local addresses recorded under the node's own directory.
 */
export async function writeCniConfig(state: NodeState, paths: NodePaths): Promise<void> {
  await mkdir(paths.cniConfDir, { recursive: true });
  const config = {
    cniVersion: '0.4.0',
    name: `furnace-${state.id}`,
    plugins: [
      {
        type: 'bridge',
        bridge: state.bridge,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: state.podCidr, gateway: state.nodeIp }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: paths.cniDataDir,
        },
      },
    ],
  };
  await writeFile(join(paths.cniConfDir, '10-furnace.conflist'), JSON.stringify(config, null, 2));
}

/**
 * Pods reach only the node and each other: in FORWARD, a packet from the pod range to the pod or Service
 * range is accepted and any other is dropped. Packets to the node itself go through INPUT, untouched.
 * Each rule is recorded before it is added, and removed with the same arguments.
 */
export function isolationRules(state: NodeState, serviceCidr: string): IptablesRule[] {
  const comment = ['-m', 'comment', '--comment', `furnace-node-${state.id}`];
  return [
    {
      table: 'filter',
      chain: 'FORWARD',
      args: ['-s', state.podCidr, '-d', state.podCidr, ...comment, '-j', 'ACCEPT'],
    },
    {
      table: 'filter',
      chain: 'FORWARD',
      args: ['-s', state.podCidr, '-d', serviceCidr, ...comment, '-j', 'ACCEPT'],
    },
    { table: 'filter', chain: 'FORWARD', args: ['-s', state.podCidr, ...comment, '-j', 'DROP'] },
  ];
}

/** Inserts the rules at the top of their chains, in their order. */
export async function addIsolationRules(
  state: NodeState,
  rules: IptablesRule[],
  saveState: () => Promise<void>,
): Promise<void> {
  for (const [index, rule] of rules.entries()) {
    state.rules.push(rule);
    await saveState();
    await run('iptables', ['-w', '-t', rule.table, '-I', rule.chain, String(index + 1), ...rule.args]);
  }
}

/** Packets the isolation's DROP rule has dropped so far (the test reads it to see what stopped a pod). */
export async function droppedPackets(state: NodeState): Promise<number> {
  const { stdout } = await run('iptables', ['-w', '-t', 'filter', '-L', 'FORWARD', '-v', '-x', '-n']);
  const line = stdout.split('\n').find((l) => l.includes(`furnace-node-${state.id}`) && /\bDROP\b/.test(l));
  if (!line) throw new Error(`the node's DROP rule (comment furnace-node-${state.id}) is not in FORWARD`);
  return Number(line.trim().split(/\s+/)[0]);
}

export async function deleteRule(rule: IptablesRule): Promise<void> {
  await run('iptables', ['-w', '-t', rule.table, '-D', rule.chain, ...rule.args]).catch(() => undefined);
}

/** Puts back the sysctls the node changed, as it found them. */
export async function restoreSysctls(state: NodeState): Promise<void> {
  if (state.ipForwardBefore !== undefined) await writeFile(IP_FORWARD, `${state.ipForwardBefore}\n`);
  if (state.bridgeNfBefore) await writeFile(BRIDGE_NF, `${state.bridgeNfBefore}\n`);
}

export async function deleteBridge(state: NodeState): Promise<void> {
  if (state.bridge) await run('ip', ['link', 'delete', state.bridge]).catch(() => undefined);
}
