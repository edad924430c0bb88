// The differential graph of two loaded recordings, with the colour and the tooltip lines of a frame.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import {
  diffColor,
  diffFlameTrees,
  formatDelta,
  removedFrames,
  type DiffNode,
  type DiffTree,
} from './diff-tree.ts';

export interface DiffGraph {
  /** Undefined when either recording has no tree. */
  diff: DiffTree | undefined;
  colorOf: (node: FlameNode) => string;
  describeMore: (node: FlameNode) => string[];
}

/** The change from `before` to `after`; with `removed`, the frames only `before` has. */
export function useDiffGraph(
  before: FlameNode | undefined,
  after: FlameNode | undefined,
  removed = false,
): DiffGraph {
  const diff = useMemo(() => {
    if (!before || !after) return undefined;
    return removed ? removedFrames(before, after) : diffFlameTrees(before, after);
  }, [before, after, removed]);
  const colorOf = useMemo(
    () => (node: FlameNode) => diffColor((node as DiffNode).delta, diff?.maxDelta ?? 0),
    [diff],
  );
  const describeMore = useMemo(
    () => (node: FlameNode) => [
      `before: ${(node as DiffNode).before.toLocaleString('en')} of ${diff?.beforeTotal.toLocaleString('en')} samples`,
      `change in share: ${formatDelta((node as DiffNode).delta)}`,
    ],
    [diff],
  );
  return { diff, colorOf, describeMore };
}
