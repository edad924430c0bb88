// Under the timeline: the flame graph of the brushed range (the range query's folded stacks, merged on
// the server), or, with a second range, the differential graph from the first to the second with the
// compare page's table of changes per function.
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { Location, ViewUpdate } from '../routing/url-state.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { CompareTable } from '../viewer/compare-table.tsx';
import { DiffLegend } from '../viewer/diff-legend.tsx';
import { Explorer } from '../viewer/explorer.tsx';
import { useDiffGraph } from '../viewer/use-diff-graph.ts';
import { selectionQuery, versusParams, type ContinuousParams, type TimeRange } from './continuous-url.ts';
import { formatRange } from './format-clock.ts';
import { loadRangeTree, type LoadedRange } from './load-continuous.ts';

export interface RangeGraphsProps {
  params: ContinuousParams;
  a: TimeRange;
  b: TimeRange | undefined;
  location: Location;
  onView: ViewUpdate;
}

function NoSamples({ range }: { range: TimeRange }) {
  return (
    <p class="notice" role="status">
      No samples between {formatRange(range)} for this selection: no window of a selected pod overlaps this
      range. Brush another range on the timeline.
    </p>
  );
}

function DiffGraph(props: { trees: [FlameNode, FlameNode]; names: [string, string] } & RangeGraphsProps) {
  const { trees, names, location } = props;
  const { diff, colorOf, describeMore } = useDiffGraph(trees[0], trees[1]);
  if (!diff) return null;
  return (
    <>
      <Explorer
        root={diff.root}
        title={`the change from ${names[0]} to ${names[1]}`}
        view={location.view}
        onView={props.onView}
        colorOf={colorOf}
        describeMore={describeMore}
        legend={<DiffLegend maxDelta={diff.maxDelta} />}
        processFrames={true}
      />
      <CompareTable before={trees[0]} after={trees[1]} names={names} processFrames={true} />
    </>
  );
}

interface Side {
  params: ContinuousParams;
  range: TimeRange;
  name: string;
}

/** Two ranges of the selection, or one range of the selection and of another pod or workload. */
function sidesOf(props: RangeGraphsProps): [Side, Side] {
  const { params, a, b } = props;
  if (b)
    return [
      { params, range: a, name: `A ${formatRange(a)}` },
      { params, range: b, name: `B ${formatRange(b)}` },
    ];
  const vs = params.vs ?? '';
  const mine = params.pod ?? params.workload ?? 'the selection';
  return [
    { params, range: a, name: `A ${mine}` },
    { params: versusParams(params, vs), range: a, name: `B ${vs}` },
  ];
}

function CompareSides(props: RangeGraphsProps) {
  const sides = sidesOf(props);
  const key = sides.map((side) => selectionQuery(side.params, side.range)).join('|');
  const loaded = usePolling(
    (signal) => Promise.all(sides.map((side) => loadRangeTree(side.params, side.range, signal))),
    0,
    key,
  );
  if (loaded.error) return <ErrorScreen error={loaded.error} what="the comparison" onRetry={loaded.reload} />;
  if (!loaded.data) return <p class="loading">Loading both sides…</p>;
  const [first, second] = loaded.data as [LoadedRange, LoadedRange];
  if (first.tree.value === 0) return <NoSamples range={sides[0].range} />;
  if (second.tree.value === 0) return <NoSamples range={sides[1].range} />;
  const names: [string, string] = [sides[0].name, sides[1].name];
  return (
    <section aria-labelledby="range-compare-title">
      <h2 id="range-compare-title">
        Compare {names[0]} → {names[1]}
      </h2>
      <p class="hint">
        Widths are the samples of B; colours show how each frame's share of all samples changed since A.
      </p>
      <DiffGraph {...props} trees={[first.tree, second.tree]} names={names} />
    </section>
  );
}

function OneRange(props: RangeGraphsProps) {
  const { params, a, location } = props;
  const loaded = usePolling((signal) => loadRangeTree(params, a, signal), 0, selectionQuery(params, a));
  if (loaded.error) return <ErrorScreen error={loaded.error} what="the range" onRetry={loaded.reload} />;
  if (!loaded.data) return <p class="loading">Loading {formatRange(a)}…</p>;
  if (loaded.data.tree.value === 0) return <NoSamples range={a} />;
  return (
    <section aria-labelledby="range-title">
      <h2 id="range-title">{formatRange(a)}</h2>
      <Explorer
        root={loaded.data.tree}
        title={`${params.namespace ?? ''} ${formatRange(a)}`}
        view={location.view}
        onView={props.onView}
        processFrames={true}
      />
    </section>
  );
}

export function RangeGraphs(props: RangeGraphsProps) {
  return props.b || props.params.vs ? <CompareSides {...props} /> : <OneRange {...props} />;
}
