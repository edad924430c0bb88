// Continuous windows to the sinks that ask for them (`continuous: true`): one SinkWindows per such sink
// (sink-windows.ts), a pass every few seconds on the leader only, the sinks side by side so a slow one
// holds up no other. Nothing waits on it: windows are stored whether a sink answers or not, and a sink
// that is down costs its state's few keys, never a queue of windows (they stay in the store, which
// compaction and retention keep bounded; what they remove before it was pushed is counted as dropped).
import type { PushOutcome } from '../../core/sinks/delivery.ts';
import type { PushRequest } from '../../core/sinks/push-request.ts';
import type { SinkConfig, SinkDeliverySettings } from '../../core/sinks/sink.ts';
import type { WindowCursor } from '../../core/sinks/window-cursor.ts';
import type { RemovalListener } from '../continuous/removal-watch.ts';
import type { WindowStore } from '../continuous/window-store.ts';
import type { OpenBody } from './push-http.ts';
import { SinkWindows } from './sink-windows.ts';
import { NO_WINDOW_SINK_METRICS, type WindowSinkMetrics } from './window-metrics.ts';

export interface WindowExportDeps {
  sinks: readonly SinkConfig[];
  settings: SinkDeliverySettings;
  windows: WindowStore;
  /** Subscribes to removals of windows (continuous-mode.ts), to count drops. */
  onWindowsRemoved?: (listener: RemovalListener) => () => void;
  frequency: number;
  send: (sink: SinkConfig, push: PushRequest, openBody: OpenBody) => Promise<PushOutcome>;
  now: () => number;
  random?: () => number;
  log?: { info(msg: string): void; warn(msg: string): void };
  metrics?: WindowSinkMetrics;
  /** Several replicas: only the leader pushes windows. True when unset. */
  isLeader?: () => boolean;
  /** Between two passes; 5 s by default. */
  everyMs?: number;
  /** Windows per batch; 32 by default. */
  batch?: number;
}

export interface WindowExport {
  /** Runs one pass of every sink now (tests; a pass in progress is waited for first). */
  passNow(): Promise<void>;
  /** The state of a sink as this replica holds it. */
  state(sink: string): WindowCursor | undefined;
  stop(): Promise<void>;
}

export const WINDOW_EXPORT_EVERY_MS = 5000;

/** Starts the export when a sink takes windows; undefined otherwise. */
/** The deps with what a caller may leave out filled in once: no log, no metrics, one replica. */
type FilledDeps = Required<WindowExportDeps>;

const QUIET = { info: () => undefined, warn: () => undefined };

function filled(deps: WindowExportDeps): FilledDeps {
  const { random = Math.random, log = QUIET, metrics = NO_WINDOW_SINK_METRICS, isLeader = () => true } = deps;
  // Without continuous mode's removals nothing is removed under the export: nothing to count.
  const { everyMs = WINDOW_EXPORT_EVERY_MS, batch = 32, onWindowsRemoved = () => () => undefined } = deps;
  return { ...deps, random, log, metrics, isLeader, everyMs, batch, onWindowsRemoved };
}

export function startWindowExport(given: WindowExportDeps): WindowExport | undefined {
  const deps = filled(given);
  const chosen = deps.sinks.filter((s) => s.continuous);
  if (chosen.length === 0) return undefined;
  const leads = deps.isLeader;
  const sinks = chosen.map(
    (sink) =>
      new SinkWindows({
        sink,
        settings: deps.settings,
        windows: deps.windows,
        frequency: deps.frequency,
        send: deps.send,
        now: deps.now,
        random: deps.random,
        leads,
        batch: deps.batch,
        log: deps.log,
        metrics: deps.metrics,
      }),
  );
  deps.metrics.watch(() => sinks.map((s) => s.gauges(deps.now())));
  const unsubscribe = deps.onWindowsRemoved((keys) => sinks.forEach((s) => s.removing(keys)));
  return runPasses(sinks, deps, unsubscribe);
}

function runPasses(sinks: SinkWindows[], deps: FilledDeps, unsubscribe: () => void): WindowExport {
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const passOnce = (): Promise<void> => {
    running = running.then(() =>
      Promise.all(
        sinks.map((s) =>
          s
            .pass()
            .catch((error: unknown) =>
              deps.log.warn(`sink ${s.name}: a window pass failed: ${String(error)}`),
            ),
        ),
      ).then(() => undefined),
    );
    return running;
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void passOnce().finally(schedule), deps.everyMs);
    timer.unref();
  };
  schedule();
  return {
    passNow: passOnce,
    state: (name) => sinks.find((s) => s.name === name)?.state(),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      await running;
    },
  };
}
