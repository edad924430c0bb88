// The colour legend of a differential flame graph: smaller share, unchanged, larger share.
import { diffColor, formatDelta } from './diff-tree.ts';

export function DiffLegend({ maxDelta }: { maxDelta: number }) {
  return (
    <div class="legend" aria-label="Colour legend">
      <span class="swatch" style={{ background: diffColor(-maxDelta, maxDelta) }} /> smaller share (
      {formatDelta(-maxDelta)})
      <span class="swatch" style={{ background: diffColor(0, maxDelta) }} /> unchanged
      <span class="swatch" style={{ background: diffColor(maxDelta, maxDelta) }} /> larger share (
      {formatDelta(maxDelta)})
    </div>
  );
}
