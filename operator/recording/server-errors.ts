// What a refusal from the Furnace server means for a Recording: a clear message about the pod, and whether
// trying again later can help (a sidecar not registered yet, a busy sidecar or namespace, a server hiccup).
import type { ErrorBody } from '../../core/contract/errors.ts';

/** An answer of the server other than 2xx, or no answer at all (status 0). */
export class ServerCallError extends Error {
  readonly status: number;
  readonly body: ErrorBody | undefined;

  constructor(status: number, body: ErrorBody | undefined, message: string) {
    super(message);
    this.name = 'ServerCallError';
    this.status = status;
    this.body = body;
  }
}

/** The server's 404: the recording or the pod is not (or no longer) there. */
export function isNotFound(error: unknown): boolean {
  return error instanceof ServerCallError && error.status === 404;
}

export interface StartFailure {
  message: string;
  retryable: boolean;
}

const BUSY_FIELDS = new Set(['maxConcurrentPerNamespace', 'maxConcurrentPerCluster']);

/** A failed start of a recording on `namespace/pod`, as the Recording's status tells it. */
export function describeStartFailure(namespace: string, pod: string, error: unknown): StartFailure {
  if (!(error instanceof ServerCallError)) {
    return { message: `the Furnace server could not be reached: ${String(error)}`, retryable: true };
  }
  return describeRetryable(namespace, pod, error) ?? describeRefusal(namespace, error);
}

/** Answers that may change: the sidecar not registered yet, a busy sidecar, namespace or cluster. */
function describeRetryable(namespace: string, pod: string, error: ServerCallError): StartFailure | undefined {
  const said = error.body?.message ?? error.message;
  const field = error.body?.details?.field;
  if (error.status === 404 && error.body?.code === 'ERR_NOT_REGISTERED')
    return {
      message: `pod ${namespace}/${pod} has no Furnace sidecar registered with the server (only pods created after their namespace and the pod opted in get one)`,
      retryable: true,
    };
  if (error.status === 400 && typeof field === 'string' && BUSY_FIELDS.has(field))
    return { message: `the server is busy: ${said}`, retryable: true };
  if (error.status === 409) return { message: `the sidecar is busy: ${said}`, retryable: true };
  return undefined;
}

function describeRefusal(namespace: string, error: ServerCallError): StartFailure {
  const said = error.body?.message ?? error.message;
  if (error.status === 400) return { message: `the server refused the recording: ${said}`, retryable: false };
  if (error.status === 401)
    return { message: `the server did not accept the operator's token: ${said}`, retryable: false };
  if (error.status === 403)
    return {
      message: `the operator may not record pods in namespace ${namespace} (forbidden: ${said})`,
      retryable: false,
    };
  return { message: `the server answered ${error.status || 'nothing'}: ${said}`, retryable: true };
}
