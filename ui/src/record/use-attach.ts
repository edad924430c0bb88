// A recording that already runs on the pod (started before a reload, in another tab, by the CLI, or the
// one a refused start names): the form takes it over, with its progress and Stop.
import { useEffect } from 'preact/hooks';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { apiPath, getJson } from '../api/client.ts';
import type { Target } from './pod-picker.tsx';

/** The recording of the list that is still recording or processing, if any. */
export function runningOf(recordings: readonly RecordingStatus[]): RecordingStatus | undefined {
  return recordings.find((r) => r.state === 'recording' || r.state === 'processing');
}

/** On the form's first show: the pod's running recording, if it has one, goes to `onStatus`. */
export function useAttachRunning(target: Target, onStatus: (status: RecordingStatus) => void): void {
  useEffect(() => {
    const controller = new AbortController();
    getJson<{ recordings: RecordingStatus[] }>(
      apiPath`/proxy/${target.namespace}/${target.pod}/recordings`,
      controller.signal,
    ).then(
      (list) => {
        const running = runningOf(list.recordings);
        if (running && !controller.signal.aborted) onStatus(running);
      },
      () => undefined, // nothing to take over; a start will say what is wrong
    );
    return () => controller.abort();
  }, [target.namespace, target.pod]);
}

/** The status of a recording the pod runs, by id (the one a refused start named). */
export function readRunning(target: Target, id: string): Promise<RecordingStatus> {
  return getJson<RecordingStatus>(apiPath`/proxy/${target.namespace}/${target.pod}/recordings/${id}`);
}
