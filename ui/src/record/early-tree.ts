// The flame graph before the upload: from the click on Stop (or the end of recording), the record page
// holds a read of the recording's compact tree open at its sidecar, through the proxy; the sidecar answers
// it the moment the tree is written, while the other views are still rendered and uploaded, and the page
// draws it. The catalog gets the same file.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { apiPath } from '../api/client.ts';
import { readCompactAt } from '../viewer/load-recording.ts';
import type { Target } from './pod-picker.tsx';

const TREE = 'flame-tree.bin.gz';
/** Between two reads of the tree when one came back without it (a sidecar that does not wait answers at once). */
const RETRY_MS = 250;

/**
 * Whether to read the tree from the sidecar: it is written and the recording is still processing (once
 * it is done, the catalog has the tree and the recording's page opens). Pure.
 */
export function sidecarHasTree(status: RecordingStatus | undefined): boolean {
  return status?.state === 'processing' && status.artifacts.includes(TREE);
}

/**
 * Whether to open a read that waits for the tree: Stop was asked, recording has ended (the sidecar is
 * processing), or the tree is listed already. Pure.
 */
export function treeReadDue(status: RecordingStatus | undefined, stopAsked: boolean): boolean {
  // A listed tree (sidecarHasTree) is always one of a processing recording.
  return status?.state === 'processing' || (stopAsked && status?.state === 'recording');
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
 * Reads the tree with `?wait=true`: the sidecar answers the moment it has written it, so the page learns
 * of it without a poll between (bench:stop-to-graph). A wait the sidecar ended without the tree (its time
 * ran out on a long processing) is asked again while the recording is still active by the latest status.
 */
async function readWhenWritten(
  path: string,
  active: () => boolean,
  signal: AbortSignal,
): Promise<FlameNode | undefined> {
  for (;;) {
    let root: FlameNode | undefined;
    try {
      root = await readCompactAt(`${path}?wait=true`, signal);
    } catch {
      return undefined; // aborted, or too large to draw here
    }
    if (root !== undefined || !active()) return root;
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    if (signal.aborted) return undefined;
  }
}

/**
 * The recording's tree from its sidecar, read once: from the Stop click (or the end of recording) the read
 * waits at the sidecar for the tree. A tree that could not be read is left to the recording's page, which
 * reads the catalog's as always.
 */
export function useEarlyTree(
  target: Target,
  status: RecordingStatus | undefined,
  stopAsked: boolean,
): EarlyTree {
  const [tree, setTree] = useState<{ id: string; root: FlameNode } | undefined>(undefined);
  const read = useRef<Reading | undefined>(undefined);
  const latest = useRef(status);
  latest.current = status;
  const id = status?.id;
  const due = treeReadDue(status, stopAsked);
  useEffect(() => {
    // Once begun, a read goes on when the recording turns done: the recording's page takes its tree.
    if (id === undefined || !due || read.current?.id === id) return;
    const controller = new AbortController();
    const active = (): boolean =>
      latest.current?.id === id && latest.current.state !== 'failed' && latest.current.state !== 'done';
    const promise = readWhenWritten(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${id}/artifacts/${TREE}`,
      active,
      controller.signal,
    );
    read.current = { id, promise, controller };
    void promise.then((root) => {
      if (root !== undefined && !controller.signal.aborted) setTree({ id, root });
    });
  }, [target.namespace, target.pod, id, due]);
  useEffect(() => () => read.current?.controller.abort(), []);
  return {
    tree: tree !== undefined && tree.id === id ? tree.root : undefined,
    reading: (of) => (read.current?.id === of ? read.current.promise : undefined),
  };
}
