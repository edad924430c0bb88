// Returns the pod with the sidecar added. The input is never modified; existing annotations, volumes and
// containers are kept in place and ours are added beside them, so the JSON patch computed from the two
// (compute-patch.ts) only ever adds. Unchanged subtrees are shared with the input rather than copied (a
// deep clone per admission costs more than the rest of the request): treat both as immutable.
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { INJECTED_ANNOTATION } from '../contract/names.ts';
import type { InjectionConfig } from './injection-config.ts';
import { runsToCompletion } from './pod-shape.ts';
import { buildSidecarContainer } from './sidecar-container.ts';
import { buildSidecarVolumes } from './sidecar-volumes.ts';

/** The marker annotation's value: what was injected, for people reading the pod. */
export function injectionMarker(config: InjectionConfig): string {
  return JSON.stringify({ image: config.image, securityProfile: config.securityProfile });
}

export function injectSidecar(pod: V1Pod, config: InjectionConfig): V1Pod {
  const annotations = { ...pod.metadata?.annotations, [INJECTED_ANNOTATION]: injectionMarker(config) };
  const metadata = { ...pod.metadata, annotations };

  const spec: V1PodSpec = { ...(pod.spec ?? { containers: [] }) };
  const volumes = buildSidecarVolumes(pod, config);
  const container = buildSidecarContainer(pod, config, volumes);
  if (runsToCompletion(pod)) {
    // A native sidecar: started before the main containers, stopped when they finish, so Jobs complete.
    spec.initContainers = [...(spec.initContainers ?? []), { ...container, restartPolicy: 'Always' }];
  } else {
    spec.containers = [...(spec.containers ?? []), container];
  }
  spec.volumes = [...(spec.volumes ?? []), ...volumes.volumes];
  // The API server rejects shareProcessNamespace together with hostPID; hostPID already shows every process.
  if (spec.hostPID !== true) spec.shareProcessNamespace = true;
  return { ...pod, metadata, spec };
}
