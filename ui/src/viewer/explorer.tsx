// The flame graph explorer: search, zoom with breadcrumb and reset, flame/icicle, palettes, the
// top-functions table beside the graph and the sandwich view. Its state lives in the URL.
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { formatMeasure, SAMPLES, type Measure } from '../../../core/render/format-measure.ts';
import type { PaletteName } from '../../../core/render/palette.ts';
import type { ViewState, ViewUpdate } from '../routing/url-state.ts';
import { ExplorerToolbar } from './explorer-toolbar.tsx';
import { FlameCanvas } from './flame-canvas.tsx';
import { detectPalette } from './language.ts';
import { SidePanel } from './side-panel.tsx';
import { useFrameDescription } from './use-frame-description.ts';
import { useGraphSearch } from './use-graph-search.ts';
import { usePaletteColor } from './use-palette-color.ts';
import { ZoomBreadcrumb } from './zoom-breadcrumb.tsx';
import { indicesOfPath, pathAt } from './zoom-path.ts';

export interface ExplorerProps {
  /** A flame tree; the differential graph passes its DiffNodes, which are FlameNodes too. */
  root: FlameNode;
  /** What is shown, for the graph's accessible name: "Flame graph of <title>". */
  title: string;
  view: ViewState;
  onView: ViewUpdate;
  /** Overrides the palette (the differential graph colours by change). */
  colorOf?: (node: FlameNode) => string;
  /** Extra tooltip lines. */
  describeMore?: (node: FlameNode) => string[];
  legend?: ComponentChildren;
  /** The stacks start with the process's name (perf, bpftrace): Top functions leaves those frames out. */
  processFrames?: boolean;
  /** What the values are (samples unless said: nanoseconds off-CPU or of wall time). */
  measure?: Measure;
}

export function Explorer(props: ExplorerProps) {
  const { root, view, onView } = props;
  const detected = useMemo(() => detectPalette(root), [root]);
  const palette: PaletteName = view.palette ?? detected;
  const paletteColor = usePaletteColor(palette);
  const colorOf = props.colorOf ?? paletteColor;
  const path = useMemo(() => pathAt(root, view.zoom), [root, view.zoom.join('.')]);
  const search = useGraphSearch(root, view.search);
  const measure = props.measure ?? SAMPLES;
  const describe = useFrameDescription(root, props.describeMore, measure);
  const zoomTo = (_node: FlameNode, path: FlameNode[]): void => onView({ zoom: indicesOfPath(path) });
  return (
    <div class="explorer">
      <ExplorerToolbar
        view={view}
        onView={onView}
        search={search}
        detected={props.colorOf ? undefined : detected}
      />
      <ZoomBreadcrumb path={path} zoom={view.zoom} onView={onView} />
      {props.legend}
      <p id="flame-keys" class="hint">
        Click a frame to zoom into it. Keyboard: Tab to the graph, arrows move between frames, Enter zooms,
        Escape resets.
      </p>
      <div class={`explorer-body panel-${view.panel}`}>
        <FlameCanvas
          path={path}
          orientation={view.orientation}
          name={`Flame graph of ${props.title}, ${formatMeasure(root.value, measure)}`}
          colorOf={colorOf}
          isMatch={search.found?.isMatch}
          describe={describe}
          onZoom={zoomTo}
          onReset={() => onView({ zoom: [] })}
        />
        <SidePanel
          root={root}
          path={path}
          pattern={search.parsed.ok ? search.parsed.pattern : undefined}
          processFrames={props.processFrames ?? false}
          view={view}
          onView={onView}
          colorOf={colorOf}
          describe={describe}
        />
      </div>
    </div>
  );
}
