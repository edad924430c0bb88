// The rollout watch's metrics on the server's /metrics, from the watching Recordings' status as the server
// last listed them (watched-recordings.ts), when Prometheus scrapes (docs/rollout-watch.md, "Metrics").
import { Counter, Gauge, type Registry } from 'prom-client';
import type { WatchedRecordings } from './watched-recordings.ts';

export function registerWatchMetrics(registry: Registry, watched: WatchedRecordings): void {
  const series = async () => (await watched.read()).series;
  new Gauge({
    name: 'furnace_watch_function_self_share_ratio',
    help: 'Self share (0..1) of each of the top changed functions of the latest comparison of a watching Recording, before and after the rollout',
    labelNames: ['namespace', 'recording', 'workload', 'function', 'direction', 'version'],
    registers: [registry],
    async collect() {
      const { shares } = await series();
      this.reset();
      for (const { value, ...labels } of shares) this.set(labels, value);
    },
  });
  new Counter({
    name: 'furnace_watch_flags_total',
    help: 'Comparisons a watching Recording flagged since it was created, by verdict (its status.watch.flags)',
    labelNames: ['namespace', 'recording', 'workload', 'verdict'],
    registers: [registry],
    async collect() {
      const { flags } = await series();
      this.reset();
      for (const { value, ...labels } of flags) this.inc(labels, value);
    },
  });
  new Gauge({
    name: 'furnace_watch_recordings_left_out',
    help: 'Watching Recordings without series: beyond the 200 the watch metrics keep (by namespace and name)',
    registers: [registry],
    async collect() {
      this.set((await series()).leftOut);
    },
  });
}
