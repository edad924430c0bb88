// Small readers over a pod that the decision and the injection share.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '../contract/names.ts';

/** Every container of the pod, whichever list it is in. */
export function allContainers(pod: V1Pod): V1Container[] {
  const spec = pod.spec;
  if (!spec) return [];
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
}

/** Init containers with `restartPolicy: Always` run beside the main containers for the pod's life. */
export function isNativeSidecar(container: V1Container): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * A pod that runs to completion (a Job's pod). A plain sidecar container would keep it running forever,
 * so the sidecar goes in as a native sidecar (an init container with `restartPolicy: Always`) instead.
 */
export function runsToCompletion(pod: V1Pod): boolean {
  const policy = pod.spec?.restartPolicy;
  return policy === 'Never' || policy === 'OnFailure';
}

/** Any container named `furnace`, in whichever list (the decision never adds a second one). */
export function findSidecarContainer(pod: V1Pod): V1Container | undefined {
  return allContainers(pod).find((c) => c.name === SIDECAR_CONTAINER_NAME);
}

/**
 * The sidecar as the webhook injects it: in spec.containers, or as a native sidecar in spec.initContainers
 * (pods that run to completion). Never an ephemeral container: those can be added to a running pod with
 * `kubectl debug`, so one named `furnace` proves nothing about what the webhook injected.
 */
export function findInjectedSidecar(pod: V1Pod): V1Container | undefined {
  const spec = pod.spec;
  const candidates = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter(isNativeSidecar)];
  return candidates.find((c) => c.name === SIDECAR_CONTAINER_NAME);
}

/** What FURNACE_TARGETS lists: the containers the sidecar may profile (never itself, never ephemeral ones). */
export function targetContainers(pod: V1Pod): { name: string; image: string }[] {
  const spec = pod.spec;
  if (!spec) return [];
  const running = [...(spec.initContainers ?? []).filter(isNativeSidecar), ...(spec.containers ?? [])];
  return running
    .filter((c) => c.name !== SIDECAR_CONTAINER_NAME)
    .map((c) => ({ name: c.name, image: c.image ?? '' }));
}

/**
 * Resource names (cpu, memory, …) that the pod budgets as a whole in `spec.resources` (pod-level
 * resources, Kubernetes 1.32+). The API server requires the pod-level requests to cover the sum of the
 * containers' requests and every container limit to fit in the pod-level limit.
 */
export function podLevelResourceNames(pod: V1Pod): string[] {
  const resources = pod.spec?.resources;
  return [...new Set([...Object.keys(resources?.requests ?? {}), ...Object.keys(resources?.limits ?? {})])];
}
