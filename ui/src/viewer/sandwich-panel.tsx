// The sandwich view of one function: its callers above it (read downward to the function), its
// callees below it, each its own graph. Keyed by the function where it is used, so zooms reset.
import { useMemo, useState } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { FlameCanvas } from './flame-canvas.tsx';
import { buildSandwich } from './sandwich.ts';

export interface SandwichProps {
  root: FlameNode;
  fn: string;
  colorOf: (node: FlameNode) => string;
  describe: (node: FlameNode) => string[];
}

export function SandwichPanel({ root, fn, colorOf, describe }: SandwichProps) {
  const sandwich = useMemo(() => buildSandwich(root, fn), [root, fn]);
  const [callerPath, setCallerPath] = useState<FlameNode[]>([sandwich.callers]);
  const [calleePath, setCalleePath] = useState<FlameNode[]>([sandwich.callees]);
  if (sandwich.total === 0)
    return (
      <p class="notice" role="status">
        No samples have {fn} on the stack.
      </p>
    );
  return (
    <div class="sandwich">
      <h3>Callers of {fn}</h3>
      <FlameCanvas
        path={callerPath}
        orientation="flame"
        name={`Callers of ${fn}`}
        colorOf={colorOf}
        describe={describe}
        onZoom={(_node, path) => setCallerPath(path)}
        onReset={() => setCallerPath([sandwich.callers])}
      />
      <h3>Callees of {fn}</h3>
      <FlameCanvas
        path={calleePath}
        orientation="icicle"
        name={`Callees of ${fn}`}
        colorOf={colorOf}
        describe={describe}
        onZoom={(_node, path) => setCalleePath(path)}
        onReset={() => setCalleePath([sandwich.callees])}
      />
    </div>
  );
}
