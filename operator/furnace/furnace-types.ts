// TEMPORARY: the Furnace types of contracts.md, until core/crds.ts (the deploy helper's) lands on main.
// Then this file goes and its importers take the same names from core/crds.ts.
import type {
  KubernetesObject,
  V1Condition,
  V1LabelSelector,
  V1ResourceRequirements,
  V1Toleration,
} from '@kubernetes/client-node';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';

export interface FurnaceLimits {
  maxDurationSeconds?: number;
  maxFrequency?: number;
  maxConcurrentPerNamespace?: number;
  maxConcurrentPerCluster?: number;
  maxArtifactBytes?: number;
}

export interface FurnaceSpec {
  images?: { server?: string; sidecar?: string; agent?: string };
  auth?: { mode?: 'kubernetes' | 'proxy' };
  route?: { enabled?: boolean; host?: string };
  ingress?: { enabled?: boolean; host?: string; className?: string; tlsSecretName?: string };
  limits?: FurnaceLimits & { namespaces?: Record<string, FurnaceLimits> };
  catalog?: { storageSize?: string; storageClassName?: string };
  webhook?: { failurePolicy?: 'Ignore' | 'Fail'; namespaceSelector?: V1LabelSelector };
  sidecar?: { resources?: V1ResourceRequirements };
  agent?: { enabled?: boolean; nodeSelector?: Record<string, string>; tolerations?: V1Toleration[] };
}

export interface FurnaceStatus {
  observedGeneration?: number;
  conditions?: V1Condition[];
  url?: string;
}

export interface Furnace extends KubernetesObject {
  spec?: FurnaceSpec;
  status?: FurnaceStatus;
}

export const DEFAULT_IMAGES = {
  server: 'quay.io/hyperfoil/furnace-server:latest',
  sidecar: DEFAULT_INJECTION_CONFIG.image,
  agent: DEFAULT_INJECTION_CONFIG.image,
} as const;

export const DEFAULT_CATALOG_STORAGE_SIZE = '10Gi';
