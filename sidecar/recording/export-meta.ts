// Which exported profiles (profile.pb.gz, profile.otlp.pb) a finished recording gets and what they say
// about it: the pod it ran in, the container when one was recorded, the owning workload as the pod's
// name tells it, and when and how long it sampled at which frequency. Pure.
import { EXPORT_ARTIFACTS, type ExportArtifact } from '../../core/export/profile-exports.ts';
import {
  owningWorkload,
  samplingFrequency,
  type ProfileExportMeta,
} from '../../core/export/profile-subject.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { countNameOf, exportValueType } from '../../core/contract/profile-types.ts';

/** The exports to write from the recording's folded stacks, and what they say. */
export interface RecordingExports {
  names: ExportArtifact[];
  meta: ProfileExportMeta;
  /** What a count is called in the graphs' tooltips when it is not a sample (`ns off-CPU`). */
  countName?: string;
}

/** The one container recorded: the one asked for, or the one all targets share; else none. */
function containerOf(status: RecordingStatus): string | undefined {
  if (status.params.container !== undefined) return status.params.container;
  const containers = new Set(status.targets.map((target) => target.container));
  const [only] = containers;
  return containers.size === 1 ? only : undefined;
}

/**
 * A pprof recording keeps the target's own profile.pb.gz (richer than one made from folded stacks), and
 * only a CPU profile's counts are CPU samples: heap bytes and goroutines get no OTLP CPU profile.
 */
function exportsOf(status: RecordingStatus): ExportArtifact[] {
  if (status.profiler !== 'pprof') return [...EXPORT_ARTIFACTS];
  const cpu = (status.params.pprof?.kind ?? 'profile') === 'profile';
  return EXPORT_ARTIFACTS.filter((name) => cpu && !status.artifacts.includes(name));
}

/**
 * From the status as rendering begins. The duration is the time since the start, at most the one asked
 * for: a recording stopped early is counted until its stacks were ready, processing included.
 */
export function recordingExports(
  status: RecordingStatus,
  where: { podNamespace: string; podName: string },
  nowMs: number,
): RecordingExports {
  const startedAtMs = Date.parse(status.startedAt);
  const durationMs = Math.max(0, Math.min(nowMs - startedAtMs, status.params.durationSeconds * 1000));
  const container = containerOf(status);
  const service = owningWorkload(where.podName);
  const valueType = exportValueType(status.params.profile);
  const countName = countNameOf(status.params.profile);
  return {
    ...(countName === undefined ? {} : { countName }),
    names: exportsOf(status),
    meta: {
      frequency: samplingFrequency(status.profiler, status.params.frequency),
      startedAtMs,
      durationMs,
      subject: {
        namespace: where.podNamespace,
        pod: where.podName,
        ...(container === undefined ? {} : { container }),
        ...(service === undefined ? {} : { service }),
      },
      ...(valueType === undefined ? {} : { valueType }),
    },
  };
}
