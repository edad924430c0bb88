// Resolves a container's environment the way the kubelet would, from the Pod as the API server stored it.
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Container, V1EnvVar, V1Pod } from '@kubernetes/client-node';

const FIELD_PATHS: Record<string, (pod: V1Pod) => string | undefined> = {
  'metadata.name': (pod) => pod.metadata?.name,
  'metadata.namespace': (pod) => pod.metadata?.namespace,
  'metadata.uid': (pod) => pod.metadata?.uid,
  'spec.nodeName': (pod) => pod.spec?.nodeName,
  'spec.serviceAccountName': (pod) => pod.spec?.serviceAccountName,
  'status.podIP': (pod) => pod.status?.podIP,
  'status.podIPs': (pod) => (pod.status?.podIPs ?? []).map((p) => p.ip).join(','),
  'status.hostIP': (pod) => pod.status?.hostIP,
};

/** The kubelet's value for a downward-API field path, e.g. `metadata.name` or `metadata.labels['app']`. */
export function resolveFieldPath(pod: V1Pod, fieldPath: string): string {
  const mapKey = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (mapKey) {
    const map = mapKey[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations;
    return map?.[mapKey[2] ?? ''] ?? '';
  }
  const getter = FIELD_PATHS[fieldPath];
  if (!getter) throw new Error(`pod simulation does not support fieldRef ${fieldPath}`);
  return getter(pod) ?? '';
}

async function resolveVar(kc: KubeConfig, pod: V1Pod, variable: V1EnvVar): Promise<string | undefined> {
  if (variable.value !== undefined) return variable.value;
  const from = variable.valueFrom;
  if (!from) return '';
  if (from.fieldRef) return resolveFieldPath(pod, from.fieldRef.fieldPath);
  const namespace = pod.metadata?.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  if (from.secretKeyRef) {
    const secret = await core.readNamespacedSecret({ name: from.secretKeyRef.name ?? '', namespace });
    const data = secret.data?.[from.secretKeyRef.key];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  }
  if (from.configMapKeyRef) {
    const map = await core.readNamespacedConfigMap({ name: from.configMapKeyRef.name ?? '', namespace });
    return map.data?.[from.configMapKeyRef.key];
  }
  // resourceFieldRef: there are no cgroups to read limits from; the kubelet would report node capacity.
  return '0';
}

const BASE_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' };

/** The environment a container runtime gives the container: runtime defaults, then the spec's env. */
export async function resolveContainerEnv(
  kc: KubeConfig,
  pod: V1Pod,
  container: V1Container,
): Promise<Record<string, string>> {
  const env: Record<string, string> = { ...BASE_ENV, HOSTNAME: pod.metadata?.name ?? '' };
  for (const variable of container.env ?? []) {
    const value = await resolveVar(kc, pod, variable);
    if (value !== undefined)
      env[variable.name] = value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m);
  }
  return env;
}
