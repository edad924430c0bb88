// The recording pinned as a watched workload's baseline, read from the server's answer to
// `GET /api/v1/recordings?namespace=&baselineOf=` (docs/regressions.md, "Baselines"), and whether a new
// version is compared with it. The answer crosses a trust boundary: only an entry of the Recording's own
// namespace, pinned to this very workload, finished and of the Recording's profile type is taken. Pure.
import { profileOf, PROFILE_TYPES, type ProfileType } from '../../../core/contract/profile-types.ts';
import { RECORDING_ID_PATTERN } from '../../../core/contract/recording.ts';
import type { RecordingWatch, WatchVersion } from '../../../core/crd/recording-watch.ts';

/** A catalog recording pinned as the workload's baseline. */
export interface PinnedBaseline {
  recordingId: string;
  pod: string;
  startedAt: string;
}

export interface BaselineWanted {
  namespace: string;
  /** `<kind>/<name>`, lower-case kind, as a pin names it (workloadOfWatch). */
  workload: string;
  profile: ProfileType;
}

const ID = new RegExp(RECORDING_ID_PATTERN);
const POD = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How a pin names the workload a Recording watches: `deployment/web`. */
export function workloadOfWatch(watch: Pick<RecordingWatch, 'kind' | 'name'>): string {
  return `${watch.kind.toLowerCase()}/${watch.name}`;
}

function profileOfItem(params: Record<string, unknown>): ProfileType | undefined {
  const { profile, pprof } = params;
  if (profile !== undefined) return PROFILE_TYPES.find((p) => p === profile);
  if (pprof === undefined) return 'cpu';
  if (!isObject(pprof) || typeof pprof.kind !== 'string') return undefined;
  const type = profileOf({ pprof: { kind: pprof.kind } });
  return PROFILE_TYPES.find((p) => p === type);
}

function baselineOfItem(item: unknown, wanted: BaselineWanted): PinnedBaseline | undefined {
  if (!isObject(item) || !isObject(item.params)) return undefined;
  const { id, namespace, pod, state, baselineOf, startedAt } = item;
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  if (namespace !== wanted.namespace || baselineOf !== wanted.workload || state !== 'done') return undefined;
  if (typeof pod !== 'string' || !POD.test(pod)) return undefined;
  if (typeof startedAt !== 'string' || Number.isNaN(Date.parse(startedAt))) return undefined;
  if (profileOfItem(item.params) !== wanted.profile) return undefined;
  return { recordingId: id, pod, startedAt: new Date(Date.parse(startedAt)).toISOString() };
}

/** The pinned baseline in the server's answer, or undefined when it names none this Recording may use. */
export function pinnedBaseline(answer: unknown, wanted: BaselineWanted): PinnedBaseline | undefined {
  if (!isObject(answer) || !Array.isArray(answer.items)) return undefined;
  for (const item of answer.items as unknown[]) {
    const baseline = baselineOfItem(item, wanted);
    if (baseline) return baseline;
  }
  return undefined;
}

export type BaselineDecision =
  | { compare: true; before: WatchVersion }
  | { compare: false; reason: 'no-baseline' | 'baseline-is-previous' | 'baseline-is-this-version' };

/**
 * Whether the new version is compared with the baseline too, and as what "version": the pinned recording
 * alone, named by its id. Not when the version before includes it (that comparison is the one with the
 * version before), nor when the new version does.
 */
export function decideBaselineComparison(
  baseline: PinnedBaseline | undefined,
  version: WatchVersion,
  previous: WatchVersion | undefined,
): BaselineDecision {
  if (!baseline) return { compare: false, reason: 'no-baseline' };
  const id = baseline.recordingId;
  if (version.recordings.some((r) => r.recordingId === id))
    return { compare: false, reason: 'baseline-is-this-version' };
  if (previous?.recordings.some((r) => r.recordingId === id))
    return { compare: false, reason: 'baseline-is-previous' };
  return {
    compare: true,
    before: {
      version: id,
      recordedAt: baseline.startedAt,
      recordings: [{ pod: baseline.pod, recordingId: id }],
      samples: 0,
    },
  };
}

/**
 * The recordings of versions that fall off the kept list, to delete from the catalog: not one a kept version
 * shares, nor the pinned baseline (a user pinned it; only unpinning lets it go).
 */
export function recordingsToDelete(
  kept: readonly WatchVersion[],
  dropped: readonly WatchVersion[],
  pinned: PinnedBaseline | undefined,
): WatchVersion['recordings'] {
  const keep = new Set(kept.flatMap((v) => v.recordings.map((r) => r.recordingId)));
  if (pinned) keep.add(pinned.recordingId);
  return dropped.flatMap((v) => v.recordings).filter((r) => !keep.has(r.recordingId));
}
