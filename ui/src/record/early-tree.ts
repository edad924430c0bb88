// The flame graph before the upload: once the sidecar has written a recording's compact tree (its
// status lists flame-tree.bin.gz while the other views are still rendered and uploaded), the record page
// reads that tree from the sidecar through the proxy and draws it; the catalog gets the same file.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { apiPath } from '../api/client.ts';
import { readCompactAt } from '../viewer/load-recording.ts';
import type { Target } from './pod-picker.tsx';

const TREE = 'flame-tree.bin.gz';

/**
 * Whether to read the tree from the sidecar: it is written and the recording is still processing (once
 * it is done, the catalog has the tree and the recording's page opens). Pure.
 */
export function sidecarHasTree(status: RecordingStatus | undefined): boolean {
  return status?.state === 'processing' && status.artifacts.includes(TREE);
}

export interface EarlyTree {
  /** The tree once read; undefined before, or when it could not be read. */
  tree: FlameNode | undefined;
  /** The read of recording `id`'s tree, when one was started (it resolves undefined on failure). */
  reading(id: string): Promise<FlameNode | undefined> | undefined;
}

interface Reading {
  id: string;
  promise: Promise<FlameNode | undefined>;
  controller: AbortController;
}

/**
 * The recording's tree from its sidecar, read once when the status lists it. A tree that could not be
 * read is left to the recording's page, which reads the catalog's as always.
 */
export function useEarlyTree(target: Target, status: RecordingStatus | undefined): EarlyTree {
  const [tree, setTree] = useState<{ id: string; root: FlameNode } | undefined>(undefined);
  const read = useRef<Reading | undefined>(undefined);
  const id = status?.id;
  const ready = sidecarHasTree(status);
  useEffect(() => {
    // Once begun, a read goes on when the recording turns done: the recording's page takes its tree.
    if (id === undefined || !ready || read.current?.id === id) return;
    const controller = new AbortController();
    const promise = readCompactAt(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${id}/artifacts/${TREE}`,
      controller.signal,
    ).catch(() => undefined);
    read.current = { id, promise, controller };
    void promise.then((root) => {
      if (root !== undefined && !controller.signal.aborted) setTree({ id, root });
    });
  }, [target.namespace, target.pod, id, ready]);
  useEffect(() => () => read.current?.controller.abort(), []);
  return {
    tree: tree !== undefined && tree.id === id ? tree.root : undefined,
    reading: (of) => (read.current?.id === of ? read.current.promise : undefined),
  };
}
