// Prometheus metrics of the continuous sinks: window pushes by sink and result, windows dropped (removed
// by compaction or retention before they were pushed), how far each sink's cursor is behind the clock,
// and how many pushed keys its state remembers (its size).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PushResult } from './sink-metrics.ts';

export interface WindowSinkMetrics {
  pushed(sink: string, result: PushResult): void;
  dropped(sink: string, count: number): void;
  /** Read when Prometheus scrapes: the cursor's lag (s) and the keys remembered, per sink. */
  watch(read: () => { sink: string; lagSeconds: number; keys: number }[]): void;
}

/** Counts nothing: a window export built without a metrics registry (tests). */
export const NO_WINDOW_SINK_METRICS: WindowSinkMetrics = {
  pushed: () => undefined,
  dropped: () => undefined,
  watch: () => undefined,
};

export function createWindowSinkMetrics(registry: Registry, sinkNames: readonly string[]): WindowSinkMetrics {
  const registers = [registry];
  const pushes = new Counter({
    name: 'furnace_sink_window_pushes_total',
    help: 'Pushes of continuous profiling windows to sinks, by sink and result (delivered; retried: failed, tried again later; failed: given up)',
    labelNames: ['sink', 'result'],
    registers,
  });
  const dropped = new Counter({
    name: 'furnace_sink_windows_dropped_total',
    help: 'Continuous profiling windows a sink never received: removed by compaction or retention before they could be pushed',
    labelNames: ['sink'],
    registers,
  });
  for (const sink of sinkNames) {
    for (const result of ['delivered', 'retried', 'failed'] as const) pushes.inc({ sink, result }, 0);
    dropped.inc({ sink }, 0);
  }
  let read: () => { sink: string; lagSeconds: number; keys: number }[] = () => [];
  new Gauge({
    name: 'furnace_sink_window_lag_seconds',
    help: "How far a continuous sink's cursor is behind the clock: windows starting earlier are settled",
    labelNames: ['sink'],
    registers,
    collect() {
      for (const s of read()) this.set({ sink: s.sink }, s.lagSeconds);
    },
  });
  new Gauge({
    name: 'furnace_sink_window_state_keys',
    help: "Keys of pushed windows a continuous sink's state remembers (those past its cursor)",
    labelNames: ['sink'],
    registers,
    collect() {
      for (const s of read()) this.set({ sink: s.sink }, s.keys);
    },
  });
  return {
    pushed: (sink, result) => pushes.inc({ sink, result }),
    dropped: (sink, count) => dropped.inc({ sink }, count),
    watch(reader) {
      read = reader;
    },
  };
}
