// The rollout watch's metrics on the server's /metrics: read from the Recordings' status.watch, which the
// operator keeps, when Prometheus scrapes (one list of Recordings, reused for READ_EVERY_MS), so the operator
// and the server share nothing but the Kubernetes API (docs/rollout-watch.md, "Metrics").
import { Counter, Gauge, type Registry } from 'prom-client';
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { describeAnswer, type KubeRequest } from '../../kube/kube-request.ts';
import { watchSeries, type WatchSeries } from './watch-series.ts';

/** A list of Recordings is reused this long: several scrapers, or one that retries, list once. */
export const READ_EVERY_MS = 15_000;
export const RECORDINGS_PATH = `/apis/${API_GROUP_VERSION}/${RECORDING_PLURAL}`;

export interface WatchMetricsDeps {
  /** The `items` of a list of every namespace's Recordings. */
  listRecordings: () => Promise<readonly unknown[]>;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
}

/** Lists every namespace's Recordings with the server's credentials (`list` on recordings, furnace-server). */
export function recordingLister(request: KubeRequest): () => Promise<readonly unknown[]> {
  return async () => {
    const answer = await request({ method: 'GET', path: RECORDINGS_PATH });
    if (answer.status !== 200)
      throw new Error(`listing Recordings: ${describeAnswer(answer)} (GET ${RECORDINGS_PATH})`);
    const items = (answer.body as { items?: unknown } | null)?.items;
    return Array.isArray(items) ? (items as unknown[]) : [];
  };
}

const EMPTY: WatchSeries = { shares: [], flags: [], leftOut: 0 };

/** One read at a time, at most every READ_EVERY_MS; a failed read keeps the last series and says why in the log. */
function seriesReader(deps: WatchMetricsDeps): () => Promise<WatchSeries> {
  let last = EMPTY;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<WatchSeries> | undefined;
  return () => {
    if (deps.now() - readAt < READ_EVERY_MS) return Promise.resolve(last);
    reading ??= deps
      .listRecordings()
      .then((items) => {
        last = watchSeries(items);
        return last;
      })
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'rollout watch metrics: could not list Recordings');
        return last;
      })
      .finally(() => {
        readAt = deps.now();
        reading = undefined;
      });
    return reading;
  };
}

export function registerWatchMetrics(registry: Registry, deps: WatchMetricsDeps): void {
  const read = seriesReader(deps);
  new Gauge({
    name: 'furnace_watch_function_self_share_ratio',
    help: 'Self share (0..1) of each of the top changed functions of the latest comparison of a watching Recording, before and after the rollout',
    labelNames: ['namespace', 'recording', 'workload', 'function', 'direction', 'version'],
    registers: [registry],
    async collect() {
      const { shares } = await read();
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
      const { flags } = await read();
      this.reset();
      for (const { value, ...labels } of flags) this.inc(labels, value);
    },
  });
  new Gauge({
    name: 'furnace_watch_recordings_left_out',
    help: 'Watching Recordings without series: beyond the 200 the watch metrics keep (by namespace and name)',
    registers: [registry],
    async collect() {
      this.set((await read()).leftOut);
    },
  });
}
