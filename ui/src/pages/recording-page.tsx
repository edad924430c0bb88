// One recording: what it is, its downloads, and its flame graph explorer. The URL holds the view.
import { useCallback } from 'preact/hooks';
import { measureOf, profileOf } from '../../../core/contract/profile-types.ts';
import { ApiError } from '../api/client.ts';
import { ContinuousLink } from '../continuous/continuous-link.tsx';
import { LiveRecording } from '../live/live-recording.tsx';
import { navigate } from '../routing/router.ts';
import type { Location, ViewUpdate } from '../routing/url-state.ts';
import { AlertScreen } from '../shell/alert-screen.tsx';
import { ErrorScreen } from '../shell/error-screen.tsx';
import { usePolling } from '../shell/use-polling.ts';
import { Explorer } from '../viewer/explorer.tsx';
import { loadRecording } from '../viewer/load-recording.ts';
import { Downloads, OpenInSpeedscope } from './downloads.tsx';
import { RecordingSummary } from './recording-summary.tsx';
import { Outcome } from '../record/recording-progress.tsx';
import { BaselinePin } from '../regression/baseline-pin.tsx';
import { RegressionFlag } from '../regression/regression-flag.tsx';
import { ResymbolizeAction } from '../symbols/resymbolize-action.tsx';

export function useViewUpdate(location: Location): ViewUpdate {
  return useCallback(
    (patch, options) => navigate({ page: location.page, view: { ...location.view, ...patch } }, options),
    [location],
  );
}

export function RecordingPage({ id, location }: { id: string; location: Location }) {
  const loaded = usePolling((signal) => loadRecording(id, signal), 0, id);
  const onView = useViewUpdate(location);
  if (loaded.error instanceof ApiError && loaded.error.status === 404)
    return <LiveRecording id={id} notFound={loaded.error} onCataloged={loaded.reload} />;
  if (loaded.error)
    return <ErrorScreen error={loaded.error} what={`recording ${id}`} onRetry={loaded.reload} />;
  if (!loaded.data) return <p class="loading">Loading recording {id}…</p>;
  const { entry, tree } = loaded.data;
  return (
    <section class="recording" aria-labelledby="recording-title">
      <h1 id="recording-title">
        {entry.namespace}/{entry.pod} · {id}
      </h1>
      <RecordingSummary entry={entry} />
      <Outcome status={entry} />
      {entry.state === 'done' ? <RegressionFlag id={id} revision={entry.baselineOf ?? ''} /> : null}
      {entry.state === 'done' ? <BaselinePin entry={entry} onChanged={loaded.reload} /> : null}
      <div class="recording-actions">
        <Downloads entry={entry} />
        <OpenInSpeedscope entry={entry} />
        <ContinuousLink entry={entry} />
      </div>
      <ResymbolizeAction
        entry={entry}
        tree={tree}
        processFrames={entry.profiler !== 'pprof'}
        onReload={loaded.reload}
      />
      {entry.state === 'failed' ? (
        <AlertScreen id="failed-title" title="Recording failed">
          <p class="server-message">{entry.error ?? 'The sidecar gave no reason.'}</p>
        </AlertScreen>
      ) : tree ? (
        <Explorer
          root={tree}
          title={`${entry.pod} (${id})`}
          view={location.view}
          onView={onView}
          processFrames={entry.profiler !== 'pprof'}
          measure={measureOf(profileOf(entry.params))}
        />
      ) : entry.state === 'done' && entry.profiler === 'bpftrace' ? (
        <p class="notice" role="status">
          The bpftrace program printed no stack map, so there is no flame graph: its output is bpftrace.txt
          (Downloads).
        </p>
      ) : (
        <p class="notice" role="status">
          This recording has no stacks yet{entry.state === 'done' ? '' : ` (state: ${entry.state})`}.
        </p>
      )}
    </section>
  );
}
