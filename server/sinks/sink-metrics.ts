// Prometheus metrics of the sinks: pushes by sink and outcome, and the queue's size.
import { Counter, Gauge, type Registry } from 'prom-client';

export type PushResult = 'delivered' | 'retried' | 'failed';

export interface SinkMetrics {
  pushed(sink: string, result: PushResult): void;
  /** The queue's size is read when Prometheus scrapes. */
  watchQueue(size: () => number): void;
}

/** Counts nothing: a delivery loop built without a metrics registry (tests). */
export const NO_SINK_METRICS: SinkMetrics = { pushed: () => undefined, watchQueue: () => undefined };

export function createSinkMetrics(registry: Registry, sinkNames: readonly string[]): SinkMetrics {
  const pushes = new Counter({
    name: 'furnace_sink_pushes_total',
    help: 'Pushes of finished recordings to sinks, by sink and result (delivered; retried: failed, tried again later; failed: given up)',
    labelNames: ['sink', 'result'],
    registers: [registry],
  });
  // Every series from the start, so a rate() of failures is 0 rather than absent.
  for (const sink of sinkNames)
    for (const result of ['delivered', 'retried', 'failed'] as const) pushes.inc({ sink, result }, 0);
  let size = (): number => 0;
  new Gauge({
    name: 'furnace_sink_queue_size',
    help: 'Pushes waiting in the delivery queue',
    registers: [registry],
    collect() {
      this.set(size());
    },
  });
  return {
    pushed: (sink, result) => pushes.inc({ sink, result }),
    watchQueue(read) {
      size = read;
    },
  };
}
