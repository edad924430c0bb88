// A window's `profile.pb.gz` (core/pprof/write-pprof.ts): its stacks with the pod's labels (namespace,
// pod, container, service_name as Pyroscope and Parca read them, plus node) and its time range. The
// writer (protobuf and its generated schema) loads at the first window, not at every server's start.
import { pprofLabels } from '../../core/export/profile-subject.ts';
import type { FoldedStacks } from '../../core/stacks/folded.ts';
import type { WindowMeta } from './window-keys.ts';

export async function windowPprof(
  stacks: FoldedStacks,
  meta: WindowMeta,
  frequency: number,
): Promise<Buffer> {
  const { foldedToPprof } = await import('../../core/pprof/write-pprof.ts');
  const service = meta.workload.slice(meta.workload.indexOf('/') + 1);
  const labels = {
    ...pprofLabels({ namespace: meta.namespace, pod: meta.pod, container: meta.container, service }),
    node: meta.node,
  };
  return foldedToPprof(stacks, {
    frequency,
    startedAtMs: meta.start,
    durationMs: meta.end - meta.start,
    labels,
  });
}
