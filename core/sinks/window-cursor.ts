// Where a sink stands in the continuous windows, as the leader keeps it: a cursor (every agent window that
// starts before it is settled: pushed, failed for good, or dropped) and the keys settled at or after it.
// The cursor stays `grace` behind the clock, so a window that reaches the store late (an agent cut off
// from the server sends what it held when it is back) still starts after the cursor and is pushed; the
// keys remembered past the cursor keep every window from being pushed twice. A push that keeps failing
// holds the cursor at its window's start, so nothing after it is forgotten; the state's size is the
// windows of one grace period plus those of one batch, whatever the outage's length. Pure.

export interface WindowCursor {
  /** ms since the epoch: every window starting earlier is settled. */
  cursor: number;
  /** Keys of windows starting at or after the cursor that are settled. */
  settled: string[];
}

/** A listed window as the cursor needs it. */
export interface CursorWindow {
  key: string;
  namespace: string;
  start: number;
  /** A compacted window (60 s, 600 s); never pushed: its sources were. */
  resolution?: number;
}

/** A sink's first state: windows from `grace` before now on. */
export function startCursor(now: number, graceMs: number): WindowCursor {
  return { cursor: now - graceMs, settled: [] };
}

/** Agent windows of the sink's namespaces that start at or after the cursor and are not settled, oldest first. */
export function windowsDue<T extends CursorWindow>(
  state: WindowCursor,
  listed: readonly T[],
  takes: (namespace: string) => boolean,
): T[] {
  const settled = new Set(state.settled);
  return listed
    .filter(
      (w) =>
        w.resolution === undefined && w.start >= state.cursor && !settled.has(w.key) && takes(w.namespace),
    )
    .sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The state with these keys settled too. */
export function settle(state: WindowCursor, keys: readonly string[]): WindowCursor {
  const settled = new Set(state.settled);
  for (const key of keys) settled.add(key);
  return { cursor: state.cursor, settled: [...settled] };
}

/**
 * After a pass: the cursor moves to `grace` before now, or to the start of the oldest window still owed
 * (a push that will be tried again), whichever is earlier, and never back; settled keys before it are
 * forgotten (a window before the cursor is never looked at again). `startOf` reads a key's start.
 */
export function advance(
  state: WindowCursor,
  context: { now: number; graceMs: number; oldestOwed?: number; startOf: (key: string) => number },
): WindowCursor {
  const target = Math.min(context.now - context.graceMs, context.oldestOwed ?? Number.POSITIVE_INFINITY);
  const cursor = Math.max(state.cursor, target);
  return { cursor, settled: state.settled.filter((key) => context.startOf(key) >= cursor) };
}

/** Of windows removed from the store (compaction, retention), those still owed to the sink: drops. */
export function owedWindows<T extends CursorWindow>(
  state: WindowCursor,
  removed: readonly T[],
  takes: (namespace: string) => boolean,
): T[] {
  return windowsDue(state, removed, takes);
}

/** The state read back from its stored text; undefined when it is not one (the sink then starts afresh). */
export function parseCursor(text: string): WindowCursor | undefined {
  try {
    const value = JSON.parse(text) as Partial<WindowCursor> | null;
    if (
      typeof value === 'object' &&
      value !== null &&
      Number.isFinite(value.cursor) &&
      Array.isArray(value.settled) &&
      value.settled.every((key) => typeof key === 'string')
    )
      return { cursor: value.cursor as number, settled: value.settled };
  } catch {
    // Not JSON: a state written by something else.
  }
  return undefined;
}
