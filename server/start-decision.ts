// Whether a start request may go to the sidecar: its parameters against the namespace's limits, and the
// recordings already running against the concurrency limits. Pure; the proxy hook acts on the answer.
import { FurnaceError } from '../core/errors.ts';
import type { RecordingLimits } from '../core/limits.ts';
import { validateRecordingParams, type RecordingParams } from '../core/recording-params.ts';

export type StartRefusal = 'invalid-body' | 'invalid-parameters' | 'namespace-busy' | 'cluster-busy';

export type StartDecision =
  { allowed: true; params: RecordingParams } | { allowed: false; reason: StartRefusal; error: FurnaceError };

export interface StartInput {
  namespace: string;
  /** The request body as received, or undefined when it was empty. */
  body: Buffer | undefined;
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

export function decideStart(input: StartInput): StartDecision {
  const { namespace, limits } = input;
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
    params = validateRecordingParams(body, limits);
  } catch (error) {
    return { allowed: false, reason: 'invalid-parameters', error: error as FurnaceError };
  }
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
  return { allowed: true, params };
}
