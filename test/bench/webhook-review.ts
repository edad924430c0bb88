// A realistic AdmissionReview for the webhook benchmark: what the API server sends for a pod of a
// Deployment with three containers, 40 env vars and six volumes.
import type { V1Container } from '@kubernetes/client-node';
import { podReview } from '../harness/admission-review.ts';

function container(name: string, image: string, envCount: number, mounts: string[]): V1Container {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: `${name}-http`, containerPort: 8080 + mounts.length, protocol: 'TCP' }],
    env: Array.from({ length: envCount }, (_, i) =>
      i % 5 === 0
        ? {
            name: `${name.toUpperCase()}_REF_${i}`,
            valueFrom: { configMapKeyRef: { name: 'shop-config', key: `key-${i}` } },
          }
        : { name: `${name.toUpperCase()}_VAR_${i}`, value: `value-${i}-${'x'.repeat(16)}` },
    ),
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    volumeMounts: mounts.map((m) => ({ name: m, mountPath: `/mnt/${m}` })),
    readinessProbe: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' }, periodSeconds: 10 },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

/** The pod of a Deployment's ReplicaSet, as the API server hands it to admission. */
export function realisticPod(): Record<string, unknown> & { metadata: Record<string, unknown> } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'shop-api-7d9f8b6c5d-',
      namespace: 'shop',
      labels: { app: 'shop-api', 'pod-template-hash': '7d9f8b6c5d', furnace: 'enabled', version: 'v42' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'shop-api-7d9f8b6c5d',
          uid: 'a1b2c3d4-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
      managedFields: [
        {
          manager: 'kube-controller-manager',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-11-22T02:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:labels': {} } },
        },
      ],
    },
    spec: {
      containers: [
        container('api', 'registry.example/shop/api:4.2.0', 20, ['config', 'cache', 'tmp']),
        container('worker', 'registry.example/shop/worker:4.2.0', 14, ['config', 'data']),
        container('proxy', 'registry.example/envoy:1.31', 6, ['certs']),
      ],
      volumes: [
        { name: 'config', configMap: { name: 'shop-config', defaultMode: 420 } },
        { name: 'cache', emptyDir: { sizeLimit: '512Mi' } },
        { name: 'tmp', emptyDir: {} },
        { name: 'data', persistentVolumeClaim: { claimName: 'shop-data' } },
        { name: 'certs', secret: { secretName: 'shop-tls', defaultMode: 420 } },
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            ],
          },
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      securityContext: {},
      schedulerName: 'default-scheduler',
      imagePullSecrets: [{ name: 'registry-example' }],
    },
    status: {},
  };
}

export function realisticReview(): Record<string, unknown> {
  return podReview(realisticPod(), {
    uid: '0f9b8a34-2f58-4bbd-9d5e-6a0b3c1d2e3f',
    requestKind: { group: '', version: 'v1', kind: 'Pod' },
    requestResource: { group: '', version: 'v1', resource: 'pods' },
    userInfo: {
      username: 'system:serviceaccount:kube-system:replicaset-controller',
      uid: 'u-1',
      groups: ['system:serviceaccounts', 'system:authenticated'],
    },
    oldObject: null,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  });
}
