// Two recordings as a differential flame graph: the second's frames, coloured by the change in each
// frame's share of samples since the first (red: more, blue: less), with a legend; or, as the "removed"
// view, the frames only the first has. Swap exchanges the two; the table under the graph lists the change
// per function, sortable, and the functions only the baseline has.
import { Fragment } from 'preact';
import { profileOf } from '../../../core/contract/profile-types.ts';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import { followLink, navigate } from '../routing/router.ts';
import type { Location, ViewUpdate } from '../routing/url-state.ts';
import { AlertScreen } from '../shell/alert-screen.tsx';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { CompareTable } from '../viewer/compare-table.tsx';
import { DiffLegend } from '../viewer/diff-legend.tsx';
import { Explorer } from '../viewer/explorer.tsx';
import { loadRecording } from '../viewer/load-recording.ts';
import { useDiffGraph } from '../viewer/use-diff-graph.ts';
import { useViewUpdate } from './recording-page.tsx';
import { formatTime } from './recording-times.ts';

export interface ComparePageProps {
  before: string;
  after: string;
  location: Location;
}

function CompareActions({ before, after, location, onView }: ComparePageProps & { onView: ViewUpdate }) {
  const removed = location.view.diff === 'removed';
  const swap = (): void =>
    navigate({
      page: { kind: 'compare', before: after, after: before },
      view: { ...location.view, zoom: [] },
    });
  return (
    <div class="compare-actions">
      <button type="button" onClick={swap}>
        Swap before and after
      </button>
      <button type="button" aria-pressed={!removed} onClick={() => onView({ diff: undefined, zoom: [] })}>
        Change
      </button>
      <button type="button" aria-pressed={removed} onClick={() => onView({ diff: 'removed', zoom: [] })}>
        Removed (only in {before})
      </button>
    </div>
  );
}

/** Which recording is which: its id (a link to it), the user's note, the pod and when it started. */
function CompareWho({ entries }: { entries: [CatalogEntry, CatalogEntry] }) {
  return (
    <dl class="summary compare-who">
      {entries.map((entry, i) => (
        <Fragment key={i}>
          <dt>{i === 0 ? 'Before' : 'After'}</dt>
          <dd>
            <a href={`/recordings/${encodeURIComponent(entry.id)}`} onClick={followLink}>
              {entry.id}
            </a>
            {entry.params.note ? <span class="note"> “{entry.params.note}”</span> : null}
            {` · ${entry.namespace}/${entry.pod} · ${formatTime(entry.startedAt)}`}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

interface CompareBodyProps extends ComparePageProps {
  trees: [FlameNode, FlameNode];
  onView: ViewUpdate;
  processFrames: boolean;
}

function CompareBody(props: CompareBodyProps) {
  const { before, after, location, trees } = props;
  const removed = location.view.diff === 'removed';
  const { diff, colorOf, describeMore } = useDiffGraph(trees[0], trees[1], removed);
  if (!diff) return null;
  return (
    <>
      {removed && diff.root.value === 0 ? (
        <p class="notice">
          Every frame of {before} is in {after} too: nothing was removed.
        </p>
      ) : (
        <Explorer
          root={diff.root}
          title={removed ? `the frames only ${before} has` : `the change from ${before} to ${after}`}
          view={location.view}
          onView={props.onView}
          colorOf={colorOf}
          describeMore={describeMore}
          legend={<DiffLegend maxDelta={diff.maxDelta} />}
          processFrames={props.processFrames}
        />
      )}
      <CompareTable
        before={trees[0]}
        after={trees[1]}
        names={[before, after]}
        processFrames={props.processFrames}
      />
    </>
  );
}

export function ComparePage(props: ComparePageProps) {
  const { before, after, location } = props;
  const loaded = usePolling(
    (signal) => Promise.all([loadRecording(before, signal), loadRecording(after, signal)]),
    0,
    `${before}/${after}`,
  );
  const onView = useViewUpdate(location);
  if (loaded.error)
    return <ErrorScreen error={loaded.error} what="the recordings to compare" onRetry={loaded.reload} />;
  if (!loaded.data)
    return (
      <p class="loading">
        Loading {before} and {after}…
      </p>
    );
  const [first, second] = loaded.data;
  const types = [profileOf(first.entry.params), profileOf(second.entry.params)] as const;
  if (types[0] !== types[1])
    return (
      <AlertScreen id="compare-title" title="These recordings do not compare">
        <p>
          {before} is of profile type {types[0]} and {after} of {types[1]}: they measure different things
          (samples on the CPU, time blocked, time on and off the CPU…), so their shares do not compare.
          Compare two recordings of one type.
        </p>
      </AlertScreen>
    );
  return (
    <section class="compare" aria-labelledby="compare-title">
      <h1 id="compare-title">
        Compare {before} → {after}
      </h1>
      <CompareWho entries={[first.entry, second.entry]} />
      <CompareActions {...props} onView={onView} />
      <p class="hint">
        {location.view.diff === 'removed'
          ? `Widths are the samples of ${before} in frames that ${after} does not have on the same stack.`
          : `Widths are the samples of ${after}; colours show how each frame's share of all samples changed since ${before}. Frames that only ${before} has are in the Removed view.`}
      </p>
      {first.tree && second.tree ? (
        <CompareBody
          {...props}
          trees={[first.tree, second.tree]}
          onView={onView}
          processFrames={first.entry.profiler !== 'pprof' && second.entry.profiler !== 'pprof'}
        />
      ) : (
        <p class="notice" role="alert">
          Both recordings need folded stacks to be compared.
        </p>
      )}
    </section>
  );
}
