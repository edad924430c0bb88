// The volumes the sidecar needs and where it mounts them. Every name starts with SIDECAR_VOLUME_PREFIX.
import type { V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import {
  SERVER_CA_CONFIG_MAP,
  SERVER_CA_KEY,
  SIDECAR_MOUNT_PATHS,
  TOKEN_AUDIENCE,
} from '../contract/names.ts';
import type { InjectionConfig } from './injection-config.ts';
import { REGISTRY_CERTS_DIR, registryCaKey } from './symbols-config.ts';

export const SIDECAR_VOLUME_PREFIX = 'furnace-';

export const SIDECAR_VOLUME_NAMES = {
  token: 'furnace-token',
  pullSecrets: 'furnace-pull-secrets',
  libModules: 'furnace-lib-modules',
  debugfs: 'furnace-debugfs',
  kernelSources: 'furnace-kernel-sources',
  output: 'furnace-output',
  containerStorage: 'furnace-container-storage',
  serverCa: 'furnace-server-ca',
  registryCas: 'furnace-registry-cas',
} as const;

export interface SidecarVolumes {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

/** Host paths the sidecar reads (kernel modules for symbols, debugfs for tracepoints); never written. */
function hostPaths(config: InjectionConfig): { name: string; path: string }[] {
  const paths: { name: string; path: string }[] = [
    { name: SIDECAR_VOLUME_NAMES.libModules, path: '/lib/modules' },
    { name: SIDECAR_VOLUME_NAMES.debugfs, path: '/sys/kernel/debug' },
  ];
  if (config.mountKernelSources)
    paths.push({ name: SIDECAR_VOLUME_NAMES.kernelSources, path: '/usr/src/kernels' });
  return paths;
}

/** One projected file per pull secret, so the sidecar can pull the pod's images to read their symbols. */
function pullSecretsVolume(pod: V1Pod): V1Volume | undefined {
  const names = [
    ...new Set((pod.spec?.imagePullSecrets ?? []).map((s) => s.name ?? '').filter((n) => n !== '')),
  ];
  if (names.length === 0) return undefined;
  return {
    name: SIDECAR_VOLUME_NAMES.pullSecrets,
    projected: {
      sources: names.map((name) => ({
        // Optional: a kubernetes.io/dockercfg secret has no .dockerconfigjson key and must not block the pod.
        secret: {
          name,
          optional: true,
          items: [{ key: '.dockerconfigjson', path: `${name}.dockerconfigjson` }],
        },
      })),
    },
  };
}

/**
 * The CAs of private registries, from the same kept-current ConfigMap as the server CA, at the paths podman
 * reads for `symbols: image` (`<registry>/ca.crt`). Optional, keys included: a namespace without them still
 * starts its pods, and a pull from that registry then fails on its certificate, saying so.
 */
function registryCasVolume(config: InjectionConfig): V1Volume | undefined {
  if (config.registryCas.length === 0) return undefined;
  return {
    name: SIDECAR_VOLUME_NAMES.registryCas,
    configMap: {
      name: SERVER_CA_CONFIG_MAP,
      optional: true,
      items: config.registryCas.map((registry) => ({
        key: registryCaKey(registry),
        path: `${registry}/ca.crt`,
      })),
    },
  };
}

export function buildSidecarVolumes(pod: V1Pod, config: InjectionConfig): SidecarVolumes {
  const volumes: V1Volume[] = [
    {
      name: SIDECAR_VOLUME_NAMES.token,
      projected: {
        sources: [
          {
            serviceAccountToken: {
              audience: TOKEN_AUDIENCE,
              expirationSeconds: config.tokenExpirationSeconds,
              path: SIDECAR_MOUNT_PATHS.tokenFile,
            },
          },
        ],
      },
    },
  ];
  // The server CA as the operator keeps it current (FURNACE_SERVER_CA is frozen at admission). Optional,
  // so a namespace without the ConfigMap still starts its pods; no subPath, so the kubelet updates it.
  volumes.push({
    name: SIDECAR_VOLUME_NAMES.serverCa,
    configMap: {
      name: SERVER_CA_CONFIG_MAP,
      optional: true,
      items: [{ key: SERVER_CA_KEY, path: SERVER_CA_KEY }],
    },
  });
  const mounts: V1VolumeMount[] = [
    { name: SIDECAR_VOLUME_NAMES.token, mountPath: SIDECAR_MOUNT_PATHS.tokenDir, readOnly: true },
    { name: SIDECAR_VOLUME_NAMES.serverCa, mountPath: SIDECAR_MOUNT_PATHS.serverCaDir, readOnly: true },
  ];
  const pullSecrets = pullSecretsVolume(pod);
  if (pullSecrets) {
    volumes.push(pullSecrets);
    mounts.push({ name: pullSecrets.name, mountPath: SIDECAR_MOUNT_PATHS.pullSecretsDir, readOnly: true });
  }
  const registryCas = registryCasVolume(config);
  if (registryCas) {
    volumes.push(registryCas);
    mounts.push({ name: registryCas.name, mountPath: REGISTRY_CERTS_DIR, readOnly: true });
  }
  for (const { name, path } of hostPaths(config)) {
    volumes.push({ name, hostPath: { path } });
    mounts.push({ name, mountPath: path, readOnly: true });
  }
  volumes.push(
    { name: SIDECAR_VOLUME_NAMES.output, emptyDir: { sizeLimit: config.outputSizeLimit } },
    { name: SIDECAR_VOLUME_NAMES.containerStorage, emptyDir: { sizeLimit: config.storageSizeLimit } },
  );
  mounts.push(
    { name: SIDECAR_VOLUME_NAMES.output, mountPath: SIDECAR_MOUNT_PATHS.outputDir },
    { name: SIDECAR_VOLUME_NAMES.containerStorage, mountPath: SIDECAR_MOUNT_PATHS.containerStorageDir },
  );
  return { volumes, mounts };
}
