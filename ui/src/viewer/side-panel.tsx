// Beside the graph: the top-functions table, or the sandwich view of the function picked in it.
import { useMemo, useRef } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { ViewState, ViewUpdate } from '../routing/url-state.ts';
import { SandwichPanel } from './sandwich-panel.tsx';
import { TopFunctionsTable } from './top-functions-table.tsx';
import { hiddenNames } from './top-functions.ts';

export interface SidePanelProps {
  root: FlameNode;
  /** Root → the zoomed frame: the table counts the zoomed frame's samples. */
  path: FlameNode[];
  /** The search's pattern: the table lists only matching functions. */
  pattern: RegExp | undefined;
  /** The stacks start with the process (perf, bpftrace): those frames are not functions. */
  processFrames: boolean;
  view: ViewState;
  onView: ViewUpdate;
  colorOf: (node: FlameNode) => string;
  describe: (node: FlameNode) => string[];
}

export function SidePanel({
  root,
  path,
  pattern,
  processFrames,
  view,
  onView,
  colorOf,
  describe,
}: SidePanelProps) {
  const scope = path[path.length - 1] ?? root;
  const hidden = useMemo(() => hiddenNames(root, processFrames), [root, processFrames]);
  // The table is the same element until the zoomed frame, the search or the sort changes, so a hover or
  // a palette does not re-render its rows; its callbacks reach the latest view through the ref.
  const latestOnView = useRef(onView);
  latestOnView.current = onView;
  const topFunctions = useMemo(
    () => (
      <TopFunctionsTable
        root={scope}
        hidden={hidden}
        pattern={pattern}
        zoomedTo={scope === root ? undefined : scope.name}
        sort={view.sort}
        onSort={(sort) => latestOnView.current({ sort }, { replace: true })}
        onPick={(fn) => latestOnView.current({ panel: 'sandwich', fn })}
      />
    ),
    [scope, hidden, pattern?.source, view.sort],
  );
  return (
    <aside class="side">
      <div class="tabs" role="group" aria-label="Side panel">
        <button type="button" aria-pressed={view.panel === 'top'} onClick={() => onView({ panel: 'top' })}>
          Top functions
        </button>
        <button
          type="button"
          aria-pressed={view.panel === 'sandwich'}
          onClick={() => onView({ panel: 'sandwich' })}
        >
          Sandwich
        </button>
      </div>
      {view.panel === 'top' ? (
        topFunctions
      ) : view.fn ? (
        <SandwichPanel key={view.fn} root={root} fn={view.fn} colorOf={colorOf} describe={describe} />
      ) : (
        <p class="hint">Pick a function in Top functions to see its callers and callees.</p>
      )}
    </aside>
  );
}
