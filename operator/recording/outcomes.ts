// What the reconciler learned from the server (a poll, a start, a summary), folded into the status. Pure.
import { mergedLinks, recordingLinks } from './links.ts';
import type { SinkDeliveryView } from '../../core/crd/resources.ts';
import type { PodResult, RecordingStatus, TopFunction } from './recording-types.ts';

/** A sidecar's answer about one recording, or the catalog's when the pod is gone. */
export interface Polled {
  kind: 'polled';
  pod: string;
  recordingId: string;
  state: 'recording' | 'processing' | 'done' | 'failed';
  samples?: number;
  message?: string;
}

export interface Started {
  kind: 'started';
  pod: string;
  recordingId: string;
}

/** A start the server refused; `retryable` ones (busy, not registered yet) are tried again until a deadline. */
export interface Refused {
  kind: 'refused';
  pod: string;
  message: string;
  retryable: boolean;
}

export interface Summarized {
  kind: 'summarized';
  samples: number;
  topFunctions: TopFunction[];
}

/** A finished recording whose folded stacks are not in the catalog (its upload failed). */
export interface SummaryFailed {
  kind: 'summary-failed';
  pod: string;
  message: string;
}

/** The catalog entry's pushes of a pod's recording to sinks, as they stand. */
export interface Delivered {
  kind: 'deliveries';
  pod: string;
  recordingId: string;
  deliveries: SinkDeliveryView[];
}

export type Outcome = Polled | Started | Refused | Summarized | SummaryFailed | Delivered;

function updatePod(
  status: RecordingStatus,
  pod: string,
  change: (result: PodResult) => PodResult,
): RecordingStatus {
  const results = (status.results ?? []).map((result) => (result.pod === pod ? change(result) : result));
  return { ...status, results };
}

function withoutMessage(result: PodResult): PodResult {
  const copy = { ...result };
  delete copy.message;
  return copy;
}

/** The status with one outcome applied; an outcome about a pod not in the run changes nothing. */
export function applyOutcome(status: RecordingStatus, outcome: Outcome): RecordingStatus {
  switch (outcome.kind) {
    case 'started':
      return updatePod(status, outcome.pod, (result) => ({
        ...withoutMessage(result),
        recordingId: outcome.recordingId,
        state: 'recording',
        links: recordingLinks(outcome.recordingId),
      }));
    case 'polled':
      return updatePod(status, outcome.pod, (result) =>
        result.recordingId !== outcome.recordingId
          ? result
          : {
              ...withoutMessage(result),
              state: outcome.state,
              ...(outcome.samples !== undefined ? { samples: outcome.samples } : {}),
              ...(outcome.message !== undefined ? { message: outcome.message } : {}),
            },
      );
    case 'refused':
      return updatePod(status, outcome.pod, (result) => ({
        ...result,
        state: outcome.retryable ? 'pending' : 'failed',
        message: outcome.message,
      }));
    case 'summary-failed':
      return updatePod(status, outcome.pod, (result) => ({
        ...result,
        state: 'failed',
        message: outcome.message,
      }));
    case 'deliveries':
      return updatePod(status, outcome.pod, (result) =>
        result.recordingId !== outcome.recordingId ? result : { ...result, deliveries: outcome.deliveries },
      );
    case 'summarized': {
      const ids = (status.results ?? []).flatMap((result) =>
        result.recordingId ? [result.recordingId] : [],
      );
      return {
        ...status,
        samples: outcome.samples,
        topFunctions: outcome.topFunctions,
        ...(ids.length > 1 ? { merged: { links: mergedLinks(ids), samples: outcome.samples } } : {}),
      };
    }
  }
}
