// The Recording resource as the reconciler sees it: the spec and status types are core/crd/resources.ts's (the
// CRD's schema is typed against them); the object's metadata is what an informer's copy always has.
import type { RecordingSpec, RecordingStatus } from '../../core/crd/resources.ts';
import { API_GROUP, API_VERSION, KIND_RECORDING } from '../../core/contract/names.ts';

export type {
  ContinuousStatus,
  MergedResult,
  PodResultState,
  RecordingLinks,
  RecordingPhase,
  RecordingPodResult as PodResult,
  RecordingRun,
  RecordingSpec,
  RecordingStatus,
  TopFunction,
} from '../../core/crd/resources.ts';
export type { V1LabelSelector as LabelSelector } from '@kubernetes/client-node';
export { RECORDING_PLURAL } from '../../core/crd/resources.ts';
export { KIND_RECORDING };

export const RECORDING_API_VERSION = `${API_GROUP}/${API_VERSION}`;

export interface Recording {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    resourceVersion?: string;
    finalizers?: string[];
    deletionTimestamp?: string | Date;
  };
  spec: RecordingSpec;
  status?: RecordingStatus;
}
