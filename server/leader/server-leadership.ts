// Who leads this server's single-writer chores, and which chores there are. One replica (coordination
// mode `single`, local mode) always leads and takes no Lease; several replicas elect one through the
// Lease `coordination.leaderLease` in the server's namespace (kube/leases/leader-election.ts).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { alwaysLeader, type ElectionLog, type Leadership } from '../../kube/leases/leader-election.ts';
import { isFinished } from '../../core/contract/recording.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { ClusterConnection } from '../cluster-mode.ts';
import type { CoordinationSettings } from '../config/config-coordination.ts';
import type { Chore } from './chores.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import { createLeaseSlots } from '../slots/lease-slots.ts';
import type { SharedSlots } from '../slots/shared-slots.ts';

/** How often the leader applies retention, which also fails recordings left unfinished past their deadline. */
export const RETENTION_EVERY_MS = 60_000;

/** This process as a candidate: the pod's name, and a random part so that a restarted pod is a new one. */
export function candidateIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export function leadershipOf(
  cluster: ClusterConnection | undefined,
  coordination: CoordinationSettings,
  identity: string,
  log: ElectionLog,
): Leadership {
  if (!cluster || coordination.mode === 'single') return alwaysLeader();
  return cluster.electLeader(coordination, identity, log);
}

/** Start slots on Leases with several replicas; none (this replica's memory) with one. */
export function sharedSlotsOf(options: {
  cluster: ClusterConnection | undefined;
  coordination: CoordinationSettings;
  identity: string;
  log: { warn(obj: object, msg: string): void };
  catalog: Pick<Catalog, 'get'>;
}): SharedSlots | undefined {
  const { cluster, coordination, identity, log, catalog } = options;
  if (!cluster || coordination.mode === 'single') return undefined;
  return createLeaseSlots({
    leases: createLeaseClient(cluster.request, coordination.namespace),
    identity,
    slotSeconds: coordination.slotSeconds,
    now: () => Date.now(),
    log,
    ended: (recording: string) => isFinished(catalog.get(recording)),
  });
}

/** How often the leader deletes start slots that expired (a replica died holding them) or whose recording ended. */
export const SLOT_COLLECTION_EVERY_MS = 60_000;

/** The chores only the leader runs; `extra` are those of other parts (orphaned artifacts, say). */
const ORPHANS_EVERY_MS = 3600_000;

export function serverChores(catalog: Catalog, slots?: SharedSlots, extra: readonly Chore[] = []): Chore[] {
  return [
    { name: 'retention', everyMs: RETENTION_EVERY_MS, run: () => catalog.applyRetention() },
    // It lists the whole store: hourly is often enough for what a crash between object and entry leaves.
    { name: 'orphans', everyMs: ORPHANS_EVERY_MS, run: () => catalog.collectOrphans() },
    ...(slots
      ? [{ name: 'expired-slots', everyMs: SLOT_COLLECTION_EVERY_MS, run: () => slots.collectExpired() }]
      : []),
    ...extra,
  ];
}
