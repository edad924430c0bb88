// What a recording is a recording of, for its baseline and its regressions: the port the baseline and
// regression routes use, with one adapter per mode, chosen at start-up (server/modules/route-modules.ts).
// In a cluster a recording belongs to its pod's workload, which the pin names (`deployment/web`); in local
// mode to the program it recorded (core/compare/recorded-program.ts), which the server derives itself.
import { isBaselineWorkload, MAX_BASELINE_KEY } from '../../core/compare/baseline-workload.ts';
import { recordedProgramOf } from '../../core/compare/recorded-program.ts';
import { FurnaceError } from '../../core/contract/errors.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { comparableWith, workloadRecordings, type WorkloadRecordings } from './workload-recordings.ts';

export interface WorkloadNaming {
  /** The key a pin of `entry` is stored under (`baselineOf`), from the pin's `workload` (or without one). */
  pinKey(entry: CatalogEntry, requested: string | undefined): string;
  /** The baseline and the recording before `entry` among `entries` (newest first). */
  recordingsOf(entry: CatalogEntry, entries: Iterable<CatalogEntry>): WorkloadRecordings;
  /** A list's `?baselineOf=` value, if a pin of this mode could be stored under it; else a 400 naming the field. */
  listedKey(value: string): string;
}

const CONTROL = /\p{Cc}/u;
const WORKLOAD_SHAPE = `must be <kind>/<name> of a DNS name in lower case, at most ${MAX_BASELINE_KEY} characters`;
const PROGRAM_SHAPE = `must have no control characters, at most ${MAX_BASELINE_KEY} characters`;

/** `field`'s value refused, shown with its control characters escaped so a message never carries them raw. */
function refusedKey(field: string, value: string, allowed: string): FurnaceError {
  const shown = JSON.stringify(value).replace(
    /\p{Cc}/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return new FurnaceError('ERR_INVALID_PARAMETER', `${field} ${shown} is invalid: ${allowed}`, {
    field,
    value,
    allowed,
  });
}

/** A workload's key (`deployment/web`), as a pin's `workload` or a list's `baselineOf` names it. */
function workloadKey(field: string, value: string): string {
  if (isBaselineWorkload(value)) return value;
  throw refusedKey(field, value, WORKLOAD_SHAPE);
}

/** Any key local mode may hold: a program's, whose process pattern is any text, or an old workload's. */
function localKey(field: string, value: string): string {
  if (value.length <= MAX_BASELINE_KEY && !CONTROL.test(value)) return value;
  throw refusedKey(field, value, PROGRAM_SHAPE);
}

/** A cluster's: the pin names `<kind>/<name>`; pods are matched by name. */
export const podWorkloads: WorkloadNaming = {
  pinKey(_entry, requested) {
    if (requested !== undefined) return workloadKey('workload', requested);
    // As the route's schema said it when the field was required in every mode.
    throw new FurnaceError('ERR_INVALID_PARAMETER', 'workload is required', {
      field: 'workload',
      allowed: 'required',
    });
  },
  recordingsOf: workloadRecordings,
  listedKey: (value) => workloadKey('baselineOf', value),
};

function programOf(entry: CatalogEntry): string {
  const program = recordedProgramOf(entry);
  if (program) return program.key;
  throw new FurnaceError(
    'ERR_INVALID_PARAMETER',
    `recording ${entry.id} names no process pattern, command or system-wide scope to pin a baseline for`,
    { field: 'id', value: entry.id },
  );
}

/**
 * Local mode's: a baseline belongs to what was recorded, which the server derives (a pin may name it, and
 * must name it right); the baseline and the recording before are those of the same program. An entry
 * that names no program (an upload without targets) is matched by its pod's name, as in a cluster.
 */
export const localPrograms: WorkloadNaming = {
  pinKey(entry, requested) {
    const key = programOf(entry);
    if (requested === undefined || requested === key) return key;
    localKey('workload', requested);
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `workload ${requested} is not what recording ${entry.id} recorded (${key}): in local mode a baseline belongs to the recorded program; send no workload`,
      { field: 'workload', value: requested, allowed: key },
    );
  },
  recordingsOf(entry, entries) {
    const key = recordedProgramOf(entry)?.key;
    if (key === undefined) return workloadRecordings(entry, entries);
    const same = comparableWith(entry, entries).filter((other) => recordedProgramOf(other)?.key === key);
    const baseline = same.find((other) => other.baselineOf === key);
    const started = Date.parse(entry.startedAt);
    const previous = same.find((other) => Date.parse(other.startedAt) < started);
    return {
      ...(baseline ? { workload: key, baseline } : {}),
      ...(previous ? { previous } : {}),
    };
  },
  // A process pattern is a regular expression: the key is matched whole, never as a pattern.
  listedKey: (value) => localKey('baselineOf', value),
};
