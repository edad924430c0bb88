// Whether a start request may go to the sidecar, in two pure steps: its parameters against the
// namespace's limits and the server's settings, then the recordings already running against the
// concurrency limits. start-admission.ts runs them, with the permission check in between.
import { FurnaceError } from '../../core/contract/errors.ts';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import { validateRecordingParams, type RecordingParams } from '../../core/contract/recording-params.ts';
import { checkNamedSinks, type SinkRule } from '../../core/sinks/sink-choice.ts';

/** The server setting that enables `systemWide: true` (off by default). */
export const SYSTEM_WIDE_SETTING = 'recording.allowSystemWide';

export type StartRefusal =
  | 'invalid-body'
  | 'invalid-parameters'
  | 'system-wide-disabled'
  | 'unknown-sink'
  | 'namespace-busy'
  | 'cluster-busy';

type Refused = { allowed: false; reason: StartRefusal; error: FurnaceError };
export type ParamsDecision = { allowed: true; params: RecordingParams } | Refused;
export type SlotDecision = { allowed: true } | Refused;

export interface ParamsInput {
  /** The request body as received, or undefined when it was empty. */
  body: Buffer | undefined;
  limits: Readonly<RecordingLimits>;
  /** The server setting SYSTEM_WIDE_SETTING. */
  allowSystemWide: boolean;
  /** The server's sinks and the start's namespace: `sinks` may name only those that take it. */
  sinks?: readonly SinkRule[];
  namespace?: string;
}

export interface SlotInput {
  namespace: string;
  limits: Readonly<RecordingLimits>;
  runningInNamespace: number;
  runningInCluster: number;
}

function parseBody(body: Buffer | undefined): unknown {
  const text = body?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
  return JSON.parse(text) as unknown;
}

function busy(field: string, limit: number, message: string): FurnaceError {
  return new FurnaceError('ERR_LIMIT_EXCEEDED', `${message} (${field})`, { field, limit });
}

export function decideStartParams(input: ParamsInput): ParamsDecision {
  let body: unknown;
  try {
    body = parseBody(input.body);
  } catch {
    const error = new FurnaceError('ERR_INVALID_PARAMETER', 'start request body is not valid JSON', {
      field: 'body',
    });
    return { allowed: false, reason: 'invalid-body', error };
  }
  let params: RecordingParams;
  try {
    params = validateRecordingParams(body, input.limits);
  } catch (error) {
    return { allowed: false, reason: 'invalid-parameters', error: error as FurnaceError };
  }
  if (params.systemWide && !input.allowSystemWide) {
    const error = new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `systemWide is true, but this server does not allow whole-node recordings (${SYSTEM_WIDE_SETTING} is false)`,
      { field: 'systemWide', setting: SYSTEM_WIDE_SETTING },
    );
    return { allowed: false, reason: 'system-wide-disabled', error };
  }
  try {
    checkNamedSinks(input.sinks ?? [], input.namespace ?? '', params.sinks ?? []);
  } catch (error) {
    return { allowed: false, reason: 'unknown-sink', error: error as FurnaceError };
  }
  return { allowed: true, params };
}

export function decideStartSlot(input: SlotInput): SlotDecision {
  const { namespace, limits } = input;
  if (input.runningInNamespace >= limits.maxConcurrentPerNamespace) {
    const error = busy(
      'maxConcurrentPerNamespace',
      limits.maxConcurrentPerNamespace,
      `namespace ${namespace} already runs ${limits.maxConcurrentPerNamespace} recordings`,
    );
    return { allowed: false, reason: 'namespace-busy', error };
  }
  if (input.runningInCluster >= limits.maxConcurrentPerCluster) {
    const error = busy(
      'maxConcurrentPerCluster',
      limits.maxConcurrentPerCluster,
      `the cluster already runs ${limits.maxConcurrentPerCluster} recordings`,
    );
    return { allowed: false, reason: 'cluster-busy', error };
  }
  return { allowed: true };
}
