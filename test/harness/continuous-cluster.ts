// Continuous profiling in the test cluster, as the kube tier's continuous tests start it: the server as a
// process in agent mode with continuous profiling on (its webhook off), a real node agent registered with
// it, and the hot program run as simulated pods of a namespace opted in, each with its own hot function
// (`furnace_heavy_<pod>`), labelled `profile: always` when it is to be selected.
import type { TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createNamespace } from './cluster.ts';
import { startClusterServer, type ClusterServer } from './cluster-server.ts';
import type { ControlPlane } from './control-plane.ts';
import { buildHotProgram, SAMPLED_BUSY_PERCENT } from './hot-program.ts';
import { startNodeAgent, type NodeAgent } from './node-agent.ts';
import { simulatePod } from './pod-sim.ts';
import { freePort } from './ports.ts';

export interface ContinuousPod {
  name: string;
  /** Labelled `profile: always`, which the tests' selections match. */
  selected: boolean;
}

export interface ContinuousClusterOptions {
  cluster: { kc: KubeConfig; cp: ControlPlane };
  /** The test's work directory: the server's data, the agent's, the built programs. */
  dir: string;
  windowSeconds: number;
  pods: readonly ContinuousPod[];
  /** More of the server's configuration, given the pods' namespace (a sink that serves it). */
  extra?: (namespace: string) => Record<string, unknown>;
}

export interface ContinuousCluster {
  server: ClusterServer;
  /** The server's CA, for calls to its user listener. */
  ca: string;
  agent: NodeAgent;
  /** The opted-in namespace of the pods. */
  namespace: string;
}

/** A pod of the hot program, labelled as `selected` says. */
function hotPod({ name, selected }: ContinuousPod) {
  return {
    metadata: { name, labels: { app: 'hot', ...(selected ? { profile: 'always' } : {}) } },
    spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
  };
}

export async function startContinuousCluster(
  t: TestContext,
  options: ContinuousClusterOptions,
): Promise<ContinuousCluster> {
  const { kc, cp } = options.cluster;
  const { dir } = options;
  const namespace = await createNamespace(kc, { enabled: true });
  const agentNamespace = await createNamespace(kc, { prefix: 'furnace' });
  const agentPort = await freePort();
  const server = await startClusterServer(t, dir, {
    kubeconfigPath: cp.kubeconfigPath,
    extra: {
      webhook: { enabled: false },
      agent: {
        enabled: true,
        namespace: agentNamespace,
        serviceAccount: 'furnace-agent',
        port: agentPort,
        continuous: { windowSeconds: options.windowSeconds },
      },
      ...options.extra?.(namespace),
    },
  });
  const ca = server.certs.caPem;
  const agent = await startNodeAgent(t, kc, {
    namespace: agentNamespace,
    serverUrl: server.recorderUrl,
    serverCa: ca,
    port: agentPort,
    dir,
  });
  const core = kc.makeApiClient(CoreV1Api);
  for (const pod of options.pods) {
    const heavy = `-Dfurnace_heavy=furnace_heavy_${pod.name.replace('-', '_')}`;
    const program = await buildHotProgram(dir, [heavy], pod.name);
    await core.createNamespacedPod({ namespace, body: hotPod(pod) });
    const simulated = await simulatePod(kc, namespace, pod.name, {
      commands: { app: [program, '300', String(SAMPLED_BUSY_PERCENT)] },
    });
    t.after(() => simulated.stop());
  }
  return { server, ca, agent, namespace };
}
