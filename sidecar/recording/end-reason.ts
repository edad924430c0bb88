// Why a recording ended, in the words the recording page, History and the CLI show (endReason).
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { EndCause } from '../profilers/profiler.ts';

export function describeEnd(cause: EndCause, times: { seconds: number; durationSeconds: number }): string {
  const after = `after ${times.seconds} s`;
  switch (cause) {
    case 'duration':
      return `the duration was reached (${times.durationSeconds} s)`;
    case 'stopped':
      return `stopped on request ${after}`;
    case 'exited':
      return `every recorded process exited, ${after}`;
    case 'size-cap':
      return `perf.data reached its size cap ${after}`;
    case 'shutdown':
      return `the recorder shut down ${after} (what was sampled is kept)`;
    case 'interrupted':
      return `perf was interrupted by a signal ${after} (what it had sampled is kept)`;
    case 'stopped-before-start':
      return 'stopped on request before its start time: nothing was sampled';
  }
}

/** Where a recording stood, in words: "recording", "at its script stage", … */
export function where(status: RecordingStatus): string {
  return status.state === 'recording' ? 'recording' : `at its ${status.stage ?? 'last'} stage`;
}

/**
 * Why recording ended, in words: the profiler's cause, else a stop if one was `requested`, else the clock.
 * A stop nobody asked for while the recorder is `closing` is its own, on its way out.
 */
export function endReasonOf(
  status: RecordingStatus,
  end: { cause: EndCause | undefined; endedAtMs: number; requested: boolean; closing: boolean },
): string {
  const seconds = Math.max(0, Math.round((end.endedAtMs - Date.parse(status.startedAt)) / 1000));
  const fallback: EndCause = end.requested ? 'stopped' : 'duration';
  const said =
    end.closing && !end.requested && end.cause === 'stopped' ? 'shutdown' : (end.cause ?? fallback);
  // A start asked ahead (startAt) stopped before then, whichever profiler: perf's events were never on.
  const early = said === 'stopped' && end.endedAtMs < Date.parse(status.startedAt);
  return describeEnd(early ? 'stopped-before-start' : said, {
    seconds,
    durationSeconds: status.params.durationSeconds,
  });
}
