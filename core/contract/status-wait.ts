// A status read that waits for the recording's end: `GET /recordings/:id?waitSeconds=N` on a recorder (and
// through the server's proxy) answers as soon as the recording is done or failed, or after N seconds with the
// status as it is then. A client that finds a recording processed this way learns it when it happens instead
// of at its next poll. A recorder from before the parameter ignores it and answers at once, as a poll.
import { FurnaceError } from './errors.ts';

/** The query parameter's name. */
export const STATUS_WAIT_FIELD = 'waitSeconds';

/** The longest wait a recorder grants: well below the server proxy's default answer timeout (30 s). */
export const MAX_STATUS_WAIT_SECONDS = 20;

/** The query of `GET /recordings/:id`: the schema documents it, readStatusWait checks the range. */
export const statusQuerySchema = {
  type: 'object',
  properties: { [STATUS_WAIT_FIELD]: { type: 'string', maxLength: 12 } },
} as const;

/**
 * The wait a query asks for, in seconds; undefined for none. Anything but a whole number from 1 to
 * MAX_STATUS_WAIT_SECONDS is refused with a 400 naming the field, the value and the limit.
 */
export function readStatusWait(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = /^[0-9]{1,12}$/.test(value) ? Number(value) : Number.NaN;
  if (seconds >= 1 && seconds <= MAX_STATUS_WAIT_SECONDS) return seconds;
  const limit = `must be a whole number of seconds between 1 and ${MAX_STATUS_WAIT_SECONDS}`;
  throw new FurnaceError(
    'ERR_LIMIT_EXCEEDED',
    `${STATUS_WAIT_FIELD} ${JSON.stringify(value)} is out of range: ${limit}`,
    { field: STATUS_WAIT_FIELD, value, limit },
  );
}
