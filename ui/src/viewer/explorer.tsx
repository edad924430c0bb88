// The flame graph explorer: search, zoom with breadcrumb and reset, flame/icicle, palettes, the
// top-functions table beside the graph and the sandwich view. Its state lives in the URL.
import type { ComponentChildren } from 'preact';
import { useMemo, useRef } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { formatCount } from '../../../core/render/format-count.ts';
import { colorFor, PALETTES, type PaletteName } from '../../../core/render/palette.ts';
import type { ViewState } from '../routing/url-state.ts';
import { FlameCanvas } from './flame-canvas.tsx';
import { detectPalette } from './language.ts';
import { SandwichPanel } from './sandwich-panel.tsx';
import { matchedText, parseSearch } from './search-status.ts';
import { searchTree } from './search-tree.ts';
import { TopFunctionsTable } from './top-functions-table.tsx';
import { indicesOfPath, pathAt } from './zoom-path.ts';

export interface ExplorerProps {
  /** A flame tree; the differential graph passes its DiffNodes, which are FlameNodes too. */
  root: FlameNode;
  /** What is shown, for the graph's accessible name: "Flame graph of <title>". */
  title: string;
  view: ViewState;
  onView: (patch: Partial<ViewState>, options?: { replace?: boolean }) => void;
  /** Overrides the palette (the differential graph colours by change). */
  colorOf?: (node: FlameNode) => string;
  /** Extra tooltip lines. */
  describeMore?: (node: FlameNode) => string[];
  legend?: ComponentChildren;
}

function percent(value: number, total: number): string {
  return total > 0 ? `${((value / total) * 100).toFixed(2)}%` : '0%';
}

export function Explorer(props: ExplorerProps) {
  const { root, view, onView } = props;
  const detected = useMemo(() => detectPalette(root), [root]);
  const palette: PaletteName = view.palette ?? detected;
  const paletteColor = useMemo(() => {
    const cache = new Map<string, string>();
    return (node: FlameNode): string => {
      let color = cache.get(node.name);
      if (color === undefined) {
        color = colorFor(palette, node.name);
        cache.set(node.name, color);
      }
      return color;
    };
  }, [palette]);
  const colorOf = props.colorOf ?? paletteColor;
  const path = useMemo(() => pathAt(root, view.zoom), [root, view.zoom.join('.')]);
  const parsed = parseSearch(view.search);
  const found = useMemo(
    () => (parsed.ok && parsed.pattern ? searchTree(root, parsed.pattern) : undefined),
    [root, view.search],
  );
  const describe = useMemo(
    () =>
      (node: FlameNode): string[] => [
        node.name,
        `${formatCount(node.value)} samples (${percent(node.value, root.value)})`,
        ...(node.self > 0 ? [`${formatCount(node.self)} in the function itself`] : []),
        ...(props.describeMore?.(node) ?? []),
      ],
    [root, props.describeMore],
  );
  // The table is the same element until the tree or the sort changes, so a zoom or a search does not
  // re-render its rows; its callbacks reach the latest view through the ref.
  const latestOnView = useRef(onView);
  latestOnView.current = onView;
  const topFunctions = useMemo(
    () => (
      <TopFunctionsTable
        root={root}
        sort={view.sort}
        onSort={(sort) => latestOnView.current({ sort }, { replace: true })}
        onPick={(fn) => latestOnView.current({ panel: 'sandwich', fn })}
      />
    ),
    [root, view.sort],
  );
  const zoomTo = (_node: FlameNode, path: FlameNode[]): void => onView({ zoom: indicesOfPath(path) });
  return (
    <div class="explorer">
      <div class="toolbar">
        <div class="search">
          <label for="search">Search</label>
          <input
            id="search"
            type="search"
            placeholder="regular expression, e.g. ^malloc|free"
            value={view.search}
            aria-invalid={!parsed.ok}
            aria-describedby="search-status"
            onInput={(event) => onView({ search: event.currentTarget.value }, { replace: true })}
          />
          <span id="search-status" role="status" class={parsed.ok ? 'matched' : 'field-error'}>
            {parsed.ok ? (found ? matchedText(found.share) : '') : parsed.message}
          </span>
        </div>
        <button
          type="button"
          aria-pressed={view.orientation === 'icicle'}
          onClick={() => onView({ orientation: view.orientation === 'icicle' ? 'flame' : 'icicle' })}
        >
          Icicle
        </button>
        {props.colorOf ? null : (
          <div class="palette">
            <label for="palette">Palette</label>
            <select
              id="palette"
              value={view.palette ?? ''}
              onChange={(event) => {
                const value = event.currentTarget.value;
                onView({ palette: value === '' ? undefined : (value as PaletteName) });
              }}
            >
              <option value="">Auto ({detected})</option>
              {PALETTES.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="button" disabled={view.zoom.length === 0} onClick={() => onView({ zoom: [] })}>
          Reset zoom
        </button>
      </div>
      <nav class="breadcrumb" aria-label="Zoom path">
        {path.map((node, i) => (
          <button
            key={i}
            type="button"
            aria-current={i === path.length - 1 ? 'true' : undefined}
            onClick={() => onView({ zoom: view.zoom.slice(0, i) })}
          >
            {node.name}
          </button>
        ))}
      </nav>
      {props.legend}
      <p id="flame-keys" class="hint">
        Click a frame to zoom into it. Keyboard: Tab to the graph, arrows move between frames, Enter zooms,
        Escape resets.
      </p>
      <div class={`explorer-body panel-${view.panel}`}>
        <FlameCanvas
          path={path}
          orientation={view.orientation}
          name={`Flame graph of ${props.title}, ${formatCount(root.value)} samples`}
          colorOf={colorOf}
          isMatch={found?.isMatch}
          describe={describe}
          onZoom={zoomTo}
          onReset={() => onView({ zoom: [] })}
        />
        <aside class="side">
          <div class="tabs" role="group" aria-label="Side panel">
            <button
              type="button"
              aria-pressed={view.panel === 'top'}
              onClick={() => onView({ panel: 'top' })}
            >
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
      </div>
    </div>
  );
}
