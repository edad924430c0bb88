// The processes a start request must not choose because they are the request itself. A pattern that no
// process name matches falls back to full command lines (`pgrep -f`), and the client that sent the
// request (`curl -d '{"processPattern":"my-server"}'`, a script, `furnace record`) carries the pattern in
// its own arguments. Pure: the process's start time and the request's arrival come in.

/** How long before the request a client may have started: process start, TLS, the server's proxy. */
export const ECHO_WINDOW_MS = 5000;

export interface Timed {
  /** When the process started, ms since the epoch (undefined when /proc did not say). */
  startedAtMs?: number;
  cmdline: string;
}

/**
 * How far a start time from /proc may be off: kernel ticks and /proc/uptime both count in hundredths of
 * a second, and the two reads are a moment apart.
 */
export const START_TIME_SLACK_MS = 50;

/** True for a process that started after the request arrived: it cannot be what the caller meant. */
export function startedAfterRequest(process: Timed, requestedAtMs: number | undefined): boolean {
  if (requestedAtMs === undefined || process.startedAtMs === undefined) return false;
  return process.startedAtMs > requestedAtMs + START_TIME_SLACK_MS;
}

/** The pattern as a command line can hold it: as written, and escaped inside a JSON body. */
function spellingsOf(pattern: string): string[] {
  return [...new Set([pattern, JSON.stringify(pattern).slice(1, -1)])];
}

/**
 * True for the request's own client, as far as a process table can tell: it started at most
 * ECHO_WINDOW_MS before the request arrived, and its command line holds the pattern's text. Both must
 * hold, so an app started a moment ago is still matched by its command line unless it spells out the
 * pattern itself (then the caller is told to wait a few seconds or give its pid).
 */
export function isRequestEcho(process: Timed, pattern: string, requestedAtMs: number | undefined): boolean {
  if (requestedAtMs === undefined || process.startedAtMs === undefined) return false;
  if (process.startedAtMs < requestedAtMs - ECHO_WINDOW_MS) return false;
  return spellingsOf(pattern).some((spelling) => process.cmdline.includes(spelling));
}
