// AdmissionReview requests as the API server sends them to the webhook.

/**
 * A review of creating pod (a V1Pod, or its JSON as on the wire) in namespace shop; extra replaces or
 * adds fields of the request.
 */
export function podReview(pod: object, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      operation: 'CREATE',
      namespace: 'shop',
      object: pod,
      dryRun: false,
      ...extra,
    },
  };
}
