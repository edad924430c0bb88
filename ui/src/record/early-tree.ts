// The flame graph before the upload: once the sidecar has written a recording's compact tree (its
// status lists flame-tree.bin.gz while the other views are still rendered and uploaded), the record page
// reads that tree from the sidecar through the proxy and draws it; the catalog gets the same file.
import { useEffect, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { apiPath } from '../api/client.ts';
import { readCompactAt } from '../viewer/load-recording.ts';
import type { Target } from './pod-picker.tsx';

const TREE = 'flame-tree.bin.gz';

/** Whether the sidecar can give this recording's tree: written, and the recording has not failed. Pure. */
export function sidecarHasTree(status: RecordingStatus | undefined): boolean {
  if (status === undefined || status.state === 'failed') return false;
  return status.artifacts.includes(TREE);
}

/**
 * The recording's tree from its sidecar, read once when it is there; undefined before that, or when it
 * could not be read (the page then draws it from the catalog as always).
 */
export function useEarlyTree(target: Target, status: RecordingStatus | undefined): FlameNode | undefined {
  const [tree, setTree] = useState<{ id: string; root: FlameNode } | undefined>(undefined);
  const id = status?.id;
  const ready = sidecarHasTree(status);
  useEffect(() => {
    if (id === undefined || !ready) return;
    const controller = new AbortController();
    readCompactAt(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${id}/artifacts/${TREE}`,
      controller.signal,
    ).then(
      (root) => {
        if (root !== undefined) setTree({ id, root });
      },
      () => undefined,
    );
    return () => controller.abort();
  }, [target.namespace, target.pod, id, ready]);
  return tree !== undefined && tree.id === id ? tree.root : undefined;
}
