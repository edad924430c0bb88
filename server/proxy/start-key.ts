// A start's idempotency key: a client that retries a start (its answer was lost to a timeout, a replica
// that died, a dropped connection) sends the same `Idempotency-Key` header and gets the recording its
// first attempt started instead of "pod already runs recording X". The key is the caller's: it is kept
// hashed with the user name, so one user's key never answers another's start. A key is remembered while
// its recording runs (in this replica's memory, and on the pod's start slot with several replicas).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { MAX_START_KEY_LENGTH, START_KEY_HEADER, START_KEY_PATTERN } from '../../core/contract/start-key.ts';
import type { ProxyDeps } from './proxy-context.ts';
import type { ReplayedStart } from './start-admission.ts';

export { START_KEY_HEADER };
/** Answered on a start that found the recording of its key already running. */
export const REPLAYED_HEADER = 'idempotent-replayed';
const MAX_KEY_LENGTH = MAX_START_KEY_LENGTH;
const KEY_PATTERN = START_KEY_PATTERN;

/** The caller's key, hashed with its user name; undefined without the header; a 400 naming it when malformed. */
export function startKeyOf(header: string | string[] | undefined, user: string): string | undefined {
  if (header === undefined) return undefined;
  const key = Array.isArray(header) ? header.join(',') : header;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !KEY_PATTERN.test(key))
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `header Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters of letters, digits and ._:/+=-`,
      { field: 'Idempotency-Key', limit: MAX_KEY_LENGTH },
    );
  return createHash('sha256').update(`${user}\n${key}`).digest('hex').slice(0, 40);
}

/**
 * Answers a replayed start as the first attempt was answered (201, the recorder's answer as kept, with
 * the header saying it is a replay), or with the catalog's entry; with neither (an answer too large to
 * keep, on a replica that did not see it), 409 naming the recording.
 */
export function answerReplayedStart(
  deps: Pick<ProxyDeps, 'recordingOf'>,
  request: FastifyRequest,
  reply: FastifyReply,
  { replay: id, answer }: ReplayedStart,
): FastifyReply {
  const { namespace, pod } = request.params as { namespace: string; pod: string };
  if (answer !== undefined)
    return reply.code(201).header(REPLAYED_HEADER, 'true').type('application/json').send(answer);
  const entry = deps.recordingOf(id);
  if (!entry || entry.namespace !== namespace || entry.pod !== pod)
    throw new FurnaceError(
      'ERR_RECORDING_RUNNING',
      `pod ${namespace}/${pod} already runs recording ${id}, which this Idempotency-Key started; the catalog does not list it yet: ask again in a moment`,
      { namespace, pod, recording: id },
    );
  return reply.code(201).header(REPLAYED_HEADER, 'true').send(entry);
}
