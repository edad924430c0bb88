// Returns a clone of the pod with the sidecar added. The input is never modified; existing annotations,
// volumes and containers are kept in place and ours are added beside them, so the JSON patch computed
// from the two (compute-patch.ts) only ever adds.
import type { V1Pod } from '@kubernetes/client-node';
import { INJECTED_ANNOTATION } from '../names.ts';
import type { InjectionConfig } from './injection-config.ts';
import { runsToCompletion } from './pod-shape.ts';
import { buildSidecarContainer } from './sidecar-container.ts';
import { buildSidecarVolumes } from './sidecar-volumes.ts';

/** The marker annotation's value: what was injected, for people reading the pod. */
export function injectionMarker(config: InjectionConfig): string {
  return JSON.stringify({ image: config.image, securityProfile: config.securityProfile });
}

export function injectSidecar(pod: V1Pod, config: InjectionConfig): V1Pod {
  const out = structuredClone(pod);
  const metadata = (out.metadata ??= {});
  (metadata.annotations ??= {})[INJECTED_ANNOTATION] = injectionMarker(config);

  const spec = (out.spec ??= { containers: [] });
  const volumes = buildSidecarVolumes(pod, config);
  const container = buildSidecarContainer(pod, config, volumes);
  if (runsToCompletion(pod)) {
    // A native sidecar: started before the main containers, stopped when they finish, so Jobs complete.
    (spec.initContainers ??= []).push({ ...container, restartPolicy: 'Always' });
  } else {
    (spec.containers ??= []).push(container);
  }
  (spec.volumes ??= []).push(...volumes.volumes);
  // The API server rejects shareProcessNamespace together with hostPID; hostPID already shows every process.
  if (spec.hostPID !== true) spec.shareProcessNamespace = true;
  return out;
}
