// RecordingStatus values as a sidecar reports them, for tests that play a sidecar or fill a catalog.
import type { ProcessMatches } from '../../core/contract/processes.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { DEFAULT_PARAMS, type RecordingParams } from '../../core/contract/recording-params.ts';

/** The params of a perf recording with the default settings (99 Hz cpu-clock, call graph auto, symbols from proc). */
export function perfParams(durationSeconds: number, extra: Partial<RecordingParams> = {}): RecordingParams {
  return { ...DEFAULT_PARAMS, durationSeconds, ...extra };
}

/** What the sidecar renders from any profiler's stacks, in the order the recording lists them. */
export const RENDERED_ARTIFACTS = ['stacks.folded', 'flamegraph.svg', 'flamegraph.html', 'speedscope.json'];

/** The profiles exported from a perf or bpftrace recording's stacks (a pprof recording keeps its own pprof). */
export const EXPORTED_ARTIFACTS = ['profile.pb.gz', 'profile.otlp.pb'];

/** The artifacts of a finished perf recording, sorted by name. */
export const PERF_ARTIFACTS = [
  'flame-tree.bin.gz',
  'flamegraph.html',
  'flamegraph.svg',
  'perf.data',
  'perf.script',
  'profile.otlp.pb',
  'profile.pb.gz',
  'speedscope.json',
  'stacks.folded',
];

/** A recording under way: cpu-clock at 99 Hz for 5 s of one process in container `app`. */
export function recordingStatus(id: string, overrides: Partial<RecordingStatus> = {}): RecordingStatus {
  return {
    id,
    state: 'recording',
    stage: 'record',
    progress: 0,
    params: perfParams(5, { container: 'app' }),
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

/** What a stand-in sidecar answers to `GET /processes`: the processes a start would record now. */
export const FAKE_PROCESS_MATCHES: ProcessMatches = {
  processes: [
    { pid: 41, comm: 'hot', cmdline: '/bin/hot --busy', container: 'app', cpuPercent: 97.5 },
    { pid: 7, comm: 'sh', cmdline: 'sh -c hot', container: 'app', cpuPercent: 0 },
  ],
  total: 2,
};
