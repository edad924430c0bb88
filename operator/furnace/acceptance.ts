// Pure: whether the operator acts on a Furnace. Creating a Furnace equals cluster-admin (a mutating webhook
// on every opted-in pod, the cluster's APIService, a ClusterRole that reads every pod, a root DaemonSet
// on every node), so exactly one Furnace per cluster is acted on: the one named `furnace` in the
// operator's own namespace, where only those who may install Furnace can write. Every other Furnace gets a
// condition saying why and nothing else. Images other than the release's would run that webhook and those
// DaemonSets: spec.images is refused unless the operator's own configuration allows overrides.
import { DEFAULT_IMAGES, type Furnace } from '../../core/crd/resources.ts';
import { FURNACE_NAME } from './furnace-names.ts';
import { replicasRefusal } from './plan-replicas.ts';

export interface AcceptanceScope {
  /** The operator's own namespace. */
  namespace: string;
  /** FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES. */
  allowImageOverrides: boolean;
}

export const REFUSAL_REASONS = [
  'OutsideOperatorNamespace',
  'NotTheClusterFurnace',
  'ImageOverridesRefused',
  'ReplicasNeedBucket',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type Acceptance = { accepted: true } | { accepted: false; reason: RefusalReason; message: string };

/** Whether `key` is the one Furnace the operator in `namespace` acts on. */
export function isClusterFurnace(key: { namespace: string; name: string }, namespace: string): boolean {
  return key.namespace === namespace && key.name === FURNACE_NAME;
}

/** The fields of spec.images that name another image than the release's. */
export function imageOverrides(furnace: Furnace): string[] {
  const images = furnace.spec?.images ?? {};
  return (Object.keys(DEFAULT_IMAGES) as (keyof typeof DEFAULT_IMAGES)[])
    .filter((field) => images[field] !== undefined && images[field] !== DEFAULT_IMAGES[field])
    .map((field) => `spec.images.${field}`);
}

export function decideAcceptance(furnace: Furnace, scope: AcceptanceScope): Acceptance {
  const key = { namespace: furnace.metadata?.namespace ?? '', name: furnace.metadata?.name ?? '' };
  const theOne = `${scope.namespace}/${FURNACE_NAME}`;
  if (key.namespace !== scope.namespace)
    return {
      accepted: false,
      reason: 'OutsideOperatorNamespace',
      message: `the operator acts only on the Furnace ${theOne}, in its own namespace: creating a Furnace equals cluster-admin, so a Furnace in any other namespace installs nothing`,
    };
  if (!isClusterFurnace(key, scope.namespace))
    return {
      accepted: false,
      reason: 'NotTheClusterFurnace',
      message: `the operator acts only on the Furnace ${theOne} (one per cluster); this one installs nothing`,
    };
  const overrides = imageOverrides(furnace);
  if (overrides.length > 0 && !scope.allowImageOverrides)
    return {
      accepted: false,
      reason: 'ImageOverridesRefused',
      message: `${overrides.join(', ')} would replace the release's images, which the operator refuses unless its Deployment sets FURNACE_OPERATOR_ALLOW_IMAGE_OVERRIDES=true; nothing was applied`,
    };
  const replicas = replicasRefusal(furnace);
  if (replicas) return { accepted: false, reason: 'ReplicasNeedBucket', message: replicas };
  return { accepted: true };
}
