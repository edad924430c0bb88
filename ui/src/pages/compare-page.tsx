// Two recordings as a differential flame graph: the second's frames, coloured by the change in each
// frame's share of samples since the first (red: more, blue: less), with a legend.
import { useMemo } from 'preact/hooks';
import type { FlameNode } from '../../../core/render/flame-tree.ts';
import type { Location } from '../routing/url-state.ts';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { diffColor, diffFlameTrees, formatDelta, type DiffNode } from '../viewer/diff-tree.ts';
import { Explorer } from '../viewer/explorer.tsx';
import { loadRecording } from '../viewer/load-recording.ts';
import { useViewUpdate } from './recording-page.tsx';

function Legend({ maxDelta }: { maxDelta: number }) {
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

export function ComparePage({
  before,
  after,
  location,
}: {
  before: string;
  after: string;
  location: Location;
}) {
  const loaded = usePolling(
    (signal) => Promise.all([loadRecording(before, signal), loadRecording(after, signal)]),
    0,
    `${before}/${after}`,
  );
  const onView = useViewUpdate(location);
  const diff = useMemo(() => {
    const [a, b] = loaded.data ?? [];
    return a?.tree && b?.tree ? diffFlameTrees(a.tree, b.tree) : undefined;
  }, [loaded.data]);
  const colorOf = useMemo(
    () => (node: FlameNode) => diffColor((node as DiffNode).delta, diff?.maxDelta ?? 0),
    [diff],
  );
  const describeMore = useMemo(
    () => (node: FlameNode) => [
      `before: ${(node as DiffNode).before.toLocaleString('en')} of ${diff?.beforeTotal.toLocaleString('en')} samples`,
      `change in share: ${formatDelta((node as DiffNode).delta)}`,
    ],
    [diff],
  );
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
          legend={<Legend maxDelta={diff.maxDelta} />}
        />
      ) : (
        <p class="notice" role="alert">
          Both recordings need folded stacks to be compared.
        </p>
      )}
    </section>
  );
}
