// When perf record has started, in two senses. Writing: perf has begun perf.data, so it has set its SIGINT
// handler and a SIGINT makes it finish the file rather than kill it. On: its events are on, and the
// duration counts from then. perf 6.1 writes perf.data's header before it synthesizes its targets' mappings
// and turns its events on, which on a loaded node takes seconds; it acknowledges a control command only
// from its main loop, once the events are on. So the events are on at perf's first ack: of a `ping`
// written as soon as perf has opened its control FIFO, or, for a perf started with its events off, of the
// `enable` written at `enableAt`. Without the FIFOs, the events count as on at perf's first bytes; when no
// ack comes within the grace, at its end.
import type { LoopTimers } from '../../host/runtime.ts';
import { removeFifos, type OpenPerfControl, type PerfControl } from './perf-control.ts';
import type { PerfFifos } from './perf-record-command.ts';

/**
 * How often perf.data is looked at until perf has written its header, ms (a stat every 10 ms for the
 * 0.1–0.5 s perf takes to start).
 */
const STARTUP_POLL_MS = 10;
/** Node's timers take at most 2^31 - 1 ms; a later instant is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface PerfStartDeps {
  timers: LoopTimers;
  fileSize(path: string): Promise<number>;
  openControl: OpenPerfControl;
}

export interface PerfStartPlan {
  outputFile: string;
  /** perf's FIFOs, when it was started with them. */
  fifos: PerfFifos | undefined;
  /** perf was started with its events off, to be enabled at this instant (epoch ms, by `timers`). */
  enableAt: number | undefined;
  /** How long after its start (or after enableAt) perf may take to turn its events on, ms. */
  graceMs: number;
}

/** How the events were found on: perf's ack, its first bytes (no FIFOs), or the grace's end. */
export type EventsOnBy = 'ack' | 'first-bytes' | 'grace';

export interface PerfStart {
  /** Runs `then` once perf is writing perf.data, or after `maxMs` if it never starts to. */
  whenWriting(maxMs: number, then: () => void): void;
  /** Runs `then` once perf's events are on (or the grace is over). */
  whenOn(then: (by: EventsOnBy) => void): void;
  /** perf's control FIFO, once open. */
  control(): PerfControl | undefined;
  /** When perf's events went on, epoch ms; undefined when perf ends before they do. */
  enabled: Promise<number | undefined>;
  /** Closes perf's FIFOs and removes them. */
  close(): Promise<void>;
}

type Timers = Pick<PerfStartDeps, 'timers'> & { handles: unknown[] };

/** Runs `then` at `instant` (epoch ms), at once when it has passed. */
function at({ timers, handles }: Timers, instant: number, then: () => void): void {
  const left = instant - timers.now();
  if (left <= 0) return then();
  handles.push(timers.setTimeout(() => at({ timers, handles }, instant, then), Math.min(left, MAX_TIMER_MS)));
}

/** Watches perf.data for perf's first bytes. */
function watchWriting(
  deps: PerfStartDeps & Timers,
  outputFile: string,
  active: () => boolean,
): Pick<PerfStart, 'whenWriting'> {
  let writing = false;
  const waiters: (() => void)[] = [];
  const look = (): void => {
    if (!active() || writing) return;
    void deps.fileSize(outputFile).then((bytes) => {
      if (writing) return;
      if (bytes === 0) return void deps.handles.push(deps.timers.setTimeout(look, STARTUP_POLL_MS));
      writing = true;
      for (const waiter of waiters.splice(0)) waiter();
    });
  };
  look();
  return {
    whenWriting(maxMs, then) {
      if (writing) return then();
      let ran = false;
      const once = (): void => {
        if (ran) return;
        ran = true;
        then();
      };
      waiters.push(once);
      if (maxMs !== Infinity) deps.handles.push(deps.timers.setTimeout(once, maxMs));
    },
  };
}

/**
 * Opens perf's FIFOs as soon as perf has (tried every STARTUP_POLL_MS until then), and writes `ping` at
 * once, or `enable` at enableAt; `acked` on perf's first ack.
 */
function commandPerf(
  deps: PerfStartDeps & Timers,
  plan: PerfStartPlan & { fifos: PerfFifos },
  active: () => boolean,
  acked: () => void,
): { control(): PerfControl | undefined; close(): Promise<void> } {
  const { fifos } = plan;
  let control: PerfControl | undefined;
  let closed = false;
  let opening: Promise<unknown> = Promise.resolve();
  let heard = false;
  const onAck = (): void => {
    if (!heard) acked();
    heard = true;
  };
  const command = (opened: PerfControl): void => {
    control = opened;
    if (plan.enableAt === undefined) return void opened.send('ping');
    at(deps, plan.enableAt, () => void (active() && opened.send('enable')));
  };
  const tryOpen = (): void => {
    if (closed || !active()) return;
    opening = deps.openControl(fifos, onAck).then((opened) => {
      if (opened === undefined)
        return void deps.handles.push(deps.timers.setTimeout(tryOpen, STARTUP_POLL_MS));
      if (closed) return opened.close();
      command(opened);
    });
  };
  tryOpen();
  return {
    control: () => control,
    async close() {
      closed = true;
      await opening;
      await control?.close();
      await removeFifos(fifos);
    },
  };
}

/** Watches perf's start as `plan` says; timers go into `handles`, and nothing runs once `active` is false. */
export function watchPerfStart(
  deps: PerfStartDeps,
  plan: PerfStartPlan,
  handles: unknown[],
  active: () => boolean,
): PerfStart {
  const scheduled = { ...deps, handles };
  let by: EventsOnBy | undefined;
  const waiters: ((by: EventsOnBy) => void)[] = [];
  let enabled = (_at: number | undefined): void => {};
  const enabledAt = new Promise<number | undefined>((resolve) => (enabled = resolve));
  const turnOn = (how: EventsOnBy): void => {
    if (how !== 'grace') enabled(deps.timers.now());
    if (by !== undefined || !active()) return;
    by = how;
    for (const waiter of waiters.splice(0)) waiter(how);
  };
  const writing = watchWriting(scheduled, plan.outputFile, active);
  const fifos = plan.fifos;
  // Without its FIFOs, perf's events are on once it writes perf.data (less its maps' synthesis).
  if (fifos === undefined) writing.whenWriting(Infinity, () => turnOn('first-bytes'));
  const commands =
    fifos === undefined ? undefined : commandPerf(scheduled, { ...plan, fifos }, active, () => turnOn('ack'));
  at(scheduled, Math.max(deps.timers.now(), plan.enableAt ?? 0) + plan.graceMs, () => turnOn('grace'));
  return {
    whenWriting: writing.whenWriting,
    whenOn(then) {
      if (by !== undefined) return then(by);
      waiters.push(then);
    },
    control: () => commands?.control(),
    enabled: enabledAt,
    async close() {
      enabled(undefined);
      await commands?.close();
    },
  };
}

/** What a recording that was to start at `enableAt` lacks, in words; undefined when its events went on. */
function enableWarning(enableAt: number | undefined, controlled: boolean, enabledAt: number | undefined) {
  if (enableAt === undefined) return undefined;
  const instant = new Date(enableAt).toISOString();
  if (!controlled)
    return `perf could not be started with its events off (no setpriv or /bin/sh to make its control FIFO): it recorded from its start, not from ${instant}`;
  if (enabledAt !== undefined) return undefined;
  return `perf's events never went on (they were to at ${instant}): the recording ended before perf acknowledged its enable, so it holds no samples`;
}

/** A usable result of perf with what enableWarning says added to its warning. */
export function withEnableWarning<R extends { ok: boolean; warning?: string }>(
  result: R,
  enableAt: number | undefined,
  controlled: boolean,
  enabledAt: number | undefined,
): R {
  const unenabled = enableWarning(enableAt, controlled, enabledAt);
  if (!result.ok || unenabled === undefined) return result;
  return { ...result, warning: result.warning === undefined ? unenabled : `${result.warning}; ${unenabled}` };
}
