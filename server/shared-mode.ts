// What N replicas share (`coordination.mode: kubernetes`), loaded by main.ts on demand: registrations (and, with
// auth mode kubernetes, browser sessions) as Leases in the server's namespace, which every replica
// watches; tokens derived with the shared key, sessions sealed with it. The replica is ready once the
// watch has listed them.
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { SlimWatch } from '../kube/slim-watch.ts';
import type { KubeRequest } from '../kube/kube-request.ts';
import { createLeaseClient } from '../kube/leases/lease-client.ts';
import type { ReplicaSettings } from './config/config-replicas.ts';
import { createSharedSessionStore, type SharedSessionStore } from './auth/session-shared-store.ts';
import type { AgentRegistry } from './registry/agent-registry.ts';
import type { Registry } from './registry/lease-registry.ts';
import { createSharedRegistrations, type SharedRegistrations } from './registry/shared-registrations.ts';
import type { RecordKind } from './replicas/lease-records.ts';
import { createSharedSelections, type SharedSelections } from './continuous/shared-selections.ts';
import { createLeaseStore, watchLeases, type LeaseStore, type LeaseWatch } from './replicas/lease-store.ts';
import type { SharedKeys } from '../core/shared-key.ts';

/** How often expired records are looked for. */
const COLLECT_INTERVAL_MS = 30_000;

export interface SharedModeDeps {
  kc: KubeConfig;
  /** Plain requests with the server's credentials: the Leases are written and listed through them. */
  request: KubeRequest;
  settings: ReplicaSettings;
  registry: Registry;
  agents?: AgentRegistry;
  keys: SharedKeys;
  now: () => number;
  leaseSeconds: number;
  /** Auth mode `kubernetes`: `auth.sessionSeconds`, and browser sessions are shared too. */
  sessionSeconds?: number;
}

export interface SharedMode {
  store: LeaseStore;
  registrations: SharedRegistrations;
  /** Browser sessions (auth mode `kubernetes`). */
  sessions?: SharedSessionStore;
  /** Continuous profiling's selections, which every replica plans the agents' work from. */
  selections: SharedSelections;
  /** Starts the watch of the shared records and the collection of expired ones. */
  start(log: { warn(obj: object, msg: string): void }): void;
  /** True once the watch has listed the shared records. */
  isSynced(): boolean;
  /** The pod watch saw a pod deleted. */
  podDeleted(namespace: string, pod: string, podUid: string | undefined): void;
  stop(): Promise<void>;
}

export function createSharedMode(deps: SharedModeDeps): SharedMode {
  const store = createLeaseStore(createLeaseClient(deps.request, deps.settings.namespace));
  const holder = deps.settings.name === '' ? hostname() : deps.settings.name;
  let log: { warn(obj: object, msg: string): void } = { warn: () => undefined };
  const registrations = createSharedRegistrations({
    ...deps,
    store,
    holder,
    log: { warn: (obj, msg) => log.warn(obj, msg) },
  });
  const { sessionSeconds, keys, now } = deps;
  const sessions =
    sessionSeconds === undefined
      ? undefined
      : createSharedSessionStore({ store, keys, holder, now, ttlSeconds: sessionSeconds });
  const selections = createSharedSelections({ store, holder, now });
  const parts = [registrations, selections, ...(sessions ? [sessions] : [])];
  let watch: LeaseWatch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let listed = false;
  return {
    store,
    registrations,
    selections,
    ...(sessions ? { sessions } : {}),
    start(logger) {
      log = logger;
      const kinds: RecordKind[] = [
        ...(['sidecar', 'agent', 'continuous'] as const),
        ...(sessions ? (['session'] as const) : []),
      ];
      watch = watchLeases({
        ...{ request: deps.request, makeWatch: (slim) => new SlimWatch(deps.kc, slim) },
        ...{ namespace: deps.settings.namespace, kinds, log },
        onRecord: (record) => parts.forEach((part) => part.onRecord(record)),
        onGone: (record) => parts.forEach((part) => part.onGone(record)),
      });
      timer = setInterval(() => {
        for (const part of parts)
          part
            .collect()
            .catch((error: unknown) => log.warn({ err: error }, 'expired shared Leases not deleted'));
      }, COLLECT_INTERVAL_MS);
      timer.unref();
    },
    // Sticky, as the pod watch's: a watch that restarts later (an API server hiccup) must not take every
    // replica out of its Service at once; it serves what it holds while it lists again.
    isSynced: () => (listed ||= watch?.isSynced() ?? false),
    podDeleted: (namespace, pod, podUid) => registrations.podDeleted(namespace, pod, podUid),
    async stop() {
      clearInterval(timer);
      await watch?.stop();
    },
  };
}
