// Who leads this server's single-writer chores, and which chores there are. One replica (coordination
// mode `single`, local mode) always leads and takes no Lease; several replicas elect one through the
// Lease `coordination.leaderLease` in the server's namespace (kube/leases/leader-election.ts).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { alwaysLeader, type ElectionLog, type Leadership } from '../../kube/leases/leader-election.ts';
import type { Catalog } from '../catalog/catalog-store.ts';
import type { ClusterConnection } from '../cluster-mode.ts';
import type { CoordinationSettings } from '../config/config-coordination.ts';
import type { Chore } from './chores.ts';

/** How often the leader applies retention, which also fails recordings left unfinished past their deadline. */
export const RETENTION_EVERY_MS = 60_000;

/** This process as a candidate: the pod's name, and a random part so that a restarted pod is a new one. */
export function candidateIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString('hex')}`;
}

export function leadershipOf(
  cluster: ClusterConnection | undefined,
  coordination: CoordinationSettings,
  log: ElectionLog,
): Leadership {
  if (!cluster || coordination.mode === 'single') return alwaysLeader();
  return cluster.electLeader(coordination, candidateIdentity(), log);
}

/** The chores only the leader runs; `extra` are those of other parts (expired start slots, orphans). */
export function serverChores(catalog: Catalog, extra: readonly Chore[] = []): Chore[] {
  return [{ name: 'retention', everyMs: RETENTION_EVERY_MS, run: () => catalog.applyRetention() }, ...extra];
}
