// The settings of N replicas (`replicas.*`) and the key they share (`security.sharedKeyFile`). Pure, like
// config.ts, which calls it. With `replicas.shared: true` registrations and browser sessions live in the
// Kubernetes API (coordination.k8s.io Leases in `replicas.namespace`) and every replica derives the same
// tokens from the shared key; without it one replica keeps them in memory, as before.
import { ConfigError } from '../../core/config/config-error.ts';
import { readBoolean, readText } from '../../core/config/config-values.ts';
import type { ConfigReader } from './config-reader.ts';

export interface ReplicaSettings {
  /** `replicas.shared`: registrations and sessions are shared through the Kubernetes API. */
  shared: boolean;
  /** `replicas.namespace`: where the shared Leases live; '' for the namespace of the server's service account. */
  namespace: string;
  /** `replicas.name`: this replica in the Leases it writes; '' for the host name (the pod's name). */
  name: string;
  /** `security.sharedKeyFile`: the shared key's file; unset, one replica makes a key in memory. */
  sharedKeyFile?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const REPLICA_NAME = /^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$/;

function readPattern(reader: ConfigReader, key: string, pattern: RegExp, allowed: string): string {
  const setting = reader.get(key);
  const value = readText(setting, '');
  if (value !== '' && !pattern.test(value)) throw new ConfigError(key, value, allowed, setting.source);
  return value;
}

export function readReplicaSettings(reader: ConfigReader, local: boolean): ReplicaSettings {
  const sharedSetting = reader.get('replicas.shared');
  const shared = readBoolean(sharedSetting, false);
  const keyFile = reader.get('security.sharedKeyFile');
  const sharedKeyFile = readText(keyFile, '');
  const settings: ReplicaSettings = {
    shared,
    namespace: readPattern(reader, 'replicas.namespace', NAME, 'a Kubernetes namespace name (DNS label)'),
    name: readPattern(reader, 'replicas.name', REPLICA_NAME, 'a DNS subdomain (the pod name)'),
    ...(sharedKeyFile ? { sharedKeyFile } : {}),
  };
  if (shared && local)
    throw new ConfigError(
      'replicas.shared',
      true,
      'false in local mode (replicas need a cluster)',
      sharedSetting.source,
    );
  if (shared && !sharedKeyFile)
    throw new ConfigError(
      'security.sharedKeyFile',
      undefined,
      'the path of the key file every replica mounts (required with replicas.shared: true)',
      keyFile.source ?? reader.source,
    );
  return settings;
}
