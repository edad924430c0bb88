// Materialises a pod's volumes as host directories, the way the kubelet would before starting containers.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type {
  KubeConfig,
  V1Pod,
  V1ServiceAccountTokenProjection,
  V1Volume,
  V1VolumeProjection,
} from '@kubernetes/client-node';
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

type KeyItems = { key: string; path: string }[] | undefined;

async function writeKeys(dir: string, data: Record<string, string | Buffer>, items: KeyItems): Promise<void> {
  const pairs = items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const { key, path } of pairs) {
    const value = data[key];
    if (value !== undefined) await writeItem(dir, path, value);
  }
}

/** The keys of a Secret or a ConfigMap as files, as a secret, configMap or projected volume shows them. */
async function writeObjectKeys(
  kc: KubeConfig,
  namespace: string,
  dir: string,
  source: { secret?: string; configMap?: string; items: KeyItems; optional?: boolean | undefined },
): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  try {
    if (source.secret !== undefined) {
      const secret = await core.readNamespacedSecret({ name: source.secret, namespace });
      await writeKeys(dir, decodeData(secret.data), source.items);
    } else if (source.configMap !== undefined) {
      const map = await core.readNamespacedConfigMap({ name: source.configMap, namespace });
      await writeKeys(dir, map.data ?? {}, source.items);
    }
  } catch (error) {
    // As the kubelet does: a missing optional source leaves the volume (or its part) empty.
    if (source.optional === true && (error as { code?: number }).code === 404) return;
    throw error;
  }
}

/** A projected service-account token: a real one from the TokenRequest API, bound to the pod. */
async function writeProjectedToken(
  kc: KubeConfig,
  pod: V1Pod,
  dir: string,
  source: V1ServiceAccountTokenProjection,
): Promise<void> {
  const token = await createServiceAccountToken(kc, {
    namespace: pod.metadata?.namespace ?? 'default',
    serviceAccount: pod.spec?.serviceAccountName ?? 'default',
    audiences: source.audience ? [source.audience] : [],
    expirationSeconds: source.expirationSeconds ?? 3600,
    boundPod: { name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  });
  await writeItem(dir, source.path, token, 0o600);
}

async function writeProjection(
  kc: KubeConfig,
  pod: V1Pod,
  dir: string,
  source: V1VolumeProjection,
): Promise<void> {
  const namespace = pod.metadata?.namespace ?? 'default';
  if (source.serviceAccountToken) await writeProjectedToken(kc, pod, dir, source.serviceAccountToken);
  if (source.secret) {
    await writeObjectKeys(kc, namespace, dir, {
      secret: source.secret.name ?? '',
      items: source.secret.items,
      optional: source.secret.optional,
    });
  }
  if (source.configMap) {
    await writeObjectKeys(kc, namespace, dir, {
      configMap: source.configMap.name ?? '',
      items: source.configMap.items,
      optional: source.configMap.optional,
    });
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
  if (volume.projected) {
    for (const source of volume.projected.sources ?? []) await writeProjection(kc, pod, dir, source);
  } else if (volume.secret) {
    await writeObjectKeys(kc, namespace, dir, {
      secret: volume.secret.secretName ?? '',
      items: volume.secret.items,
      optional: volume.secret.optional,
    });
  } else if (volume.configMap) {
    await writeObjectKeys(kc, namespace, dir, {
      configMap: volume.configMap.name ?? '',
      items: volume.configMap.items,
      optional: volume.configMap.optional,
    });
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
