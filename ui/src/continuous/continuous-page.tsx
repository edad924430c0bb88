// The Continuous page: a namespace's continuous profiling data (docs/continuous.md). A timeline of samples
// over time per pod or workload; drag across it for the flame graph of that range; pick a second range to
// compare the two as a differential graph. Everything the page shows is in its URL.
import { useState } from 'preact/hooks';
import type { TimelineGrouping, TimelineView } from '../../../core/continuous/continuous-timeline.ts';
import { useViewUpdate } from '../pages/recording-page.tsx';
import { navigate } from '../routing/router.ts';
import type { Location, ViewUpdate } from '../routing/url-state.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { ContinuousFilters } from './continuous-filters.tsx';
import { selectionQuery, type ContinuousParams, type TimeRange } from './continuous-url.ts';
import { formatRange } from './format-clock.ts';
import { loadTimeline } from './load-continuous.ts';
import { RangeGraphs } from './range-graphs.tsx';
import { TimelineChart } from './timeline-chart.tsx';
import { CONTINUOUS_OFF, useContinuousAvailable } from './use-continuous-available.ts';
import { VersusPicker } from './versus-picker.tsx';

const HOUR = 3_600_000;

function EmptyTimeline({ namespace, range }: { namespace: string; range: TimeRange }) {
  return (
    <p class="notice" role="status">
      No continuous windows in namespace {namespace} between {formatRange(range)} for this selection.
      Continuous profiling records only the pods a selection switched on (docs/continuous.md: PUT
      /api/v1/continuous/{namespace}/&lt;name&gt;), with agent mode; pick a longer range, or another namespace
      or pod.
    </p>
  );
}

function BrushActions({
  params,
  onParams,
  comparing,
  setComparing,
}: {
  params: ContinuousParams;
  onParams: (patch: Partial<ContinuousParams>) => void;
  comparing: boolean;
  setComparing: (on: boolean) => void;
}) {
  if (!params.a) return <p class="hint">Drag across the timeline to see the flame graph of a range.</p>;
  return (
    <div class="compare-actions">
      <span>
        Range A: {formatRange(params.a)}
        {params.b ? `; range B: ${formatRange(params.b)}` : ''}
      </span>
      {params.b ? (
        <button type="button" onClick={() => onParams({ b: undefined, vs: undefined })}>
          Stop comparing
        </button>
      ) : (
        <button type="button" aria-pressed={comparing} onClick={() => setComparing(!comparing)}>
          {comparing ? 'Now drag range B on the timeline' : 'Compare with another range'}
        </button>
      )}
    </div>
  );
}

interface TimelineBodyProps {
  params: ContinuousParams;
  location: Location;
  view: TimelineView;
  onView: ViewUpdate;
  onParams: (patch: Partial<ContinuousParams>) => void;
  onBrush: (range: TimeRange) => void;
  comparing: boolean;
  setComparing: (on: boolean) => void;
  by: TimelineGrouping;
  setBy: (by: TimelineGrouping) => void;
}

function TimelineBody(props: TimelineBodyProps) {
  const { params, location, onView, onParams, comparing, setComparing, by, setBy } = props;
  return (
    <>
      <div class="compare-actions" role="group" aria-label="Series">
        <button type="button" aria-pressed={by === 'pod'} onClick={() => setBy('pod')}>
          Per pod
        </button>
        <button type="button" aria-pressed={by === 'workload'} onClick={() => setBy('workload')}>
          Per workload
        </button>
      </div>
      <TimelineChart
        view={props.view}
        marks={[
          ...(params.a ? [{ range: params.a, label: 'A', className: 'range-a' }] : []),
          ...(params.b ? [{ range: params.b, label: 'B', className: 'range-b' }] : []),
        ]}
        onBrush={props.onBrush}
      />
      <BrushActions params={params} onParams={onParams} comparing={comparing} setComparing={setComparing} />
      {params.a && !params.b ? <VersusPicker params={params} view={props.view} onParams={onParams} /> : null}
      {params.a ? (
        <RangeGraphs params={params} a={params.a} b={params.b} location={location} onView={onView} />
      ) : null}
    </>
  );
}

interface ContinuousPageProps {
  location: Location;
  params: ContinuousParams;
}

/** The page where the server has continuous profiling; where it has not, what would turn it on. */
export function ContinuousPage(props: ContinuousPageProps) {
  const available = useContinuousAvailable();
  if (available === undefined) return <p class="loading">Loading…</p>;
  if (available) return <ContinuousTimelines {...props} />;
  return (
    <section class="continuous" aria-labelledby="continuous-title">
      <h1 id="continuous-title">Continuous profiling</h1>
      <p class="notice" role="status">
        {CONTINUOUS_OFF}
      </p>
    </section>
  );
}

function ContinuousTimelines({ location, params }: ContinuousPageProps) {
  const [defaultRange] = useState<TimeRange>(() => {
    const now = Date.now();
    return { from: now - HOUR, to: now };
  });
  const [by, setBy] = useState<TimelineGrouping>('pod');
  const [comparing, setComparing] = useState(false);
  const range = params.range ?? defaultRange;
  const onView = useViewUpdate(location);
  const onParams = (patch: Partial<ContinuousParams>): void =>
    navigate({
      page: { kind: 'continuous', params: { ...params, ...patch } },
      view: { ...location.view, zoom: [] },
    });
  const namespace = params.namespace;
  const timeline = usePolling(
    (signal) => (namespace ? loadTimeline({ ...params }, range, signal, by) : Promise.resolve(undefined)),
    0,
    namespace ? `${selectionQuery(params, range)}&by=${by}` : '',
  );
  const onBrush = (picked: TimeRange): void => {
    if (comparing && params.a) {
      setComparing(false);
      onParams({ b: picked, vs: undefined });
    } else onParams({ a: picked, b: undefined });
  };
  return (
    <section class="continuous" aria-labelledby="continuous-title">
      <h1 id="continuous-title">Continuous profiling</h1>
      <ContinuousFilters
        params={params}
        view={timeline.data}
        onParams={onParams}
        onRange={(picked) => onParams({ range: picked, a: undefined, b: undefined })}
      />
      {!namespace ? (
        <p class="notice" role="status">
          Choose a namespace to see its continuous profiling data.
        </p>
      ) : timeline.error ? (
        <ErrorScreen error={timeline.error} what={`the timeline of ${namespace}`} onRetry={timeline.reload} />
      ) : !timeline.data ? (
        <p class="loading">Loading the timeline of {namespace}…</p>
      ) : timeline.data.windows === 0 ? (
        <EmptyTimeline namespace={namespace} range={range} />
      ) : (
        <TimelineBody
          {...{ params, location, onView, onParams, comparing, setComparing, by, setBy }}
          view={timeline.data}
          onBrush={onBrush}
        />
      )}
    </section>
  );
}
