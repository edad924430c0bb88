// The Recordings that watch workloads, as the server reads them: one cluster-wide list of Recordings,
// reused for READ_EVERY_MS, turned into the metrics' series and the index of verdicts the sinks label pushes
// with. The operator writes them (status.watch); the server only reads, so the two share only the API.
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { describeAnswer, type KubeRequest } from '../../kube/kube-request.ts';
import { watchSeries, type WatchSeries } from './watch-series.ts';
import { watchVerdicts, type VerdictIndex, type WatchVerdict } from './watch-verdicts.ts';

/** A list of Recordings is reused this long: several scrapers, or pushes that wait, list once. */
export const READ_EVERY_MS = 15_000;
export const RECORDINGS_PATH = `/apis/${API_GROUP_VERSION}/${RECORDING_PLURAL}`;

export interface WatchedRecordingsDeps {
  /** The `items` of a list of every namespace's Recordings. */
  listRecordings: () => Promise<readonly unknown[]>;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
}

export interface WatchedView {
  series: WatchSeries;
  verdicts: VerdictIndex;
}

export interface WatchedRecordings {
  /** The last list, or a new one when it is older than READ_EVERY_MS. */
  read(): Promise<WatchedView>;
  /** The watch's verdict on a catalog recording. */
  verdictOf(recordingId: string): Promise<WatchVerdict>;
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

const EMPTY: WatchedView = { series: { shares: [], flags: [], leftOut: 0 }, verdicts: new Map() };
const NONE: WatchVerdict = { state: 'none' };

/** One read at a time, at most every READ_EVERY_MS; a failed read keeps the last view and says why in the log. */
export function watchedRecordings(deps: WatchedRecordingsDeps): WatchedRecordings {
  let last = EMPTY;
  let readAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<WatchedView> | undefined;
  const read = (): Promise<WatchedView> => {
    if (deps.now() - readAt < READ_EVERY_MS) return Promise.resolve(last);
    reading ??= deps
      .listRecordings()
      .then((items) => {
        last = { series: watchSeries(items), verdicts: watchVerdicts(items) };
        return last;
      })
      .catch((error: unknown) => {
        deps.log.warn({ err: error }, 'rollout watch: could not list Recordings');
        return last;
      })
      .finally(() => {
        readAt = deps.now();
        reading = undefined;
      });
    return reading;
  };
  return { read, verdictOf: async (id) => (await read()).verdicts.get(id) ?? NONE };
}
