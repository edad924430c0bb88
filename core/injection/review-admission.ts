// AdmissionReview v1 in, AdmissionReview v1 out. Pure: the HTTP listener (server/webhook) only parses,
// calls reviewAdmission, logs and counts.
import type { V1Pod } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import { computePatch } from './compute-patch.ts';
import { decideAdmission } from './decide-injection.ts';
import type { AdmissionFacts, InjectionDecision } from './decide-injection.ts';
import type { InjectionConfig } from './injection-config.ts';
import { injectSidecar } from './inject-sidecar.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

export interface AdmissionRequest extends AdmissionFacts {
  uid: string;
  namespace?: string;
  name?: string;
  dryRun?: boolean;
}

export interface AdmissionResponse {
  uid: string;
  allowed: true;
  patchType?: 'JSONPatch';
  /** base64 of the JSON patch */
  patch?: string;
  warnings?: string[];
}

export interface AdmissionReviewResponse {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: typeof ADMISSION_KIND;
  response: AdmissionResponse;
}

export interface AdmissionOutcome {
  review: AdmissionReviewResponse;
  decision: InjectionDecision;
  patch: Operation[];
}

export function answer(
  uid: string,
  extra: Omit<AdmissionResponse, 'uid' | 'allowed'> = {},
): AdmissionReviewResponse {
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: ADMISSION_KIND,
    response: { uid, allowed: true, ...extra },
  };
}

/**
 * Decides and, when the pod is injected, answers with the patch. Dry-run requests get exactly the same
 * answer: the webhook has no side effects to skip (sideEffects: None).
 */
export function reviewAdmission(request: AdmissionRequest, config: InjectionConfig): AdmissionOutcome {
  const decision = decideAdmission(request);
  if (!decision.inject) return { review: answer(request.uid), decision, patch: [] };
  const pod = request.object as V1Pod;
  const patch = computePatch(pod, injectSidecar(pod, config));
  if (patch.length === 0) return { review: answer(request.uid), decision, patch };
  const encoded = Buffer.from(JSON.stringify(patch)).toString('base64');
  return { review: answer(request.uid, { patchType: 'JSONPatch', patch: encoded }), decision, patch };
}
