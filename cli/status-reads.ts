// How `furnace record` and the assistant's record tool follow a recording to its end: status reads through
// the verbs' FurnaceApi that wait on the recorder (`?waitSeconds=N`, core/contract/status-wait.ts) and the
// shared loop that picks each wait and falls back to polling (core/contract/status-follow.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordingStatus } from '../core/contract/recording.ts';
import {
  followToEnd,
  STATUS_WAIT_GRACE_MS,
  type FollowClock,
  type StatusReads,
} from '../core/contract/status-follow.ts';
import { STATUS_WAIT_FIELD } from '../core/contract/status-wait.ts';
import { ApiError, errorMessage, readAll, type FurnaceApi } from './kube-api.ts';

/** The answer's JSON, checked by the caller (`parse` throws on a status that breaks the contract). */
export type StatusParser = (raw: unknown) => RecordingStatus;

/** The real clock. */
export const SYSTEM_CLOCK: FollowClock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** One recording's status reads at `path` (aggregated: `…/pods/<pod>/recordings/<id>`). */
export function statusReads(
  api: FurnaceApi,
  path: string,
  parse: StatusParser,
): StatusReads<RecordingStatus> {
  return {
    poll: async () => parse(await api.json<unknown>('GET', path)),
    async wait(seconds) {
      const query = new URLSearchParams({ [STATUS_WAIT_FIELD]: String(seconds) });
      const timeoutMs = seconds * 1000 + STATUS_WAIT_GRACE_MS;
      const answer = await api.send('GET', `${path}?${query.toString()}`, { timeoutMs });
      const text = (await readAll(answer)).toString('utf8');
      const status = answer.statusCode ?? 0;
      if (status < 200 || status > 299) throw new ApiError(status, errorMessage(status, text));
      return parse(JSON.parse(text));
    },
    isNotFound: (error) => error instanceof ApiError && error.status === 404,
  };
}

export interface Follow {
  api: FurnaceApi;
  /** The recording's path (aggregated). */
  path: string;
  parse: StatusParser;
  /** When the start was answered, on `clock`, and the duration it asked for: when recording should stop. */
  startedAt: number;
  durationSeconds: number;
  clock?: FollowClock;
  onStatus?: (status: RecordingStatus) => void | Promise<void>;
  fellBack?: (error: unknown) => void;
}

/** The recording's status once it is done or failed; each status before that goes to `onStatus`. */
export function followRecording(started: RecordingStatus, follow: Follow): Promise<RecordingStatus> {
  const endsAt = follow.startedAt + follow.durationSeconds * 1000;
  return followToEnd(started, {
    reads: statusReads(follow.api, follow.path, follow.parse),
    clock: follow.clock ?? SYSTEM_CLOCK,
    endsAt,
    ...(follow.onStatus ? { onStatus: follow.onStatus } : {}),
    ...(follow.fellBack ? { fellBack: follow.fellBack } : {}),
  });
}
