// What only cluster mode needs, loaded by main.ts on demand: @kubernetes/client-node alone costs
// about 80 MB of memory and a second of start-up, which local mode does without.
import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { SupervisorLog } from '../kube/informer-supervisor.ts';
import { createKubeEntries } from './catalog/kube-entries.ts';
import type { EntryStore } from './catalog/entry-store.ts';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Registry as MetricsRegistry } from 'prom-client';
import type { InjectionConfig } from '../core/injection/injection-config.ts';
import { createClientGateway } from './kube/client-gateway.ts';
import { reuseConnections } from './kube/keep-alive.ts';
import type { KubeGateway } from './kube/kube-gateway.ts';
import { startPodWatch, type PodWatch } from './kube/pod-watch.ts';
import type { TokenCache } from './kube/token-cache.ts';
import type { AgentRegistry } from './registry/agent-registry.ts';
import type { Registry } from './registry/lease-registry.ts';
import { buildWebhookApp } from './webhook/build-webhook-app.ts';
import { createKubeRequest, type KubeRequest } from '../kube/kube-request.ts';
import { createLeaseClient } from '../kube/leases/lease-client.ts';
import {
  startLeaderElection,
  type ElectionLog,
  type LeaderElection,
} from '../kube/leases/leader-election.ts';
import type { KubernetesCoordination } from './config/config-coordination.ts';
import type { TlsSource } from './webhook/tls.ts';

/** What the pod watch keeps in step with deleted pods (ClusterConnection.watchPods). */
export interface PodWatchOptions {
  registry: Registry;
  tokens: TokenCache;
  log: FastifyBaseLogger;
  /** Agent mode: the agents' registry, and their namespace, watched as well. */
  agents?: { registry: AgentRegistry; namespace: string } | undefined;
  /** Hears of each deleted pod too (shared registrations). */
  onDeleted?: ((namespace: string, pod: string, uid: string | undefined) => void) | undefined;
}

export interface ClusterConnection {
  kube: KubeGateway;
  /** The in-cluster service account, or KUBECONFIG: shared mode's Leases use it. */
  kubeConfig: KubeConfig;
  /**
   * Removes deleted pods' registrations (sidecars', agents') and forgets the token reviews bound to them;
   * watches the opted-in namespaces' pods, and with agents those of the agents' namespace. `onDeleted`
   * hears of each deleted pod too (shared registrations).
   */
  watchPods(options: PodWatchOptions): PodWatch;
  /** Campaigns for the leader Lease of `coordination` (several replicas). */
  electLeader(coordination: KubernetesCoordination, identity: string, log: ElectionLog): LeaderElection;
  /** Raw requests with the server's credentials (Leases: leader election, start slots). */
  request: KubeRequest;
  /** Catalog entries as RecordingEntry objects, shared by every replica (when artifacts are in a bucket). */
  catalogEntries(log: SupervisorLog): EntryStore;
}

/** The in-cluster service account, or KUBECONFIG outside a cluster. */
export function connectCluster(): ClusterConnection {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  reuseConnections(kc);
  const request = createKubeRequest(kc);
  return {
    kube: createClientGateway(kc),
    kubeConfig: kc,
    catalogEntries: (log) => createKubeEntries({ request, makeWatch: () => new Watch(kc), log }),
    request,
    electLeader: (coordination, identity, log) =>
      startLeaderElection({
        leases: createLeaseClient(request, coordination.namespace),
        name: coordination.leaderLease,
        identity,
        timing: coordination.timing,
        log,
      }),
    watchPods: ({ registry, tokens, log, agents, onDeleted }) =>
      startPodWatch({
        kc,
        log,
        ...(agents ? { alwaysNamespaces: [agents.namespace] } : {}),
        onDeleted: (namespace, pod, uid) => {
          registry.remove(namespace, pod, uid);
          agents?.registry.removePod(namespace, pod, uid);
          tokens.dropPod(namespace, pod, uid);
          onDeleted?.(namespace, pod, uid);
        },
      }),
  };
}

/** The admission webhook app, un-listened; its injection config was loaded with the server's. */
export function buildWebhook(options: {
  injection: InjectionConfig;
  tls: TlsSource;
  log: FastifyBaseLogger;
  metricsRegistry: MetricsRegistry;
}): FastifyInstance {
  return buildWebhookApp({
    config: options.injection,
    https: options.tls,
    logger: options.log.child({ component: 'webhook' }),
    metricsRegistry: options.metricsRegistry,
  });
}
