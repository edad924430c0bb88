// Materialises a pod's volumes as host directories, the way the kubelet would before starting containers.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod, V1Volume, V1VolumeProjection } from '@kubernetes/client-node';
import { createServiceAccountToken } from './cluster.ts';
import { resolveFieldPath } from './pod-env.ts';

async function writeItem(dir: string, path: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = join(dir, path);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content, { mode });
}

function decodeData(data: Record<string, string> | undefined): Record<string, Buffer> {
  return Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
}

async function writeKeys(
  dir: string,
  data: Record<string, string | Buffer>,
  items: { key: string; path: string }[] | undefined,
): Promise<void> {
  const pairs = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const { key, path } of pairs) {
    const value = data[key];
    if (value !== undefined) await writeItem(dir, path, value);
  }
}

async function writeProjection(
  kc: KubeConfig,
  pod: V1Pod,
  dir: string,
  source: V1VolumeProjection,
): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  if (source.serviceAccountToken) {
    const token = await createServiceAccountToken(kc, {
      namespace,
      serviceAccount: pod.spec?.serviceAccountName ?? 'default',
      audiences: source.serviceAccountToken.audience ? [source.serviceAccountToken.audience] : [],
      expirationSeconds: source.serviceAccountToken.expirationSeconds ?? 3600,
      boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
    });
    await writeItem(dir, source.serviceAccountToken.path, token, 0o600);
  }
  if (source.secret) {
    const secret = await core.readNamespacedSecret({ name: source.secret.name ?? '', namespace });
    await writeKeys(dir, decodeData(secret.data), source.secret.items);
  }
  if (source.configMap) {
    const map = await core.readNamespacedConfigMap({ name: source.configMap.name ?? '', namespace });
    await writeKeys(dir, map.data ?? {}, source.configMap.items);
  }
  for (const item of source.downwardAPI?.items ?? []) {
    if (item.fieldRef) await writeItem(dir, item.path, resolveFieldPath(pod, item.fieldRef.fieldPath));
  }
}

async function materialise(kc: KubeConfig, pod: V1Pod, volume: V1Volume, root: string): Promise<string> {
  if (volume.hostPath) return volume.hostPath.path;
  const dir = join(root, 'volumes', volume.name);
  await mkdir(dir, { recursive: true });
  const namespace = pod.metadata?.namespace ?? 'default';
  const core = kc.makeApiClient(CoreV1Api);
  if (volume.projected) {
    for (const source of volume.projected.sources ?? []) await writeProjection(kc, pod, dir, source);
  } else if (volume.secret) {
    const secret = await core.readNamespacedSecret({ name: volume.secret.secretName ?? '', namespace });
    await writeKeys(dir, decodeData(secret.data), volume.secret.items);
  } else if (volume.configMap) {
    const map = await core.readNamespacedConfigMap({ name: volume.configMap.name ?? '', namespace });
    await writeKeys(dir, map.data ?? {}, volume.configMap.items);
  } else if (!volume.emptyDir) {
    throw new Error(
      `pod simulation does not support volume ${volume.name} (${Object.keys(volume).join(', ')})`,
    );
  }
  return dir;
}

/** Host directory of every volume of the pod, by volume name. */
export async function materialiseVolumes(
  kc: KubeConfig,
  pod: V1Pod,
  root: string,
): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const volume of pod.spec?.volumes ?? [])
    dirs.set(volume.name, await materialise(kc, pod, volume, root));
  return dirs;
}
