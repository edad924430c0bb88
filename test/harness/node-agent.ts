// The node agent as the kube tier runs it: a process on this host (the simulated node), with the host's
// PID namespace and cgroups, as a DaemonSet pod with hostPID would see them. Its Pod object exists in
// Furnace's namespace, bound to the simulated node and given an IP, so its projected token is bound to a
// real pod (TokenReview names it) exactly as the kubelet's would be.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { createServiceAccountToken, RUN_ID } from './cluster.ts';
import { SIM_NODE_NAME } from './pod-sim.ts';
import { writeHostsFile, withHostsFile, type HostEntries } from './hosts-file.ts';
import { startFurnace, startProcess, type RunningProcess } from './processes.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

export const AGENT_SERVICE_ACCOUNT = 'furnace-agent';

export interface NodeAgentOptions {
  /** Furnace's namespace (it must exist); the agent's service account and pod are made there. */
  namespace: string;
  /** The server's recorder listener and the CA of its certificate. */
  serverUrl: string;
  serverCa: string;
  /** The agents' HTTPS port (the server's `agent.port`). */
  port: number;
  /** Where the agent keeps its token and recordings. */
  dir: string;
  /** The service account the agent's pod runs as (default AGENT_SERVICE_ACCOUNT). */
  serviceAccount?: string;
  /** The node the agent claims (default the simulated node its pod is bound to). */
  claimedNode?: string;
  /** Names the cluster's DNS would resolve for the agent's pod (the Service in its FURNACE_SERVER_URL). */
  hosts?: HostEntries;
}

export interface NodeAgent {
  pod: V1Pod;
  ip: string;
  process: RunningProcess;
  /** Starts the agent again as it was started (same pod, token, ports and data directory); e.g. after a kill. */
  restart(): RunningProcess;
  /** Where the agent keeps its recordings (FURNACE_SIDECAR_DATA). */
  dataDir: string;
}

/** An address on loopback for the agent's pod IP, distinct from the simulated pods' (127.1.x.y). */
function agentIp(): string {
  return `127.2.${1 + Math.floor(Math.random() * 254)}.${1 + Math.floor(Math.random() * 254)}`;
}

async function createAgentPod(kc: KubeConfig, namespace: string, serviceAccount: string, ip: string) {
  const core = kc.makeApiClient(CoreV1Api);
  await core
    .createNamespacedServiceAccount({
      namespace,
      body: { metadata: { name: serviceAccount, labels: { [TEST_RUN_LABEL]: RUN_ID } } },
    })
    .catch((error: { code?: number }) => {
      if (error.code !== 409) throw error;
    });
  const name = `agent-${Math.random().toString(36).slice(2, 8)}`;
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { [TEST_RUN_LABEL]: RUN_ID } },
      spec: { serviceAccountName: serviceAccount, containers: [{ name: 'agent', image: 'furnace-agent' }] },
    },
  });
  await core.createNamespacedPodBinding({
    name,
    namespace,
    body: { metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: SIM_NODE_NAME } },
  });
  const pod = await core.readNamespacedPodStatus({ name, namespace });
  pod.status = { ...pod.status, phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '127.0.0.1' };
  return core.replaceNamespacedPodStatus({ name, namespace, body: pod });
}

/** Starts `sidecar/agent/main.ts` on this host as the agent of the simulated node. */
export async function startNodeAgent(
  t: TestContext,
  kc: KubeConfig,
  options: NodeAgentOptions,
): Promise<NodeAgent> {
  const ip = agentIp();
  const serviceAccount = options.serviceAccount ?? AGENT_SERVICE_ACCOUNT;
  const pod = await createAgentPod(kc, options.namespace, serviceAccount, ip);
  const token = await createServiceAccountToken(kc, {
    namespace: options.namespace,
    serviceAccount,
    audiences: ['furnace'],
    boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  });
  const tokenPath = join(options.dir, 'agent-token');
  await writeFile(tokenPath, token, { mode: 0o600 });
  const env = {
    FURNACE_SERVER_URL: options.serverUrl,
    FURNACE_SERVER_CA: options.serverCa,
    FURNACE_TOKEN_PATH: tokenPath,
    FURNACE_NODE_NAME: options.claimedNode ?? SIM_NODE_NAME,
    FURNACE_POD_IP: ip,
    FURNACE_AGENT_PORT: String(options.port),
    FURNACE_SIDECAR_PORT: '0',
    FURNACE_SIDECAR_DATA: join(options.dir, 'agent-data'),
    FURNACE_LOG_LEVEL: 'warn',
  };
  const entry = 'sidecar/agent/main.ts';
  const hostsPath = options.hosts
    ? await writeHostsFile(join(options.dir, 'agent-hosts'), options.hosts)
    : undefined;
  const launch = (): RunningProcess => {
    if (hostsPath === undefined) return startFurnace(t, [entry], env);
    const [command = '', ...args] = withHostsFile(hostsPath, [
      process.execPath,
      ...TYPESCRIPT_NODE_ARGS,
      entry,
    ]);
    return startProcess(t, command, args, { env, cleanEnv: true, cwd: PROJECT_ROOT });
  };
  return { pod, ip, process: launch(), restart: launch, dataDir: env.FURNACE_SIDECAR_DATA };
}
