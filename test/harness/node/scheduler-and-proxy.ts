// kube-scheduler and kube-proxy of the test node, each with its own client certificate (the identities the
// API server's default RBAC bindings name: system:kube-scheduler, system:kube-proxy).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from '../child-processes.ts';
import type { ControlPlaneState } from '../control-plane.ts';
import { freePort } from '../ports.ts';
import { startDetached } from '../processes.ts';
import type { ProcessIdentity } from '../process-identity.ts';
import { componentKubeconfig } from './kubelet.ts';
import type { NodePaths, NodeState } from './node-layout.ts';

export async function startScheduler(
  state: NodeState,
  paths: NodePaths,
  cp: ControlPlaneState,
): Promise<ProcessIdentity> {
  const kubeconfig = await componentKubeconfig(cp, paths, 'kube-scheduler', '/CN=system:kube-scheduler');
  return startDetached(
    join(state.binDir, 'kube-scheduler'),
    [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--secure-port=0', '--v=1'],
    join(state.dir, 'kube-scheduler.log'),
  );
}

/**
 * iptables mode. The conntrack settings are left as the machine has them (changing them needs sysctls a
 * container may not write), and NodePorts on localhost are off (they need route_localnet).
 */
async function proxyConfigPath(state: NodeState, kubeconfig: string): Promise<string> {
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig },
    hostnameOverride: state.nodeName,
    clusterCIDR: state.podCidr,
    bindAddress: state.nodeIp,
    healthzBindAddress: `127.0.0.1:${await freePort()}`,
    metricsBindAddress: `127.0.0.1:${await freePort()}`,
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { localhostNodePorts: false, masqueradeAll: false },
    nodePortAddresses: [`${state.nodeIp}/32`],
  };
  const path = join(state.dir, 'kube-proxy-config.json');
  await writeFile(path, JSON.stringify(config, null, 2));
  return path;
}

export async function startProxy(
  state: NodeState,
  paths: NodePaths,
  cp: ControlPlaneState,
): Promise<ProcessIdentity> {
  const kubeconfig = await componentKubeconfig(cp, paths, 'kube-proxy', '/CN=system:kube-proxy');
  const config = await proxyConfigPath(state, kubeconfig);
  return startDetached(
    join(state.binDir, 'kube-proxy'),
    [`--config=${config}`, '--v=1'],
    join(state.dir, 'kube-proxy.log'),
  );
}

/** kube-proxy's own undo of the rules it made for Services (`--cleanup`), run once it has stopped. */
export function cleanupProxyRules(state: NodeState): Promise<void> {
  return new Promise((resolve) => {
    execFile(
      join(state.binDir, 'kube-proxy'),
      ['--cleanup', `--config=${join(state.dir, 'kube-proxy-config.json')}`],
      () => resolve(),
    );
  });
}
