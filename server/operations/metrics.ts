// Prometheus metrics of the server, on a Registry the webhook registers its counters on too.
import { Gauge, Histogram, Registry } from 'prom-client';
import { RECORDING_STATES } from '../../core/contract/recording.ts';

export interface MetricsSources {
  registeredSidecars: () => number;
  /** Recordings known to the server, by state. */
  recordingsByState: () => Record<string, number>;
}

export interface ServerMetrics {
  registry: Registry;
  proxyLatency: Histogram<'method' | 'status'>;
}

export function createMetricsRegistry(): Registry {
  return new Registry();
}

export function createServerMetrics(registry: Registry, sources: MetricsSources): ServerMetrics {
  new Gauge({
    name: 'furnace_registered_sidecars',
    help: 'Sidecars with a live registration lease',
    registers: [registry],
    collect() {
      this.set(sources.registeredSidecars());
    },
  });
  new Gauge({
    name: 'furnace_recordings',
    help: 'Recordings known to the server, by phase',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const counts = sources.recordingsByState();
      for (const state of RECORDING_STATES) this.set({ phase: state }, counts[state] ?? 0);
    },
  });
  const proxyLatency = new Histogram({
    name: 'furnace_proxy_request_duration_seconds',
    help: 'Time from a proxied request to the sidecar answer headers',
    labelNames: ['method', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return { registry, proxyLatency };
}
