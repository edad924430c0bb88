// The operator's pure Furnace plan as the plan unit tests call it: one Furnace `furnace/furnace`, fresh
// certificates for its serving names, and the lookups the tests read the planned objects with.
import assert from 'node:assert/strict';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { Furnace, FurnaceSpec } from '../../core/crd/resources.ts';
import { decideCertificates, DEFAULT_CERTIFICATE_POLICY } from '../../operator/furnace/certificates.ts';
import { furnaceNames, servingDnsNames } from '../../operator/furnace/furnace-names.ts';
import { planFurnace, type PlanInput } from '../../operator/furnace/plan.ts';
import { SERVER_PATHS } from '../../operator/furnace/plan-config.ts';
import type { ServerConfig } from '../../server/config/config.ts';
import { loadServerConfig } from '../../server/config/load-config.ts';

export const PLAN_NAMES = furnaceNames('furnace', 'furnace');

/** Certificates for the Furnace's serving names, decided once per test file. */
export const PLAN_CERTIFICATES = (
  await decideCertificates(undefined, servingDnsNames(PLAN_NAMES), DEFAULT_CERTIFICATE_POLICY, Date.now())
).certificates;

/** The Furnace `furnace/furnace` with `spec`, at metadata.generation `generation`. */
export function furnaceOf(spec: FurnaceSpec, generation: number): Furnace {
  return {
    apiVersion: 'furnace.hyperfoil.io/v1alpha1',
    kind: 'Furnace',
    metadata: { name: 'furnace', namespace: 'furnace', uid: 'uid-1', generation },
    spec,
  };
}

/** A shared key file as the reconcile decides one (plan-shared-key.ts): one key of 32 bytes. */
export const PLAN_SHARED_KEY = `${Buffer.alloc(32, 7).toString('base64')}\n`;

/**
 * planFurnace on Kubernetes with PLAN_CERTIFICATES and PLAN_SHARED_KEY (a reconcile always decides the
 * key); `defaults` fill what `overrides` leaves out.
 */
export function planWith(
  furnace: Furnace,
  defaults: Pick<PlanInput, 'optedInNamespaces'>,
  overrides: Partial<PlanInput> = {},
): KubernetesObject[] {
  return planFurnace({
    furnace,
    platform: 'kubernetes',
    certificates: {
      ca: PLAN_CERTIFICATES.ca,
      serving: PLAN_CERTIFICATES.serving,
      bundlePem: PLAN_CERTIFICATES.bundlePem,
    },
    sharedKey: PLAN_SHARED_KEY,
    ...defaults,
    ...overrides,
  });
}

/** The planned object of `kind` (and `name`), asserted to be there. */
export function findPlanned<T extends KubernetesObject>(
  objects: KubernetesObject[],
  kind: string,
  name?: string,
): T {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  assert.ok(found, `${kind} ${name ?? ''} is planned`);
  return found as T;
}

/** The server's own loader, reading the planned ConfigMap's files at the paths the Deployment mounts them. */
export function loadPlannedConfig(objects: KubernetesObject[]): Promise<ServerConfig> {
  const data = findPlanned<V1ConfigMap>(objects, 'ConfigMap', 'furnace-config').data ?? {};
  const files: Record<string, string | undefined> = {
    [SERVER_PATHS.configFile]: data['config.yaml'],
    [SERVER_PATHS.injectionFile]: data['injection.yaml'],
  };
  return loadServerConfig({
    env: { FURNACE_CONFIG: SERVER_PATHS.configFile },
    local: false,
    read: (path) => {
      const text = files[path];
      return text === undefined ? Promise.reject(new Error(`no file ${path}`)) : Promise.resolve(text);
    },
  });
}
