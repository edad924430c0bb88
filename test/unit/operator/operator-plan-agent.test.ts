import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import type {
  KubernetesObject,
  V1ConfigMap,
  V1DaemonSet,
  V1Deployment,
  V1NetworkPolicy,
} from '@kubernetes/client-node';
import { BUNDLE_DIR, BUNDLE_ENTRIES } from '../../../core/contract/bundle-layout.ts';
import { API_SERVICE_NAME, AGGREGATED_GROUP } from '../../../core/contract/aggregated-api.ts';
import { DEFAULT_IMAGES, type FurnaceSpec } from '../../../core/crd/resources.ts';
import { AGENT_ENV, AGENT_PORT, SIDECAR_ENV, TOKEN_AUDIENCE } from '../../../core/contract/names.ts';
import { MANAGED_BY_LABEL, OWNER_LABEL, type Applier } from '../../../operator/apply.ts';
import { readRequestHeaderSource } from '../../../operator/furnace/furnace-inputs.ts';
import {
  plannedResources,
  type PlanInput,
  type RequestHeaderSource,
} from '../../../operator/furnace/plan.ts';
import { selects } from '../../../operator/resources.ts';
import { SERVER_PATHS } from '../../../operator/furnace/plan-config.ts';
import {
  findPlanned as find,
  furnaceOf,
  loadPlannedConfig,
  PLAN_CERTIFICATES as CERTS,
  planWith,
} from '../../harness/furnace-plan.ts';
import { copySources, parseDockerfile } from '../../harness/dockerfile.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const FRONT_PROXY: RequestHeaderSource = {
  clientCaPem: '-----BEGIN CERTIFICATE-----\nfront-proxy\n-----END CERTIFICATE-----\n',
  allowedNames: ['front-proxy-client'],
};

function plan(spec: FurnaceSpec = {}, overrides: Partial<PlanInput> = {}): KubernetesObject[] {
  return planWith(furnaceOf(spec, 1), { optedInNamespaces: [] }, overrides);
}

const AGENT: FurnaceSpec = {
  agent: {
    enabled: true,
    nodeSelector: { 'furnace.hyperfoil.io/profile': 'yes' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'perf', effect: 'NoSchedule' }],
  },
};

const has = (objects: KubernetesObject[], kind: string, name?: string) =>
  objects.some((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));

function agentContainer(objects: KubernetesObject[]) {
  const daemonSet = find<V1DaemonSet>(objects, 'DaemonSet', 'furnace-agent');
  const pod = daemonSet.spec?.template.spec;
  const container = pod?.containers[0];
  assert.ok(pod && container, 'the DaemonSet has a container');
  return { daemonSet, pod, container };
}

describe('Furnace plan: agent mode (pure)', () => {
  it('plans no agent objects unless spec.agent.enabled, and prunes the kinds it plans when enabled', () => {
    for (const spec of [{}, { agent: { enabled: false } }] satisfies FurnaceSpec[]) {
      const objects = plan(spec);
      assert.equal(has(objects, 'DaemonSet'), false);
      assert.equal(has(objects, 'ServiceAccount', 'furnace-agent'), false);
      assert.equal(has(objects, 'NetworkPolicy', 'furnace-agent'), false);
    }
    for (const object of plan(AGENT)) {
      assert.ok(
        plannedResources('furnace').some((r) => selects(r, object)),
        `${object.kind ?? ''} is pruned when no longer planned`,
      );
      assert.equal(object.metadata?.labels?.[MANAGED_BY_LABEL], 'furnace-operator');
      assert.equal(object.metadata?.labels?.[OWNER_LABEL], 'uid-1');
    }
  });

  it('gives the agents a ServiceAccount of their own and no role binding', () => {
    const objects = plan(AGENT);
    const account = find(objects, 'ServiceAccount', 'furnace-agent');
    assert.equal(account.metadata?.ownerReferences?.[0]?.uid, 'uid-1');
    const bound = objects
      .filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')
      .flatMap((o) => (o as { subjects?: { name: string }[] }).subjects ?? []);
    assert.ok(
      !bound.some((subject) => subject.name === 'furnace-agent'),
      'furnace-agent is bound to nothing',
    );
  });

  it('runs the agent image on the selected nodes with hostPID, read-only tracefs, a projected token and the pinned port', () => {
    const { daemonSet, pod, container } = agentContainer(plan(AGENT));
    assert.equal(daemonSet.metadata?.ownerReferences?.[0]?.name, 'furnace');
    assert.equal(container.image, DEFAULT_IMAGES.agent);
    assert.deepEqual(container.command, ['node', 'dist/bundle/agent.mjs']);
    assert.equal(pod.hostPID, true);
    assert.equal(pod.hostNetwork, undefined);
    assert.equal(pod.hostIPC, undefined);
    // Of the host's files, the agent sees its tracefs only, read-only (bpftrace reads the tracepoint there).
    assert.deepEqual(
      (pod.volumes ?? []).filter((v) => v.hostPath),
      [{ name: 'tracefs', hostPath: { path: '/sys/kernel/tracing', type: 'Directory' } }],
    );
    assert.deepEqual(
      container.volumeMounts?.find((m) => m.name === 'tracefs'),
      { name: 'tracefs', mountPath: '/sys/kernel/tracing', readOnly: true },
    );
    assert.equal(pod.serviceAccountName, 'furnace-agent');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(pod.nodeSelector, { 'furnace.hyperfoil.io/profile': 'yes' });
    assert.deepEqual(pod.tolerations, AGENT.agent?.tolerations);
  });

  it('starts a file that the agent image (Dockerfile.sidecar) carries: its bundle, built by build:sidecar-bundle', () => {
    const { container } = agentContainer(plan(AGENT));
    const file = container.command?.[1] ?? '';
    const final = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile.sidecar'), 'utf8')).at(-1);
    const workdir = final?.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';
    const copied = (final?.instructions ?? [])
      .filter((i) => i.keyword === 'COPY')
      .map(copySources)
      .flatMap((c) => c.sources.map((s) => join(workdir, c.destination, basename(s))));
    assert.ok(copied.includes(join(workdir, file)), `${file} in the sidecar image: ${copied.join(', ')}`);
    const scripts = (
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const entry = Object.entries(BUNDLE_ENTRIES).find(([, e]) => `${BUNDLE_DIR}/${e.file}` === file)?.[0];
    assert.ok(entry, `${file} is a bundle entry`);
    assert.match(scripts['build:sidecar-bundle'] ?? '', new RegExp(`\\b${entry}\\b`));
  });

  it('mounts a projected token of audience furnace, emptyDirs for data and /tmp, and exposes the agent port', () => {
    const { pod, container } = agentContainer(plan(AGENT));
    const token = pod.volumes?.find((v) => v.projected)?.projected?.sources?.[0]?.serviceAccountToken;
    assert.equal(token?.audience, TOKEN_AUDIENCE);
    assert.deepEqual(container.ports, [
      { name: 'furnace-agent', containerPort: AGENT_PORT, protocol: 'TCP' },
    ]);
    const mounted = new Map((container.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    for (const path of ['/var/lib/furnace-agent', '/tmp']) {
      const volume = pod.volumes?.find((v) => v.name === mounted.get(path));
      assert.ok(volume?.emptyDir, `${path} is an emptyDir`);
    }
    const custom = agentContainer(plan({ ...AGENT, images: { agent: 'example.com/agent:1' } }));
    assert.equal(custom.container.image, 'example.com/agent:1');
  });

  it('runs the agent as root with only the capabilities perf and the off-CPU recorder need, never privileged', () => {
    const { container } = agentContainer(plan(AGENT));
    assert.deepEqual(container.securityContext, {
      runAsUser: 0,
      runAsNonRoot: false,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['PERFMON', 'BPF', 'SYS_PTRACE', 'SYSLOG', 'DAC_READ_SEARCH'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it("gives the agent the sidecars' server URL and CA, its token path, node name and pod IP", () => {
    const objects = plan(AGENT);
    const { container } = agentContainer(objects);
    const env = new Map((container.env ?? []).map((e) => [e.name, e]));
    const value = (name: string) => env.get(name)?.value;
    const field = (name: string) => env.get(name)?.valueFrom?.fieldRef?.fieldPath;
    const injection = find<V1ConfigMap>(objects, 'ConfigMap', 'furnace-config').data?.['injection.yaml'];
    assert.match(injection ?? '', /serverUrl: https:\/\/furnace\.furnace\.svc:8081/);
    assert.equal(value(SIDECAR_ENV.serverUrl), 'https://furnace.furnace.svc:8081');
    assert.equal(value(SIDECAR_ENV.serverCa), CERTS.bundlePem);
    assert.equal(value(SIDECAR_ENV.tokenPath), '/var/run/secrets/furnace/token');
    assert.equal(field(SIDECAR_ENV.nodeName), 'spec.nodeName');
    assert.equal(field(SIDECAR_ENV.podIp), 'status.podIP');
    assert.equal(value(AGENT_ENV.port), String(AGENT_PORT));
    const tokenMount = container.volumeMounts?.find((m) => m.name === 'token');
    assert.equal(tokenMount?.mountPath, '/var/run/secrets/furnace');
  });

  it("lets only the server's pods reach the agents' port", () => {
    const policy = find<V1NetworkPolicy>(plan(AGENT), 'NetworkPolicy', 'furnace-agent');
    const spec = policy.spec as unknown as Record<string, unknown>;
    assert.deepEqual(spec, {
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'furnace',
          'app.kubernetes.io/instance': 'furnace',
          'app.kubernetes.io/component': 'agent',
        },
      },
      policyTypes: ['Ingress'],
      ingress: [
        {
          ports: [{ protocol: 'TCP', port: AGENT_PORT }],
          from: [
            {
              podSelector: {
                matchLabels: {
                  'app.kubernetes.io/name': 'furnace',
                  'app.kubernetes.io/instance': 'furnace',
                  'app.kubernetes.io/component': 'server',
                },
              },
            },
          ],
        },
      ],
    });
  });

  it("writes agent keys the server's own loader reads back, and none when disabled", async () => {
    const config = await loadPlannedConfig(plan(AGENT));
    assert.deepEqual(config.agent, {
      namespace: 'furnace',
      serviceAccount: 'furnace-agent',
      port: AGENT_PORT,
      // The loader's defaults for continuous profiling (issue 24), not written by the plan.
      continuous: {
        frequency: 19,
        windowSeconds: 15,
        retentionHours: 168,
        minuteWindowsAfterHours: 1,
        tenMinuteWindowsAfterHours: 24,
        maxBytesPerNamespace: 2 * 1024 ** 3,
      },
    });
    assert.equal((await loadPlannedConfig(plan())).agent, undefined);
  });
});

describe('Furnace plan: aggregated API (pure)', () => {
  it('registers the APIService at the user Service with the CA bundle, labelled for the finalizer', () => {
    const objects = plan({}, { requestHeader: FRONT_PROXY });
    const apiService = find<KubernetesObject & { spec: Record<string, unknown> }>(
      objects,
      'APIService',
      API_SERVICE_NAME,
    );
    assert.equal(apiService.spec.group, AGGREGATED_GROUP);
    assert.deepEqual(apiService.spec.service, { namespace: 'furnace', name: 'furnace-api', port: 8080 });
    assert.equal(Buffer.from(String(apiService.spec.caBundle), 'base64').toString('utf8'), CERTS.bundlePem);
    assert.equal(apiService.metadata?.labels?.[OWNER_LABEL], 'uid-1');
    assert.equal(apiService.metadata?.ownerReferences, undefined);
    assert.ok(plannedResources('furnace').some((r) => selects(r, apiService)));
    const kinds = objects.map((o) => o.kind);
    assert.deepEqual(kinds.slice(-4), [
      'APIService',
      'MutatingWebhookConfiguration',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
    ]);
  });

  it('serves a certificate the aggregator accepts for <service>.<namespace>.svc', () => {
    const names = new X509Certificate(CERTS.serving.certPem).subjectAltName ?? '';
    assert.match(names, /DNS:furnace-api\.furnace\.svc(,|$)/);
  });

  it("copies the request-header CA into a mounted ConfigMap and names it in the server's config", async () => {
    const objects = plan({}, { requestHeader: FRONT_PROXY });
    const copy = find<V1ConfigMap>(objects, 'ConfigMap', 'furnace-request-header');
    assert.equal(copy.metadata?.namespace, 'furnace');
    assert.equal(copy.data?.['ca.crt'], FRONT_PROXY.clientCaPem);
    const pod = find<V1Deployment>(objects, 'Deployment').spec?.template.spec;
    const volume = pod?.volumes?.find((v) => v.configMap?.name === 'furnace-request-header');
    const mount = pod?.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name);
    assert.equal(`${mount?.mountPath ?? ''}/ca.crt`, SERVER_PATHS.requestHeaderCaFile);
    const config = await loadPlannedConfig(objects);
    assert.deepEqual(config.requestHeader, {
      clientCaFile: SERVER_PATHS.requestHeaderCaFile,
      allowedNames: ['front-proxy-client'],
    });
  });

  it('plans no APIService, request-header ConfigMap or keys without the aggregation layer, or in auth mode proxy', async () => {
    for (const objects of [plan(), plan({ auth: { mode: 'proxy' } }, { requestHeader: FRONT_PROXY })]) {
      assert.equal(has(objects, 'APIService'), false);
      assert.equal(has(objects, 'ConfigMap', 'furnace-request-header'), false);
      const pod = find<V1Deployment>(objects, 'Deployment').spec?.template.spec;
      assert.ok(!pod?.volumes?.some((v) => v.configMap?.name === 'furnace-request-header'));
      assert.equal((await loadPlannedConfig(objects)).requestHeader, undefined);
    }
  });

  it('on OpenShift points the APIService at the one Service and lets the service CA keep caBundle', () => {
    const objects = plan(
      {},
      { platform: 'openshift', certificates: { bundlePem: CERTS.ca.certPem }, requestHeader: FRONT_PROXY },
    );
    const apiService = find<KubernetesObject & { spec: Record<string, unknown> }>(objects, 'APIService');
    assert.deepEqual(apiService.spec.service, { namespace: 'furnace', name: 'furnace', port: 8080 });
    assert.equal(apiService.metadata?.annotations?.['service.beta.openshift.io/inject-cabundle'], 'true');
  });
});

/** A fake applier (the API server is the boundary): `get` answers the one ConfigMap given, by key. */
function applierWith(configMap: V1ConfigMap | undefined): { applier: Applier; asked: string[] } {
  const asked: string[] = [];
  const applier = {
    get: (resource: { kind: string }, key: { namespace: string; name: string }) => {
      asked.push(`${resource.kind}/${key.namespace}/${key.name}`);
      return Promise.resolve(configMap);
    },
  } as unknown as Applier;
  return { applier, asked };
}

describe('the reconcile reads the request-header CA (fake applier)', () => {
  it('reads kube-system/extension-apiserver-authentication: the CA and the JSON list of allowed names', async () => {
    const { applier, asked } = applierWith({
      data: {
        'requestheader-client-ca-file': FRONT_PROXY.clientCaPem,
        'requestheader-allowed-names': '["front-proxy-client","aggregator"]',
      },
    });
    assert.deepEqual(await readRequestHeaderSource(applier), {
      clientCaPem: FRONT_PROXY.clientCaPem,
      allowedNames: ['front-proxy-client', 'aggregator'],
    });
    assert.deepEqual(asked, ['ConfigMap/kube-system/extension-apiserver-authentication']);
  });

  it('answers nothing without the aggregation layer (no ConfigMap, or no request-header CA in it)', async () => {
    assert.equal(await readRequestHeaderSource(applierWith(undefined).applier), undefined);
    const clientCaOnly = applierWith({ data: { 'client-ca-file': 'x' } }).applier;
    assert.equal(await readRequestHeaderSource(clientCaOnly), undefined);
  });
});
