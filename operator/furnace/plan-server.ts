// The server's workload: Deployment, Service(s), catalog PVC and the TLS Secrets. On OpenShift the service
// CA makes the serving certificate (annotation on the Service) and one Service carries all three
// listeners, so a reencrypting Route can check the certificate against that Service's name.
import { sinkVolumes } from './plan-sinks.ts';
import { storageVolumes } from './plan-storage.ts';
import type {
  V1ConfigMap,
  V1Container,
  V1Deployment,
  V1PersistentVolumeClaim,
  V1Secret,
  V1Service,
  V1ServicePort,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { RECORDER_PORT, SERVER_PORT, WEBHOOK_PORT } from '../../core/contract/names.ts';
import { FURNACE_SPEC_DEFAULTS } from '../../core/crd/resources.ts';
import { configHash, SERVER_PATHS, servesAggregatedApi } from './plan-config.ts';
import { labelsOf, object, ownedMeta, selectorOf, type PlanContext } from './plan-input.ts';
import { isReplicated, replicaSpec } from './plan-replicas.ts';
import { sharedKeyVolume } from './plan-shared-key.ts';

export const SERVING_CERT_ANNOTATION = 'service.beta.openshift.io/serving-cert-secret-name';
export const INJECT_CABUNDLE_ANNOTATION = 'service.beta.openshift.io/inject-cabundle';
export const CONFIG_HASH_ANNOTATION = 'furnace.hyperfoil.io/config-hash';

/** The server container's requests and limits (npm run bench:registry runs the server under the same limit). */
export const SERVER_RESOURCES = {
  requests: { cpu: '50m', memory: '128Mi' },
  limits: { memory: '256Mi' },
} as const;

const PORTS = {
  user: { name: 'user', port: SERVER_PORT, targetPort: 'user' },
  recorder: { name: 'recorder', port: RECORDER_PORT, targetPort: 'recorder' },
  webhook: { name: 'webhook', port: WEBHOOK_PORT, targetPort: 'webhook' },
} as const satisfies Record<string, V1ServicePort>;

function service(
  context: PlanContext,
  name: string,
  ports: V1ServicePort[],
  annotations?: Record<string, string>,
): V1Service {
  return object<V1Service>('v1', 'Service', {
    metadata: ownedMeta(context, name, 'server', annotations),
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(context, 'server'),
      ports: ports.map((port) => ({ ...port, protocol: 'TCP' })),
    },
  });
}

export function planServices(context: PlanContext): V1Service[] {
  const { names } = context;
  if (context.platform === 'openshift')
    return [
      service(context, names.server, [PORTS.user, PORTS.recorder, PORTS.webhook], {
        [SERVING_CERT_ANNOTATION]: names.tls,
      }),
    ];
  return [
    service(context, names.server, [PORTS.recorder, PORTS.webhook]),
    service(context, names.userService, [PORTS.user]),
  ];
}

// `data`, not `stringData`: server-side apply tracks the fields it writes, and stringData is never stored.
function base64Values(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
}

/** Kubernetes platform: the serving Secret the server mounts, and the CA's Secret only the operator reads. */
export function planSecrets(context: PlanContext): V1Secret[] {
  const { ca, serving, bundlePem } = context.certificates;
  if (context.platform === 'openshift' || !ca || !serving) return [];
  return [
    object<V1Secret>('v1', 'Secret', {
      metadata: ownedMeta(context, context.names.tls, 'server'),
      type: 'kubernetes.io/tls',
      data: base64Values({ 'tls.crt': serving.certPem, 'tls.key': serving.keyPem, 'ca.crt': bundlePem }),
    }),
    object<V1Secret>('v1', 'Secret', {
      metadata: ownedMeta(context, context.names.ca, 'certificate-authority'),
      type: 'Opaque',
      data: base64Values({ 'tls.crt': ca.certPem, 'tls.key': ca.keyPem }),
    }),
  ];
}

/** OpenShift: a ConfigMap the service CA operator fills with its CA (key service-ca.crt). */
export function planServiceCaConfigMap(context: PlanContext): V1ConfigMap[] {
  if (context.platform !== 'openshift') return [];
  return [
    object<V1ConfigMap>('v1', 'ConfigMap', {
      metadata: ownedMeta(context, context.names.serviceCa, 'certificate-authority', {
        [INJECT_CABUNDLE_ANNOTATION]: 'true',
      }),
    }),
  ];
}

export function planCatalog(context: PlanContext): V1PersistentVolumeClaim {
  const catalog = context.furnace.spec?.catalog ?? {};
  return object<V1PersistentVolumeClaim>('v1', 'PersistentVolumeClaim', {
    metadata: ownedMeta(context, context.names.catalog, 'catalog'),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: catalog.storageSize ?? FURNACE_SPEC_DEFAULTS.catalogStorageSize } },
      ...(catalog.storageClassName ? { storageClassName: catalog.storageClassName } : {}),
    },
  });
}

/** The request-header ConfigMap's mount and volume, when the aggregated API is served. */
function requestHeaderVolume(context: PlanContext) {
  if (!servesAggregatedApi(context)) return { mounts: [], volumes: [], pem: '' };
  return {
    pem: context.requestHeader?.clientCaPem ?? '',
    mounts: [{ name: 'request-header', mountPath: SERVER_PATHS.requestHeaderDir, readOnly: true }],
    volumes: [{ name: 'request-header', configMap: { name: context.names.requestHeader } }],
  };
}

export function planDeployment(context: PlanContext, configMap: V1ConfigMap): V1Deployment {
  const { names } = context;
  const requestHeader = requestHeaderVolume(context);
  const sinks = sinkVolumes(context.furnace.spec?.sinks);
  const storage = storageVolumes(context.furnace.spec?.storage?.s3);
  const { replicas, strategy, affinity } = replicaSpec(context);
  const sharedKey = context.sharedKey === undefined ? undefined : sharedKeyVolume(names);
  // Several replicas: the bucket holds the catalog, the data directory is each replica's scratch.
  const catalog = isReplicated(context)
    ? { name: 'catalog', emptyDir: {} }
    : { name: 'catalog', persistentVolumeClaim: { claimName: names.catalog } };
  return object<V1Deployment>('apps/v1', 'Deployment', {
    metadata: ownedMeta(context, names.server, 'server'),
    spec: {
      replicas,
      strategy,
      selector: { matchLabels: selectorOf(context, 'server') },
      template: {
        metadata: {
          labels: labelsOf(context, 'server'),
          // A new shared key (a rotation) rolls the replicas: the server reads the key file at start.
          annotations: {
            [CONFIG_HASH_ANNOTATION]: configHash(configMap, requestHeader.pem + (context.sharedKey ?? '')),
          },
        },
        spec: {
          serviceAccountName: names.server,
          // No Service variables: the kubelet would set FURNACE_PORT=tcp://<ip>:8081 for the Service
          // `furnace`, a name the server reads as its port (and other FURNACE_* names), and it stops.
          enableServiceLinks: false,
          ...(affinity ? { affinity } : {}),
          securityContext: { runAsNonRoot: true, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            serverContainer(context, [
              ...requestHeader.mounts,
              ...sinks.mounts,
              ...storage.mounts,
              ...(sharedKey ? [sharedKey.mount] : []),
            ]),
          ],
          volumes: [
            { name: 'config', configMap: { name: names.config } },
            { name: 'tls', secret: { secretName: names.tls } },
            catalog,
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ...requestHeader.volumes,
            ...sinks.volumes,
            ...storage.volumes,
            ...(sharedKey ? [sharedKey.volume] : []),
          ],
        },
      },
    },
  });
}

function serverContainer(context: PlanContext, extraMounts: V1VolumeMount[]): V1Container {
  const probe = (path: string) => ({
    httpGet: { path, port: 'recorder', scheme: 'HTTPS' },
    periodSeconds: 10,
    timeoutSeconds: 3,
  });
  return {
    name: 'server',
    image: context.images.server,
    env: [{ name: 'FURNACE_CONFIG', value: SERVER_PATHS.configFile }],
    ports: Object.values(PORTS).map((port) => ({
      name: port.name,
      containerPort: port.port,
      protocol: 'TCP',
    })),
    // The recorder listener answers both in every auth mode (docs/security.md).
    readinessProbe: probe('/readyz'),
    livenessProbe: { ...probe('/healthz'), failureThreshold: 6 },
    resources: SERVER_RESOURCES,
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'config', mountPath: SERVER_PATHS.configDir, readOnly: true },
      { name: 'tls', mountPath: SERVER_PATHS.tlsDir, readOnly: true },
      { name: 'catalog', mountPath: SERVER_PATHS.dataDir },
      // The root filesystem is read-only; scratch files go here.
      { name: 'tmp', mountPath: '/tmp' },
      ...extraMounts,
    ],
  };
}
