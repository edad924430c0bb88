import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1ConfigMap,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { buildMutatingWebhookConfiguration } from '../../../core/injection/webhook-configuration.ts';
import { resolveInjectionConfig } from '../../../core/injection/injection-config-env.ts';
import { SERVER_CA_CONFIG_MAP, SERVER_CA_KEY, WEBHOOK_PORT } from '../../../core/contract/names.ts';
import { MANAGED_BY_LABEL, OWNER_LABEL } from '../../../operator/apply.ts';
import { decideCertificates, DEFAULT_CERTIFICATE_POLICY } from '../../../operator/furnace/certificates.ts';
import { servingDnsNames } from '../../../operator/furnace/furnace-names.ts';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { plannedResources, type PlanInput } from '../../../operator/furnace/plan.ts';
import { selects } from '../../../operator/resources.ts';
import {
  findPlanned as find,
  furnaceOf,
  loadPlannedConfig,
  PLAN_CERTIFICATES as CERTS,
  PLAN_NAMES as NAMES,
  planWith,
} from '../../harness/furnace-plan.ts';

function plan(spec: FurnaceSpec = {}, overrides: Partial<PlanInput> = {}): KubernetesObject[] {
  return planWith(furnaceOf(spec, 3), { optedInNamespaces: ['shop', 'furnace', 'billing'] }, overrides);
}

const identities = (objects: KubernetesObject[]) =>
  objects.map(
    (o) =>
      `${o.kind ?? ''}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? ''}`,
  );

function injectionOf(objects: KubernetesObject[]): Record<string, unknown> {
  const data = find<V1ConfigMap>(objects, 'ConfigMap', 'furnace-config').data ?? {};
  return parse(data['injection.yaml'] ?? '') as Record<string, unknown>;
}

describe('Furnace plan (pure)', () => {
  it('plans every object of spec: {} on Kubernetes, the webhook configuration last, cluster-scoped ones under fixed names', () => {
    assert.deepEqual(identities(plan()), [
      'ServiceAccount/furnace/furnace',
      'ClusterRole/furnace-server',
      'ClusterRoleBinding/furnace-server',
      'Secret/furnace/furnace-tls',
      'Secret/furnace/furnace-ca',
      'Secret/furnace/furnace-shared-key',
      'ConfigMap/furnace/furnace-config',
      'PersistentVolumeClaim/furnace/furnace-catalog',
      'Service/furnace/furnace',
      'Service/furnace/furnace-api',
      'Deployment/furnace/furnace',
      'NetworkPolicy/furnace/furnace',
      `ConfigMap/shop/${SERVER_CA_CONFIG_MAP}`,
      `ConfigMap/billing/${SERVER_CA_CONFIG_MAP}`,
      'MutatingWebhookConfiguration/furnace',
      'ValidatingAdmissionPolicy/furnace-recordings',
      'ValidatingAdmissionPolicyBinding/furnace-recordings',
    ]);
    for (const object of plan()) {
      assert.ok(
        plannedResources('furnace').some((r) => selects(r, object)),
        `${identities([object])[0] ?? ''} is found (and pruned when no longer planned) where the operator looks`,
      );
    }
  });

  it("gives every object in the Furnace's namespace a controller owner reference, and labels every object with the owner's uid", () => {
    for (const object of plan()) {
      const name = identities([object])[0];
      assert.equal(object.metadata?.labels?.[MANAGED_BY_LABEL], 'furnace-operator', name);
      assert.equal(object.metadata?.labels?.[OWNER_LABEL], 'uid-1', name);
      const owners = object.metadata?.ownerReferences ?? [];
      if (object.metadata?.namespace === 'furnace') {
        assert.deepEqual(
          owners,
          [
            {
              apiVersion: 'furnace.hyperfoil.io/v1alpha1',
              kind: 'Furnace',
              name: 'furnace',
              uid: 'uid-1',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
          name,
        );
      } else {
        // Cluster-scoped, or in another namespace: owner references cannot reach them; the finalizer does.
        assert.deepEqual(owners, [], name);
      }
    }
  });

  it('grants the server exactly the calls docs/server.md lists', () => {
    const role = find<V1ClusterRole>(plan(), 'ClusterRole');
    const grants = (role.rules ?? []).flatMap((rule) =>
      (rule.resources ?? []).flatMap((resource) =>
        (rule.verbs ?? []).map((verb) => `${rule.apiGroups?.[0] ?? ''}/${resource}:${verb}`),
      ),
    );
    assert.deepEqual(grants.sort(), [
      '/events:create',
      '/namespaces:get',
      '/namespaces:list',
      '/namespaces:watch',
      '/pods:get',
      '/pods:list',
      '/pods:watch',
      'authentication.k8s.io/tokenreviews:create',
      'authorization.k8s.io/subjectaccessreviews:create',
      'furnace.hyperfoil.io/recordings:list',
    ]);
  });

  it('builds the webhook configuration with the same core function as deploy/webhook, with the CA bundle and the Service', () => {
    const applied = find<V1MutatingWebhookConfiguration>(plan(), 'MutatingWebhookConfiguration');
    const expected = buildMutatingWebhookConfiguration({
      name: 'furnace.furnace.furnace',
      service: { name: 'furnace', namespace: 'furnace', port: WEBHOOK_PORT },
      caBundle: CERTS.bundlePem,
      furnaceNamespace: 'furnace',
    });
    assert.deepEqual(applied.webhooks, expected.webhooks);
    const caBundle = applied.webhooks?.[0]?.clientConfig.caBundle ?? '';
    assert.equal(Buffer.from(caBundle, 'base64').toString('utf8'), CERTS.bundlePem);
  });

  it('applies the failure policy and narrows, never widens, the namespace selector', () => {
    const selector = {
      matchLabels: { team: 'perf' },
      matchExpressions: [{ key: 'tier', operator: 'Exists' }],
    };
    const webhook = find<V1MutatingWebhookConfiguration>(
      plan({ webhook: { failurePolicy: 'Fail', namespaceSelector: selector } }),
      'MutatingWebhookConfiguration',
    ).webhooks?.[0];
    assert.equal(webhook?.failurePolicy, 'Fail');
    assert.deepEqual(webhook?.namespaceSelector, {
      matchLabels: { team: 'perf' },
      matchExpressions: [
        { key: 'furnace', operator: 'In', values: ['enabled'] },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['furnace', 'kube-system'] },
        { key: 'tier', operator: 'Exists' },
      ],
    });
  });

  it('points the webhook at a URL instead of the Service when asked (FURNACE_OPERATOR_WEBHOOK_URL)', () => {
    const webhook = find<V1MutatingWebhookConfiguration>(
      plan({}, { webhookUrl: 'https://127.0.0.1:9443/mutate' }),
      'MutatingWebhookConfiguration',
    ).webhooks?.[0];
    assert.equal(webhook?.clientConfig.url, 'https://127.0.0.1:9443/mutate');
    assert.equal(webhook?.clientConfig.service, undefined);
  });

  it("writes a server config that the server's own loader accepts, with the spec's limits under the server's keys", async () => {
    const objects = plan({
      auth: { mode: 'kubernetes' },
      limits: {
        maxDurationSeconds: 120,
        maxFrequency: 49,
        namespaces: { shop: { maxConcurrentPerNamespace: 2 } },
      },
      images: { sidecar: 'registry.example/furnace-sidecar:2' },
    });
    const config = await loadPlannedConfig(objects);
    assert.equal(config.authMode, 'kubernetes');
    assert.equal(config.limits.maxDurationSeconds, 120);
    assert.equal(config.limits.maxFrequency, 49);
    assert.deepEqual(config.namespaceLimits, { shop: { maxConcurrentPerNamespace: 2 } });
    assert.deepEqual(config.sidecarImages, ['registry.example/furnace-sidecar:2']);
    assert.equal(config.webhook?.injection.image, 'registry.example/furnace-sidecar:2');
    assert.equal(config.webhook?.injection.serverCa, CERTS.bundlePem);
  });

  it("points sidecars at the recorder listener of the Service the webhook uses, and passes the sidecar's resources", () => {
    const injection = resolveInjectionConfig({
      env: {},
      file: {
        path: 'injection.yaml',
        raw: injectionOf(
          plan({ sidecar: { resources: { requests: { cpu: '20m' }, limits: { memory: '512Mi' } } } }),
        ),
      },
    });
    assert.equal(injection.serverUrl, 'https://furnace.furnace.svc:8081');
    assert.deepEqual(injection.resources, {
      requests: { cpu: '20m', memory: '64Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    const service = find<V1Service>(plan(), 'Service', 'furnace');
    assert.deepEqual(
      service.spec?.ports?.map((p) => [p.name, p.port]),
      [
        ['recorder', 8081],
        ['webhook', 8443],
      ],
    );
    assert.deepEqual(
      find<V1Service>(plan(), 'Service', 'furnace-api').spec?.ports?.map((p) => [p.name, p.port]),
      [['user', 8080]],
    );
  });

  it('runs the server image with three listeners, readiness on /readyz, and restarts it when the config or CA changes', async () => {
    const deployment = find<V1Deployment>(
      plan({ images: { server: 'registry.example/furnace-server:2' } }),
      'Deployment',
    );
    const container = deployment.spec?.template.spec?.containers[0];
    assert.equal(container?.image, 'registry.example/furnace-server:2');
    assert.deepEqual(
      container?.ports?.map((p) => [p.name, p.containerPort]),
      [
        ['user', 8080],
        ['recorder', 8081],
        ['webhook', 8443],
      ],
    );
    assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
    const hashOf = (objects: KubernetesObject[]) =>
      find<V1Deployment>(objects, 'Deployment').spec?.template.metadata?.annotations?.[
        'furnace.hyperfoil.io/config-hash'
      ];
    const other = (
      await decideCertificates(undefined, servingDnsNames(NAMES), DEFAULT_CERTIFICATE_POLICY, Date.now())
    ).certificates;
    assert.equal(hashOf(plan()), hashOf(plan()));
    assert.notEqual(hashOf(plan()), hashOf(plan({ limits: { maxFrequency: 10 } })));
    assert.notEqual(hashOf(plan()), hashOf(plan({}, { certificates: { ...other } })));
  });

  it('gives the server and agent pods no Service variables, which would set FURNACE_PORT to tcp://… for the Service furnace', () => {
    const objects = plan({ agent: { enabled: true } });
    const services = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata?.name ?? '');
    assert.ok(services.includes('furnace'), services.join(', '));
    for (const kind of ['Deployment', 'DaemonSet']) {
      const workload = objects.find((o): o is V1Deployment => o.kind === kind);
      assert.equal(workload?.spec?.template.spec?.enableServiceLinks, false, kind);
    }
  });

  it('puts the serving certificate and the CA bundle in the mounted Secret, and the CA key only in a Secret the server does not mount', () => {
    const objects = plan();
    const decode = (secret: V1Secret, key: string) =>
      Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
    const tls = find<V1Secret>(objects, 'Secret', 'furnace-tls');
    assert.equal(decode(tls, 'tls.crt'), CERTS.serving.certPem);
    assert.equal(decode(tls, 'ca.crt'), CERTS.bundlePem);
    assert.equal(tls.data?.['ca.key'], undefined);
    assert.equal(decode(find<V1Secret>(objects, 'Secret', 'furnace-ca'), 'tls.key'), CERTS.ca.keyPem);
    const volumes = find<V1Deployment>(objects, 'Deployment').spec?.template.spec?.volumes ?? [];
    assert.deepEqual(volumes.map((v) => v.secret?.secretName).filter(Boolean), [
      'furnace-tls',
      'furnace-shared-key',
    ]);
  });

  it('sizes the catalog claim from spec.catalog (10Gi by default)', () => {
    const claim = (spec: FurnaceSpec) =>
      find<
        KubernetesObject & {
          spec: { resources: { requests: { storage: string } }; storageClassName?: string };
        }
      >(plan(spec), 'PersistentVolumeClaim').spec;
    assert.equal(claim({}).resources.requests.storage, '10Gi');
    assert.deepEqual(
      [
        claim({ catalog: { storageSize: '50Gi', storageClassName: 'fast' } }).resources.requests.storage,
        claim({ catalog: { storageClassName: 'fast' } }).storageClassName,
      ],
      ['50Gi', 'fast'],
    );
  });

  it('publishes the CA bundle to every opted-in namespace but its own', () => {
    const maps = plan().filter(
      (o): o is V1ConfigMap => o.kind === 'ConfigMap' && o.metadata?.name === SERVER_CA_CONFIG_MAP,
    );
    assert.deepEqual(
      maps.map((m) => m.metadata?.namespace),
      ['shop', 'billing'],
    );
    for (const map of maps) assert.equal(map.data?.[SERVER_CA_KEY], CERTS.bundlePem);
  });

  it('admits users on 8080, opted-in namespaces and its own on 8081, any source on 8443', () => {
    const policy = find<
      KubernetesObject & { spec: { ingress: { ports: { port: number }[]; from?: unknown[] }[] } }
    >(plan(), 'NetworkPolicy');
    const rules = policy.spec.ingress.map((rule) => [rule.ports[0]?.port, rule.from]);
    assert.deepEqual(rules, [
      [8080, undefined],
      [
        8081,
        [
          { namespaceSelector: { matchLabels: { furnace: 'enabled' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'furnace' } } },
        ],
      ],
      [8443, undefined],
    ]);
  });

  it('adds an Ingress to the user Service only when enabled', () => {
    assert.equal(
      plan().some((o) => o.kind === 'Ingress'),
      false,
    );
    const ingress = find<KubernetesObject & { spec: Record<string, unknown> }>(
      plan({
        ingress: { enabled: true, host: 'furnace.example', className: 'nginx', tlsSecretName: 'web-tls' },
      }),
      'Ingress',
    );
    assert.deepEqual(ingress.spec, {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['furnace.example'], secretName: 'web-tls' }],
      rules: [
        {
          host: 'furnace.example',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'furnace-api', port: { name: 'user' } } },
              },
            ],
          },
        },
      ],
    });
  });

  it('on OpenShift: the service CA makes the certificate, a Route reencrypts to one Service with three listeners', () => {
    const objects = plan({}, { platform: 'openshift', certificates: { bundlePem: CERTS.ca.certPem } });
    const ids = identities(objects);
    assert.ok(
      !ids.includes('Secret/furnace/furnace-tls') && !ids.includes('Secret/furnace/furnace-ca'),
      'no Secrets of ours',
    );
    assert.ok(!ids.includes('Service/furnace/furnace-api'));
    const service = find<V1Service>(objects, 'Service', 'furnace');
    assert.equal(
      service.metadata?.annotations?.['service.beta.openshift.io/serving-cert-secret-name'],
      'furnace-tls',
    );
    assert.deepEqual(
      service.spec?.ports?.map((p) => p.port),
      [8080, 8081, 8443],
    );
    const webhook = find<V1MutatingWebhookConfiguration>(objects, 'MutatingWebhookConfiguration');
    assert.equal(webhook.metadata?.annotations?.['service.beta.openshift.io/inject-cabundle'], 'true');
    assert.equal(
      webhook.webhooks?.[0]?.clientConfig.caBundle,
      undefined,
      'the service CA operator writes it',
    );
    const serviceCa = find<V1ConfigMap>(objects, 'ConfigMap', 'furnace-service-ca');
    assert.equal(serviceCa.metadata?.annotations?.['service.beta.openshift.io/inject-cabundle'], 'true');
    assert.equal(serviceCa.data, undefined, 'its data belongs to the service CA operator');
    const route = find<KubernetesObject & { spec: Record<string, unknown> }>(objects, 'Route');
    assert.deepEqual(route.spec, {
      to: { kind: 'Service', name: 'furnace' },
      port: { targetPort: 'user' },
      tls: { termination: 'reencrypt', insecureEdgeTerminationPolicy: 'Redirect' },
    });
    assert.equal(
      plan({ route: { enabled: false } }, { platform: 'openshift', certificates: { bundlePem: '' } }).some(
        (o) => o.kind === 'Route',
      ),
      false,
    );
    assert.equal(
      plan({ route: { enabled: true } }).some((o) => o.kind === 'Route'),
      false,
      'no Route kind on Kubernetes',
    );
  });

  it('in auth mode proxy keeps the user listener on loopback, as the server requires without a client CA', async () => {
    const config = await loadPlannedConfig(plan({ auth: { mode: 'proxy' } }));
    assert.deepEqual([config.authMode, config.host], ['proxy', '127.0.0.1']);
  });
});
