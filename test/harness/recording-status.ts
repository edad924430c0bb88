// RecordingStatus values as a sidecar reports them, for tests that play a sidecar or fill a catalog.
import type { RecordingStatus } from '../../core/contract/recording.ts';

/** A recording under way: cpu-clock at 99 Hz for 5 s of one process in container `app`. */
export function recordingStatus(id: string, overrides: Partial<RecordingStatus> = {}): RecordingStatus {
  return {
    id,
    state: 'recording',
    stage: 'record',
    progress: 0,
    params: {
      durationSeconds: 5,
      frequency: 99,
      event: 'cpu-clock',
      callGraph: 'fp',
      symbols: 'proc',
      profiler: 'perf',
      systemWide: false,
      container: 'app',
    },
    targets: [{ pid: 7, comm: 'hot', container: 'app' }],
    startedAt: '2026-03-01T12:00:00.000Z',
    artifacts: [],
    ...overrides,
  };
}

/** The same recording finished 5 s after it started, with its flame graph. */
export function finishedRecordingStatus(
  id: string,
  overrides: Partial<RecordingStatus> = {},
): RecordingStatus {
  return recordingStatus(id, {
    state: 'done',
    stage: 'upload',
    progress: 1,
    endedAt: '2026-03-01T12:00:05.000Z',
    artifacts: ['flamegraph.svg'],
    ...overrides,
  });
}

/** Whether the recording has come to an end, well or not. */
export function finished(status: RecordingStatus): boolean {
  return status.state === 'done' || status.state === 'failed';
}
