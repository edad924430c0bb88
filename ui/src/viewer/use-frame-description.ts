// The lines that describe a frame in the tooltip and to a screen reader: its name, its samples and
// share of the whole graph, its own samples, and whatever the page adds.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { formatCount } from '../../../core/render/format-count.ts';

function percent(value: number, total: number): string {
  return total > 0 ? `${((value / total) * 100).toFixed(2)}%` : '0%';
}

export function useFrameDescription(
  root: FlameNode,
  describeMore: ((node: FlameNode) => string[]) | undefined,
): (node: FlameNode) => string[] {
  return useMemo(
    () =>
      (node: FlameNode): string[] => [
        node.name,
        `${formatCount(node.value)} samples (${percent(node.value, root.value)})`,
        ...(node.self > 0 ? [`${formatCount(node.self)} in the function itself`] : []),
        ...(describeMore?.(node) ?? []),
      ],
    [root, describeMore],
  );
}
