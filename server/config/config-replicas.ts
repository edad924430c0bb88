// The settings of N replicas: `coordination.*` (config-coordination.ts), this replica's name in the Leases
// (`replicas.name`) and the key they share (`security.sharedKeyFile`). Pure, like config.ts, which calls
// it. With `coordination.mode: kubernetes` registrations and browser sessions live in the Kubernetes API
// (coordination.k8s.io Leases in `coordination.namespace`) and every replica derives the same tokens
// from the shared key; with one replica they stay in memory, as before.
import { ConfigError } from '../../core/config/config-error.ts';
import { readText } from '../../core/config/config-values.ts';
import { readCoordination, type CoordinationSettings } from './config-coordination.ts';
import type { ConfigReader } from './config-reader.ts';

export interface ReplicaSettings {
  /** Registrations and sessions are shared through the Kubernetes API: `coordination.mode: kubernetes`. */
  shared: boolean;
  /** Where the shared Leases live: `coordination.namespace` (the server's own); '' with one replica. */
  namespace: string;
  /** `replicas.name`: this replica in the Leases it writes; '' for the host name (the pod's name). */
  name: string;
  /** `security.sharedKeyFile`: the shared key's file; unset, one replica makes a key in memory. */
  sharedKeyFile?: string;
}

const REPLICA_NAME = /^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/;

function readReplicaSettings(reader: ConfigReader, coordination: CoordinationSettings): ReplicaSettings {
  const keyFile = reader.get('security.sharedKeyFile');
  const sharedKeyFile = readText(keyFile, '');
  const nameSetting = reader.get('replicas.name');
  const name = readText(nameSetting, '');
  if (name !== '' && !REPLICA_NAME.test(name))
    throw new ConfigError(nameSetting.key, name, 'a DNS subdomain (the pod name)', nameSetting.source);
  const shared = coordination.mode === 'kubernetes';
  if (shared && !sharedKeyFile)
    throw new ConfigError(
      'security.sharedKeyFile',
      undefined,
      'the path of the key file every replica mounts (required with coordination.mode kubernetes)',
      keyFile.source ?? reader.source,
    );
  return {
    shared,
    namespace: coordination.mode === 'kubernetes' ? coordination.namespace : '',
    name,
    ...(sharedKeyFile ? { sharedKeyFile } : {}),
  };
}

/**
 * One replica, or several: `coordination.*` (leader, start slots) and what the replicas share with it
 * (registrations, sessions, the key). One switch, `coordination.mode`, turns all of it on.
 */
export function readReplication(
  reader: ConfigReader,
  local: boolean,
): { coordination: CoordinationSettings; replicas: ReplicaSettings } {
  const coordination = readCoordination(reader, local);
  return { coordination, replicas: readReplicaSettings(reader, coordination) };
}
