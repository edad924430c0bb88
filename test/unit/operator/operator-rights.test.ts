// The operator's rights (deploy/manifests/operator-rbac.ts) against what its planners write: a Role in its
// own namespace for everything namespaced there, resourceNames on every cluster-scoped object and on the
// CA ConfigMap of opted-in namespaces, nothing else written cluster-wide. Matched as RBAC matches a rule
// (resourceNames included); test/kube/operator-own-namespace.test.ts asks the real API server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject, V1PolicyRule } from '@kubernetes/client-node';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { OPERATOR_CLUSTER_RULES, OPERATOR_NAMESPACE_RULES } from '../../../deploy/manifests/operator-rbac.ts';
import { EXTENSION_APISERVER_AUTHENTICATION } from '../../../operator/furnace/furnace-inputs.ts';
import { SERVER_RULES, SHARED_CATALOG_RULES } from '../../../operator/furnace/plan-access.ts';
import { planFurnace, type Platform } from '../../../operator/furnace/plan.ts';
import { resourceOf } from '../../../operator/resources.ts';
import { PLAN_CERTIFICATES } from '../../harness/furnace-plan.ts';

const NAMESPACE = 'furnace';

interface Request {
  group: string;
  resource: string;
  verb: string;
  name?: string;
}

/** Whether one of `rules` allows the request, as the RBAC authorizer decides it (no wildcards are used). */
function allows(rules: readonly V1PolicyRule[], request: Request): boolean {
  return rules.some(
    (rule) =>
      (rule.apiGroups ?? []).includes(request.group) &&
      (rule.resources ?? []).includes(request.resource) &&
      rule.verbs.includes(request.verb) &&
      (!rule.resourceNames?.length ||
        (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

/** Everything a Furnace can plan: agent mode, an Ingress, the aggregated API, on both platforms. */
function everythingPlanned(platform: Platform): KubernetesObject[] {
  const spec: FurnaceSpec = {
    agent: { enabled: true },
    ingress: { enabled: true },
    route: { host: 'f.example' },
  };
  return planFurnace({
    furnace: {
      apiVersion: 'furnace.hyperfoil.io/v1alpha1',
      kind: 'Furnace',
      metadata: { name: 'furnace', namespace: NAMESPACE, uid: 'uid-1', generation: 1 },
      spec,
    },
    platform,
    certificates: { ...PLAN_CERTIFICATES },
    optedInNamespaces: ['shop', NAMESPACE],
    requestHeader: { clientCaPem: 'front-proxy CA', allowedNames: [] },
  });
}

function requestFor(object: KubernetesObject, verb: string): Request {
  const resource = resourceOf(object);
  const group = resource.apiVersion.includes('/') ? (resource.apiVersion.split('/')[0] ?? '') : '';
  return { group, resource: resource.plural, verb, name: object.metadata?.name ?? '' };
}

const CLUSTER_WRITES_WITHOUT_NAMES = [
  'furnace.hyperfoil.io/furnaces/status',
  'furnace.hyperfoil.io/recordings',
  'furnace.hyperfoil.io/recordings/status',
  // A continuous Recording: its finalizer, and its selection, which the server checks as this subresource.
  'furnace.hyperfoil.io/recordings/finalizers',
  'furnace.hyperfoil.io/recordings/continuous',
  // Granted to the server when artifacts are in a bucket (its replicas' shared catalog entries).
  'furnace.hyperfoil.io/recordingentries',
  '/events',
  'authentication.k8s.io/tokenreviews',
  'authorization.k8s.io/subjectaccessreviews',
];

/** What a Recording's spec.watch follows and the Recording controller watches, in every namespace. */
const WATCHED_WORKLOADS = ['deployments', 'statefulsets', 'daemonsets'];

describe("the operator's rights", () => {
  it('allow every object the plan writes: in its namespace by its Role, elsewhere by name only', () => {
    for (const platform of ['kubernetes', 'openshift'] as const) {
      for (const object of everythingPlanned(platform)) {
        const own = object.metadata?.namespace === NAMESPACE;
        const what = `${platform}: ${object.kind ?? ''} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
        for (const verb of ['get', 'create', 'patch', 'delete']) {
          const request = requestFor(object, verb);
          assert.ok(
            allows(own ? OPERATOR_NAMESPACE_RULES : OPERATOR_CLUSTER_RULES, request),
            `${verb} ${what}`,
          );
          // Workloads are read everywhere (a Recording's spec.watch follows them); nothing else of its own.
          const watchedRead = verb === 'get' && WATCHED_WORKLOADS.includes(request.resource);
          if (watchedRead) continue;
          if (own) assert.ok(!allows(OPERATOR_CLUSTER_RULES, request), `${verb} ${what} in every namespace`);
          else
            assert.ok(
              !allows(OPERATOR_CLUSTER_RULES, { ...request, name: 'another' }),
              `${verb} any ${what}`,
            );
        }
      }
    }
  });

  it('write nothing cluster-wide without naming it, but status, recordings (the server asks) and what the server is granted', () => {
    for (const rule of OPERATOR_CLUSTER_RULES) {
      const writes = rule.verbs.filter((v) => !['get', 'list', 'watch'].includes(v));
      if (writes.length === 0 || rule.resourceNames?.length) continue;
      for (const resource of rule.resources ?? [])
        assert.ok(
          CLUSTER_WRITES_WITHOUT_NAMES.includes(`${rule.apiGroups?.[0] ?? ''}/${resource}`),
          `${writes.join(',')} ${resource} in every namespace`,
        );
    }
    for (const [group, resource] of [
      ['', 'secrets'],
      ['', 'configmaps'],
      ['', 'serviceaccounts'],
      ['apps', 'deployments'],
      ['apps', 'daemonsets'],
      ['rbac.authorization.k8s.io', 'rolebindings'],
      ['furnace.hyperfoil.io', 'furnaces'],
    ] as const)
      for (const verb of ['create', 'patch', 'update', 'delete'])
        assert.ok(
          !allows(OPERATOR_CLUSTER_RULES, { group, resource, verb, name: 'anything' }),
          `${verb} ${resource}`,
        );
    for (const verb of ['get', 'list'])
      assert.ok(!allows(OPERATOR_CLUSTER_RULES, { group: '', resource: 'secrets', verb }), `${verb} secrets`);
  });

  it("hold every permission of the server's ClusterRole, so they grant it without escalate or bind", () => {
    for (const rule of [...SERVER_RULES, ...SHARED_CATALOG_RULES])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs)
          assert.ok(
            allows(OPERATOR_CLUSTER_RULES, { group: rule.apiGroups?.[0] ?? '', resource, verb }),
            `${verb} ${resource}`,
          );
  });

  it('read what the controllers watch: Furnaces, Recordings, their pods, the workloads they follow and namespaces everywhere; the request-header CA', () => {
    const everywhere: [string, string][] = [
      ['furnace.hyperfoil.io', 'furnaces'],
      ['furnace.hyperfoil.io', 'recordings'],
      ['', 'pods'],
      ['', 'namespaces'],
      ...WATCHED_WORKLOADS.map((resource): [string, string] => ['apps', resource]),
    ];
    for (const [group, resource] of everywhere)
      for (const verb of ['get', 'list', 'watch'])
        assert.ok(allows(OPERATOR_CLUSTER_RULES, { group, resource, verb }), `${verb} ${resource}`);
    const { name } = EXTENSION_APISERVER_AUTHENTICATION;
    assert.ok(allows(OPERATOR_CLUSTER_RULES, { group: '', resource: 'configmaps', verb: 'get', name }));
    assert.ok(!allows(OPERATOR_CLUSTER_RULES, { group: '', resource: 'configmaps', verb: 'patch', name }));
  });

  it('read the admission policy of continuous Recordings and its binding by name, and may only find and delete the webhook configuration it replaced', () => {
    const group = 'admissionregistration.k8s.io';
    const name = 'furnace-recordings';
    for (const resource of ['validatingadmissionpolicies', 'validatingadmissionpolicybindings']) {
      assert.ok(allows(OPERATOR_CLUSTER_RULES, { group, resource, verb: 'get', name }), resource);
      assert.ok(!allows(OPERATOR_CLUSTER_RULES, { group, resource, verb: 'get', name: 'other' }), resource);
    }
    const legacy = 'validatingwebhookconfigurations';
    for (const verb of ['list', 'delete'])
      assert.ok(allows(OPERATOR_CLUSTER_RULES, { group, resource: legacy, verb, name }), verb);
    for (const verb of ['create', 'update', 'patch', 'get', 'watch'])
      assert.ok(!allows(OPERATOR_CLUSTER_RULES, { group, resource: legacy, verb, name }), verb);
    assert.ok(!allows(OPERATOR_CLUSTER_RULES, { group, resource: legacy, verb: 'delete', name: 'other' }));
  });
});
