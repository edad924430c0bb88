// What a reconcile cannot fix by trying again: the object's spec asks for something invalid (the API
// server refuses what it plans with 422 Invalid, or a controller finds the spec itself wrong). Such an
// error becomes a status condition and the key is not retried; a change of the object queues it again.
import { KubeRequestError } from '../kube/kube-request.ts';

export class TerminalError extends Error {
  /** The condition's reason, e.g. `InvalidSpec`. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = 'TerminalError';
    this.reason = reason;
  }
}

/** The error as a terminal one when retrying cannot help; undefined when it may (network, 409, 5xx). */
export function terminalOf(error: unknown): TerminalError | undefined {
  if (error instanceof TerminalError) return error;
  if (error instanceof KubeRequestError && error.code === 422)
    return new TerminalError(
      'InvalidSpec',
      `the API server refused what the spec asks for: ${error.message}`,
    );
  return undefined;
}
