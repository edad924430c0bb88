// Two recordings as a differential flame graph: the second's frames, coloured by the change in each
// frame's share of samples since the first (red: more, blue: less), with a legend.
import type { Location } from '../routing/url-state.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { DiffLegend } from '../viewer/diff-legend.tsx';
import { Explorer } from '../viewer/explorer.tsx';
import { loadRecording } from '../viewer/load-recording.ts';
import { useDiffGraph } from '../viewer/use-diff-graph.ts';
import { useViewUpdate } from './recording-page.tsx';

export interface ComparePageProps {
  before: string;
  after: string;
  location: Location;
}

export function ComparePage({ before, after, location }: ComparePageProps) {
  const loaded = usePolling(
    (signal) => Promise.all([loadRecording(before, signal), loadRecording(after, signal)]),
    0,
    `${before}/${after}`,
  );
  const onView = useViewUpdate(location);
  const { diff, colorOf, describeMore } = useDiffGraph(loaded.data?.[0].tree, loaded.data?.[1].tree);
  if (loaded.error)
    return <ErrorScreen error={loaded.error} what="the recordings to compare" onRetry={loaded.reload} />;
  if (!loaded.data)
    return (
      <p class="loading">
        Loading {before} and {after}…
      </p>
    );
  return (
    <section class="compare" aria-labelledby="compare-title">
      <h1 id="compare-title">
        Compare {before} → {after}
      </h1>
      <p class="hint">
        Widths are the samples of {after}; colours show how each frame's share of all samples changed since{' '}
        {before}. Frames that only {before} has are not drawn.
      </p>
      {diff ? (
        <Explorer
          root={diff.root}
          title={`the change from ${before} to ${after}`}
          view={location.view}
          onView={onView}
          colorOf={colorOf}
          describeMore={describeMore}
          legend={<DiffLegend maxDelta={diff.maxDelta} />}
        />
      ) : (
        <p class="notice" role="alert">
          Both recordings need folded stacks to be compared.
        </p>
      )}
    </section>
  );
}
