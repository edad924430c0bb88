// The lines that describe a frame in the tooltip and to a screen reader: its name, its samples (or time,
// for offcpu and wall graphs) and share of the whole graph, its own, and whatever the page adds.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { formatMeasure, SAMPLES, type Measure } from '../../../core/render/format-measure.ts';

function percent(value: number, total: number): string {
  return total > 0 ? `${((value / total) * 100).toFixed(2)}%` : '0%';
}

export function useFrameDescription(
  root: FlameNode,
  describeMore: ((node: FlameNode) => string[]) | undefined,
  measure: Measure = SAMPLES,
): (node: FlameNode) => string[] {
  return useMemo(
    () =>
      (node: FlameNode): string[] => [
        node.name,
        `${formatMeasure(node.value, measure)} (${percent(node.value, root.value)})`,
        ...(node.self > 0 ? [`${formatMeasure(node.self, measure)} in the function itself`] : []),
        ...(describeMore?.(node) ?? []),
      ],
    [root, describeMore, measure],
  );
}
