// A start's idempotency key on the wire. A client may send `Idempotency-Key` with a start through the
// server; the server sends the recorder the same header, its value the key hashed with the user
// (server/proxy/start-key.ts), and the recorder answers a start whose key it has seen with the recording
// that key started instead of starting another or refusing as busy. So a start retried through another
// replica after the first replica died mid-start gets the recording the first attempt began.
export const START_KEY_HEADER = 'idempotency-key';

/** What the recorder accepts as a key: the server's hash (40 hex digits), or a caller's own up to this length. */
export const MAX_START_KEY_LENGTH = 128;
export const START_KEY_PATTERN = /^[A-Za-z0-9._:/+=-]+$/;

/** The header's value when it is a usable key; undefined when absent or malformed (a recorder then starts as without one). */
export function recorderStartKey(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return header.length > 0 && header.length <= MAX_START_KEY_LENGTH && START_KEY_PATTERN.test(header)
    ? header
    : undefined;
}
