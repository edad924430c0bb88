// How replicas of the server coordinate (`coordination.*`). Mode `single` (the default, and local mode):
// one process, so it is always the leader and its start slots live in memory. Mode `kubernetes`
// (several replicas; the operator sets it when spec.replicas > 1): the leader of the single-writer chores
// is elected with a coordination.k8s.io Lease, and start slots are Lease objects, all in the server's own
// namespace. Pure, like config.ts.
import { ConfigError } from '../../core/config/config-error.ts';
import { readChoice, readInteger, readText } from '../../core/config/config-values.ts';
import type { ElectionTiming } from '../../kube/leases/leader-election.ts';
import type { ConfigReader } from './config-reader.ts';

export const COORDINATION_MODES = ['single', 'kubernetes'] as const;
export type CoordinationMode = (typeof COORDINATION_MODES)[number];

export const COORDINATION_ENV = {
  mode: 'FURNACE_COORDINATION_MODE',
  /** Set from the downward API (metadata.namespace) by the operator's Deployment. */
  namespace: 'FURNACE_POD_NAMESPACE',
} as const;

export interface KubernetesCoordination {
  /** The server's namespace: the leader Lease and the start slots live there. */
  namespace: string;
  leaderLease: string;
  timing: ElectionTiming;
  /** How long a start slot that its replica stopped renewing holds before it frees itself. */
  slotSeconds: number;
}

export type CoordinationSettings = { mode: 'single' } | ({ mode: 'kubernetes' } & KubernetesCoordination);

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function readTiming(reader: ConfigReader): ElectionTiming {
  const duration = reader.get('coordination.leaseDurationSeconds');
  const deadline = reader.get('coordination.renewDeadlineSeconds');
  const retry = reader.get('coordination.retryPeriodSeconds');
  const timing: ElectionTiming = {
    leaseDurationSeconds: readInteger(duration, 15, 3, 300),
    renewDeadlineSeconds: readInteger(deadline, 10, 2, 299),
    retryPeriodSeconds: readInteger(retry, 2, 1, 298),
  };
  // The leader must give up before anyone may take over, and must try more than once before giving up.
  if (timing.renewDeadlineSeconds >= timing.leaseDurationSeconds)
    throw new ConfigError(
      deadline.key,
      timing.renewDeadlineSeconds,
      `less than coordination.leaseDurationSeconds (${timing.leaseDurationSeconds})`,
      deadline.source ?? duration.source,
    );
  if (timing.retryPeriodSeconds >= timing.renewDeadlineSeconds)
    throw new ConfigError(
      retry.key,
      timing.retryPeriodSeconds,
      `less than coordination.renewDeadlineSeconds (${timing.renewDeadlineSeconds})`,
      retry.source ?? deadline.source,
    );
  return timing;
}

export function readCoordination(reader: ConfigReader, local: boolean): CoordinationSettings {
  const modeSetting = reader.get('coordination.mode', COORDINATION_ENV.mode);
  const mode = readChoice(modeSetting, 'single', COORDINATION_MODES);
  const namespaceSetting = reader.get('coordination.namespace', COORDINATION_ENV.namespace);
  const namespace = readText(namespaceSetting, '');
  const leaderSetting = reader.get('coordination.leaderLease');
  const leaderLease = readText(leaderSetting, 'furnace-server-leader');
  const timing = readTiming(reader);
  const slotSeconds = readInteger(reader.get('coordination.slotSeconds'), 30, 5, 600);
  if (mode === 'single') return { mode };
  if (local)
    throw new ConfigError(modeSetting.key, mode, 'single in local mode (one process)', modeSetting.source);
  if (!DNS_LABEL.test(namespace))
    throw new ConfigError(
      namespaceSetting.key,
      namespace,
      `the server's namespace (a DNS label; ${COORDINATION_ENV.namespace} from the downward API) with coordination.mode kubernetes`,
      namespaceSetting.source,
    );
  if (!DNS_LABEL.test(leaderLease))
    throw new ConfigError(
      leaderSetting.key,
      leaderLease,
      'a Kubernetes name (DNS label)',
      leaderSetting.source,
    );
  return { mode, namespace, leaderLease, timing, slotSeconds };
}
