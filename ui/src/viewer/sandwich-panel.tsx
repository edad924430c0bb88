// The sandwich view of one function: its callers above it (read downward to the function), its
// callees below it, each its own graph. Keyed by the function where it is used, so zooms reset.
import { useMemo, useState } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { Orientation } from '../routing/url-state.ts';
import { FlameCanvas } from './flame-canvas.tsx';
import { buildSandwich } from './sandwich.ts';

export interface SandwichProps {
  root: FlameNode;
  fn: string;
  colorOf: (node: FlameNode) => string;
  describe: (node: FlameNode) => string[];
}

interface HalfProps extends Omit<SandwichProps, 'fn'> {
  /** "Callers of fn": the heading and the graph's name. */
  title: string;
  orientation: Orientation;
}

/** One half of the sandwich, zoomed on its own. */
function SandwichHalf({ root, title, orientation, colorOf, describe }: HalfProps) {
  const [path, setPath] = useState<FlameNode[]>([root]);
  return (
    <>
      <h3>{title}</h3>
      <FlameCanvas
        path={path}
        orientation={orientation}
        name={title}
        colorOf={colorOf}
        describe={describe}
        onZoom={(_node, zoomed) => setPath(zoomed)}
        onReset={() => setPath([root])}
      />
    </>
  );
}

export function SandwichPanel({ root, fn, colorOf, describe }: SandwichProps) {
  const sandwich = useMemo(() => buildSandwich(root, fn), [root, fn]);
  if (sandwich.total === 0)
    return (
      <p class="notice" role="status">
        No samples have {fn} on the stack.
      </p>
    );
  const shared = { colorOf, describe };
  return (
    <div class="sandwich">
      <SandwichHalf root={sandwich.callers} title={`Callers of ${fn}`} orientation="flame" {...shared} />
      <SandwichHalf root={sandwich.callees} title={`Callees of ${fn}`} orientation="icicle" {...shared} />
    </div>
  );
}
