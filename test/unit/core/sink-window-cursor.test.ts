// A continuous sink's cursor (core/sinks/window-cursor.ts): which windows are due, how the cursor moves,
// and what a restart, a late window and a compaction do to it. Every window is pushed once: a settled key
// is never due again, before or after the state is written and read back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advance,
  owedWindows,
  parseCursor,
  settle,
  startCursor,
  windowsDue,
  type CursorWindow,
  type WindowCursor,
} from '../../../core/sinks/window-cursor.ts';

const T0 = Date.UTC(2026, 10, 24, 10, 0, 0);
const GRACE = 600_000;
const all = (): boolean => true;

function w(pod: string, start: number, extra: Partial<CursorWindow> = {}): CursorWindow {
  return { key: `shop/x/${start}~${pod}`, namespace: 'shop', start, ...extra };
}
const startOf = (key: string): number => Number(/\/(\d+)~/.exec(key)?.[1]);
const keys = (windows: readonly CursorWindow[]): string[] => windows.map((x) => x.key);

/** Pushes everything due and advances, as one pass that the sink accepts does. */
function pass(
  state: WindowCursor,
  listed: CursorWindow[],
  now: number,
): { state: WindowCursor; pushed: string[] } {
  const pushed = keys(windowsDue(state, listed, all));
  return { state: advance(settle(state, pushed), { now, graceMs: GRACE, startOf }), pushed };
}

describe('a continuous sink’s cursor', () => {
  it('starts a grace period back, and pushes windows in start order, each once', () => {
    const state = startCursor(T0, GRACE);
    assert.equal(state.cursor, T0 - GRACE);
    const listed = [w('b', T0 - 15_000), w('a', T0 - 15_000), w('a', T0 - 30_000), w('old', T0 - GRACE - 1)];
    const first = pass(state, listed, T0);
    assert.deepEqual(first.pushed, [
      `shop/x/${T0 - 30_000}~a`,
      `shop/x/${T0 - 15_000}~a`,
      `shop/x/${T0 - 15_000}~b`,
    ]);
    assert.deepEqual(pass(first.state, listed, T0 + 5000).pushed, [], 'none twice');
  });

  it('still pushes a window that reaches the store late, within the grace period', () => {
    let state = startCursor(T0, GRACE);
    const listed = [w('a', T0)];
    ({ state } = pass(state, listed, T0 + 15_000));
    // An agent cut off for 8 windows sends the one it held two minutes after it ended.
    const late = w('b', T0);
    listed.push(late, w('a', T0 + 120_000));
    const second = pass(state, listed, T0 + 135_000);
    assert.deepEqual(second.pushed, [late.key, `shop/x/${T0 + 120_000}~a`]);
    assert.ok(second.state.cursor <= late.start, 'the cursor stays a grace period behind');
  });

  it('survives a restart: the stored state, read back, pushes nothing twice and forgets nothing', () => {
    let state = startCursor(T0, GRACE);
    const listed = [w('a', T0), w('b', T0), w('a', T0 + 15_000)];
    // The first batch was pushed and written; the leader then died before the next one.
    state = settle(state, [listed[0]?.key ?? '']);
    const restarted = parseCursor(JSON.stringify(state));
    assert.deepEqual(restarted, state);
    assert.deepEqual(keys(windowsDue(restarted ?? assert.fail(), listed, all)), [
      listed[1]?.key,
      listed[2]?.key,
    ]);
    assert.equal(parseCursor('{"cursor":"x"}'), undefined);
    assert.equal(parseCursor('not json'), undefined);
  });

  it('holds at the oldest window owed while the sink is down, never moves back, and stays small', () => {
    let state = startCursor(T0, GRACE);
    const listed = Array.from({ length: 40 }, (_, i) => w('a', T0 + i * 15_000));
    // Down: the first push fails and is owed; nothing after it is tried.
    for (let minute = 1; minute <= 120; minute++)
      state = advance(state, { now: T0 + minute * 60_000, graceMs: GRACE, oldestOwed: T0, startOf });
    assert.equal(state.cursor, T0, 'held at the owed window for two hours');
    assert.deepEqual(keys(windowsDue(state, listed, all)).length, 40, 'every window still due');
    // Back: all pushed; the cursor catches up and the settled keys behind it are forgotten.
    const back = pass(state, listed, T0 + 3 * 3_600_000);
    assert.equal(back.pushed.length, 40);
    assert.equal(back.state.cursor, T0 + 3 * 3_600_000 - GRACE);
    assert.deepEqual(back.state.settled, [], 'nothing remembered behind the cursor');
    const earlier = advance(back.state, { now: T0, graceMs: GRACE, startOf });
    assert.equal(earlier.cursor, back.state.cursor, 'a clock step back does not move it back');
  });

  it('never pushes compacted windows or other namespaces’ windows', () => {
    const state = startCursor(T0, GRACE);
    const listed = [w('a', T0, { resolution: 60 }), w('b', T0, { namespace: 'other' }), w('c', T0)];
    assert.deepEqual(keys(windowsDue(state, listed, (ns) => ns === 'shop')), [`shop/x/${T0}~c`]);
  });

  it('counts as dropped the windows compaction removes before they were pushed, and only those', () => {
    let state = startCursor(T0, GRACE);
    const pushed = w('a', T0);
    state = settle(state, [pushed.key]);
    const removed = [
      pushed,
      w('b', T0),
      w('c', T0 - GRACE - 1), // behind the cursor: settled long ago
      w('d', T0, { resolution: 60 }), // a coarse window merged again
      w('e', T0, { namespace: 'other' }),
    ];
    assert.deepEqual(keys(owedWindows(state, removed, (ns) => ns === 'shop')), [`shop/x/${T0}~b`]);
  });
});
