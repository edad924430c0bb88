// A catalog entry as the server derives it from a sidecar's status. The sidecar's word is taken for what
// only it knows (parameters, samples, its error text), never for what decides retention: identity comes
// from the uploader's registration, times are bounded by what the server has seen, and state only moves
// forward (an unfinished entry that outlives its duration is failed by the server). Who started it is the
// server's own record of the start through its proxy, kept once set. Pure.
import { FurnaceError } from '../../core/contract/errors.ts';
import { isFinished, type CatalogEntry, type RecordingStatus } from '../../core/contract/recording.ts';
import { definedFields } from '../../core/defined-fields.ts';
import type { ArtifactName } from '../../core/contract/names.ts';

/** The sidecar that first wrote a recording; only it may write to it again. */
export interface RecordingOwner {
  namespace: string;
  pod: string;
  podUid?: string;
}

/** What the catalog keeps per recording, in memory and in its `recording.json`. */
export interface StoredRecording {
  entry: CatalogEntry;
  owner: RecordingOwner;
  /** When the server first heard of the recording, ms since the epoch. */
  receivedAt: number;
  /**
   * The artifact store's key of each artifact, when it is not `<id>/<name>` (the `s3` store's keys are
   * new for every upload). Never shown to users.
   */
  objects?: Partial<Record<ArtifactName, string>>;
}

/** The longest starter name kept (a user name from a token review or an oauth-proxy header). */
export const MAX_STARTED_BY = 1024;
/** How many recorded processes an entry keeps (the UI names 20), and how much of each name. */
export const MAX_KEPT_TARGETS = 32;
const MAX_KEPT_NAME = 64;

/** How long past its duration a recording may stay unfinished (processing, symbols, upload). */
export const UNFINISHED_GRACE_SECONDS = 900;

function timeOf(field: 'startedAt' | 'endedAt', value: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new FurnaceError('ERR_INVALID_PARAMETER', `${field} ${JSON.stringify(value)} is not a time`, {
      field,
      value,
    });
  }
  return time;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

function checkForward(status: RecordingStatus, previous: StoredRecording | undefined): void {
  if (!previous || !isFinished(previous.entry) || isFinished(status)) return;
  throw new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `state ${status.state} after ${previous.entry.state}: a finished recording stays finished`,
    { field: 'state', value: status.state, previous: previous.entry.state },
  );
}

/**
 * What the sidecar alone knows and the catalog shows as it says: its container, error text, samples,
 * profiler, warnings, why it ended, the processes it recorded and how perf walked their stacks.
 */
function reported(
  status: RecordingStatus,
): Pick<
  CatalogEntry,
  | 'container'
  | 'error'
  | 'samples'
  | 'profiler'
  | 'warnings'
  | 'endReason'
  | 'targets'
  | 'callGraphUsed'
  | 'callGraphReason'
> {
  return definedFields({
    callGraphUsed: status.callGraphUsed,
    callGraphReason: status.callGraphReason,
    targets: status.targets.length > 0 ? keptTargets(status.targets) : undefined,
    endReason: status.endReason,
    warnings: status.warnings?.length ? status.warnings : undefined,
    profiler: status.profiler,
    container: status.params.container ?? status.targets.find((t) => t.container)?.container,
    error: status.error,
    samples: status.samples,
  });
}

/** The first processes of a status's list, names cut short: a sidecar cannot grow an entry with them. */
function keptTargets(targets: RecordingStatus['targets']): RecordingStatus['targets'] {
  return targets.slice(0, MAX_KEPT_TARGETS).map(({ pid, comm, container }) => ({
    pid,
    comm: comm.slice(0, MAX_KEPT_NAME),
    ...(container ? { container: container.slice(0, MAX_KEPT_NAME) } : {}),
  }));
}

/**
 * The files a done recording's status lists that the catalog does not hold yet. The recorder PUTs the final
 * status before its files (and again without the ones the catalog refused), so until they are in, the entry
 * says which are on their way; after a server restart too, since it is kept with the entry.
 */
export function arrivingOf(status: RecordingStatus, arrived: CatalogEntry['artifacts']): ArtifactName[] {
  if (status.state !== 'done') return [];
  return [...new Set(status.artifacts)].filter((name) => !arrived.some((a) => a.name === name));
}

/**
 * The stored recording for a status upload at `upload.now`. `upload.startedBy` is who the server saw start it (never
 * from the upload); the first one known stays. Throws when a finished recording would go back to an
 * unfinished state (that would make it unevictable again).
 */
export function deriveStored(
  status: RecordingStatus,
  owner: RecordingOwner,
  previous: StoredRecording | undefined,
  upload: { now: number; startedBy?: string | undefined },
): StoredRecording {
  const { now, startedBy } = upload;
  checkForward(status, previous);
  const receivedAt = previous?.receivedAt ?? now;
  // Never later than the server first heard of it: a far-future start cannot sort first.
  const startedAt = Math.min(timeOf('startedAt', status.startedAt), receivedAt);
  const entry: CatalogEntry = {
    id: status.id,
    namespace: owner.namespace,
    pod: owner.pod,
    state: status.state,
    params: status.params,
    startedAt: new Date(startedAt).toISOString(),
    artifacts: previous?.entry.artifacts ?? [],
    ...reported(status),
    ...serverOwn(previous?.entry),
  };
  const starter = previous?.entry.startedBy ?? startedBy?.slice(0, MAX_STARTED_BY);
  if (starter !== undefined) entry.startedBy = starter;
  const arriving = arrivingOf(status, entry.artifacts);
  if (arriving.length > 0) entry.arriving = arriving;
  if (status.endedAt !== undefined || isFinished(status)) {
    const claimed = status.endedAt === undefined ? now : timeOf('endedAt', status.endedAt);
    entry.endedAt = new Date(clamp(claimed, startedAt, now)).toISOString();
  }
  return withObjectsOf(previous, { entry, owner, receivedAt });
}

/** Deliveries and a baseline pin are the server's own record, kept whatever an upload says. */
function serverOwn(previous: CatalogEntry | undefined): Pick<CatalogEntry, 'deliveries' | 'baselineOf'> {
  return {
    ...(previous?.deliveries !== undefined ? { deliveries: previous.deliveries } : {}),
    ...(previous?.baselineOf !== undefined ? { baselineOf: previous.baselineOf } : {}),
  };
}

/** The record keeping the artifact keys of the previous one, if it had any. */
function withObjectsOf(previous: StoredRecording | undefined, record: StoredRecording): StoredRecording {
  return previous?.objects ? { ...record, objects: previous.objects } : record;
}

/** When an unfinished entry is given up on: its duration (the schema caps it) and a grace period. */
export function unfinishedDeadline(entry: CatalogEntry): number {
  return Date.parse(entry.startedAt) + (entry.params.durationSeconds + UNFINISHED_GRACE_SECONDS) * 1000;
}

/** The entry failed by the server when it is unfinished past its deadline; undefined otherwise. */
export function expireOverdue(entry: CatalogEntry, now: number): CatalogEntry | undefined {
  if (isFinished(entry)) return undefined;
  const deadline = unfinishedDeadline(entry);
  if (!(now > deadline) && !Number.isNaN(deadline)) return undefined;
  return {
    ...entry,
    state: 'failed',
    endedAt: new Date(Number.isNaN(deadline) ? now : deadline).toISOString(),
    error: `the sidecar reported no end within ${entry.params.durationSeconds} s and a grace of ${UNFINISHED_GRACE_SECONDS} s`,
  };
}
