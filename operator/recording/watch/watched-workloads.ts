// Which Recordings watch which workload, learned as the Recordings are reconciled: the Recording controller's
// secondary watches of Deployments, StatefulSets and DaemonSets queue the Recordings that follow the one that
// changed, so a rollout is seen when the workload's status moves, not at the next poll.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { WatchKind } from '../../../core/crd/recording-watch.ts';
import { formatKey, type ObjectKey } from '../../resources.ts';

export interface WatchedWorkloads {
  /** Records what the Recording `key` watches now (undefined: nothing, or the Recording is gone). */
  set(key: ObjectKey, watch: { kind: WatchKind; name: string } | undefined): void;
  /** The Recordings that watch `object` of `kind`. */
  keysOf(kind: WatchKind, object: KubernetesObject): ObjectKey[];
}

export function createWatchedWorkloads(): WatchedWorkloads {
  const byWorkload = new Map<string, Map<string, ObjectKey>>();
  const byRecording = new Map<string, string>();
  const workloadKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
  return {
    set(key, watch) {
      const recording = formatKey(key);
      const old = byRecording.get(recording);
      if (old !== undefined) {
        byWorkload.get(old)?.delete(recording);
        if (byWorkload.get(old)?.size === 0) byWorkload.delete(old);
        byRecording.delete(recording);
      }
      if (!watch) return;
      const target = workloadKey(watch.kind, key.namespace, watch.name);
      byRecording.set(recording, target);
      byWorkload.set(target, (byWorkload.get(target) ?? new Map<string, ObjectKey>()).set(recording, key));
    },
    keysOf(kind, object) {
      const target = workloadKey(kind, object.metadata?.namespace ?? '', object.metadata?.name ?? '');
      return [...(byWorkload.get(target)?.values() ?? [])];
    },
  };
}
