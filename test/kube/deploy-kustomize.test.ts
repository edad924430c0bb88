// deploy/ on a real API server: both overlays render with the control plane's kubectl, the API server
// accepts every document of the kubernetes overlay and every sample (server-side dry run, so nothing but
// the CRDs is left behind), and the operator's ClusterRole lets it create what it grants (under the
// names its resourceNames hold) without `escalate` or `bind`, through the real RBAC escalation check. The OpenShift-only SecurityContextConstraints
// is not sent to this API server (it has no such kind): it is checked client-side, in
// test/unit/deploy/deploy-manifests.test.ts, against what the webhook injects.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { FURNACE_CRD_NAME, RECORDING_CRD_NAME } from '../../core/crd/resources.ts';
import { TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { OPERATOR_CLUSTER_RULES } from '../../deploy/manifests/operator-rbac.ts';
import { CLUSTER_OBJECT_NAMES } from '../../operator/furnace/furnace-names.ts';
import { SERVER_RULES } from '../../operator/furnace/plan-access.ts';
import { createNamespace, deleteRunObjects, RUN_ID } from '../harness/cluster.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

interface KubeDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  subjects?: { kind: string; namespace?: string }[];
  [key: string]: unknown;
}

let cp: ControlPlane;
let kc: KubeConfig;

async function kubectl(args: string[], input?: string) {
  const result = await cp.kubectl(args, input === undefined ? {} : { input });
  assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function documents(yaml: string): KubeDocument[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as KubeDocument);
}

/** The documents with namespace `from` moved to `to` (a run namespace), in metadata and subjects. */
function moveNamespace(docs: KubeDocument[], from: string, to: string): KubeDocument[] {
  return docs.map((doc) => ({
    ...doc,
    metadata: { ...doc.metadata, ...(doc.metadata.namespace === from ? { namespace: to } : {}) },
    ...(doc.subjects
      ? { subjects: doc.subjects.map((s) => (s.namespace === from ? { ...s, namespace: to } : s)) }
      : {}),
  }));
}

/** Server-side dry run of each document; answers kubectl's lines. */
async function dryRun(docs: KubeDocument[]): Promise<string> {
  const yaml = docs.map((d) => stringify(d)).join('---\n');
  return kubectl(['apply', '--dry-run=server', '-f', '-'], yaml);
}

before(async () => {
  cp = await getControlPlane();
  kc = cp.kubeConfig();
  // The samples need the CRDs for real (a dry run of a CRD does not serve its kind).
  await kubectl(['apply', '-k', join(PROJECT_ROOT, 'deploy/crds')]);
  await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/${FURNACE_CRD_NAME}`,
    `crd/${RECORDING_CRD_NAME}`,
  ]);
});

after(async () => {
  await cp.kubectl(['delete', 'clusterrole,clusterrolebinding', '-l', `${TEST_RUN_LABEL}=${RUN_ID}`]);
  await deleteRunObjects(kc);
});

describe('deploy/ kustomize overlays', () => {
  it('render with kubectl kustomize: kubernetes has the operator, CRDs and user roles; openshift adds the SCC', async () => {
    const kinds = (docs: KubeDocument[]) => docs.map((d) => `${d.kind}/${d.metadata.name}`).sort();
    const kubernetes = documents(
      await kubectl(['kustomize', join(PROJECT_ROOT, 'deploy/overlays/kubernetes')]),
    );
    const openshift = documents(
      await kubectl(['kustomize', join(PROJECT_ROOT, 'deploy/overlays/openshift')]),
    );
    for (const expected of [
      'Namespace/furnace',
      `CustomResourceDefinition/${FURNACE_CRD_NAME}`,
      `CustomResourceDefinition/${RECORDING_CRD_NAME}`,
      'ServiceAccount/furnace-operator',
      'ClusterRole/furnace-operator',
      'ClusterRoleBinding/furnace-operator',
      'Deployment/furnace-operator',
      'ClusterRole/furnace-viewer',
      'ClusterRole/furnace-recorder',
      'ClusterRole/furnace-tracer',
    ])
      assert.ok(kinds(kubernetes).includes(expected), expected);
    const added = kinds(openshift).filter((k) => !kinds(kubernetes).includes(k));
    assert.deepEqual(added, [
      'ClusterRole/furnace-sidecar-scc',
      'SecurityContextConstraints/furnace-sidecar',
    ]);
  });

  it('kubernetes overlay: the API server accepts every document (dry run, namespace moved to a run namespace)', async () => {
    const namespace = await createNamespace(kc, { prefix: 'deploy' });
    const rendered = documents(
      await kubectl(['kustomize', join(PROJECT_ROOT, 'deploy/overlays/kubernetes')]),
    );
    const out = await dryRun(moveNamespace(rendered, 'furnace', namespace));
    assert.equal(out.trim().split('\n').length, rendered.length, out);
    assert.match(out, /deployment\.apps\/furnace-operator (created|configured|unchanged) \(server dry run\)/);
  });

  it('openshift overlay: every document but the SecurityContextConstraints is accepted (dry run; the SCC is checked client-side)', async () => {
    const namespace = await createNamespace(kc, { prefix: 'deploy' });
    const rendered = documents(await kubectl(['kustomize', join(PROJECT_ROOT, 'deploy/overlays/openshift')]));
    const portable = rendered.filter((d) => !d.apiVersion.startsWith('security.openshift.io/'));
    assert.equal(rendered.length - portable.length, 1);
    const out = await dryRun(moveNamespace(portable, 'furnace', namespace));
    assert.equal(out.trim().split('\n').length, portable.length, out);
  });

  it('samples: the API server accepts each one, CEL rules included (dry run)', async () => {
    const furnaceNamespace = await createNamespace(kc, { prefix: 'deploy' });
    const appNamespace = await createNamespace(kc, { prefix: 'deploy' });
    for (const sample of [
      'furnace.yaml',
      'recording.yaml',
      'scheduled-recording.yaml',
      'namespace-opt-in.yaml',
      'role-binding.yaml',
      'openshift-scc-role-binding.yaml',
    ]) {
      const text = await readFile(join(PROJECT_ROOT, 'deploy/samples', sample), 'utf8');
      const moved = moveNamespace(
        moveNamespace(documents(text), 'furnace', furnaceNamespace),
        'my-app',
        appNamespace,
      );
      const out = await dryRun(moved);
      assert.match(out, /\(server dry run\)/, sample);
    }
  });
});

describe('operator RBAC on the real escalation check', () => {
  it("lets the operator create the server's ClusterRole and binding under their names without escalate or bind, and no other", async () => {
    const namespace = await createNamespace(kc, { prefix: 'deploy' });
    const labels = { [TEST_RUN_LABEL]: RUN_ID };
    const operatorRole = `furnace-operator-${RUN_ID}`;
    await kubectl(['create', 'serviceaccount', 'furnace-operator', '-n', namespace]);
    const rbac = 'rbac.authorization.k8s.io/v1';
    const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
    const sa = { kind: 'ServiceAccount', name: 'furnace-operator', namespace };
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: rbac,
            kind: 'ClusterRole',
            metadata: { name: operatorRole, labels },
            rules: OPERATOR_CLUSTER_RULES,
          },
          {
            apiVersion: rbac,
            kind: 'ClusterRoleBinding',
            metadata: { name: operatorRole, labels },
            roleRef: roleRef('ClusterRole', operatorRole),
            subjects: [sa],
          },
        ],
      }),
    );
    const asOperator = [`--as=system:serviceaccount:${namespace}:furnace-operator`];
    // Server-side apply, as the operator writes (a create by POST names no object, so resourceNames
    // cannot allow it; an apply that creates is authorized for the name it writes), dry run: the
    // authorization and escalation checks run, and no furnace-server of another test is touched.
    const create = (object: object) =>
      cp.kubectl(
        [
          ...asOperator,
          'apply',
          '--server-side',
          '--field-manager=furnace-operator',
          '--dry-run=server',
          '-f',
          '-',
        ],
        {
          input: JSON.stringify(object),
        },
      );
    const serverRole = CLUSTER_OBJECT_NAMES.serverClusterRole;
    const role = (name: string, rules: object[]) => ({
      apiVersion: rbac,
      kind: 'ClusterRole',
      metadata: { name, labels },
      rules,
    });
    const binding = (name: string, to: string) => ({
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: roleRef('ClusterRole', to),
      subjects: [sa],
    });
    // What the Furnace reconciler grants the server (operator/furnace/plan-access.ts); the binding is
    // checked against a role that exists and grants reviews only, as the server's does (test/run.sh runs
    // kube files one at a time: a live Furnace's own furnace-server binding would make this a roleRef change).
    for (const object of [
      role(serverRole, [...SERVER_RULES]),
      binding(serverRole, 'system:auth-delegator'),
    ]) {
      const made = await create(object);
      assert.equal(made.code, 0, made.stderr);
    }
    // And the checks are real: another name, or a permission the operator does not hold, is refused.
    const otherName = await create(role(`${serverRole}-other`, [...SERVER_RULES]));
    assert.notEqual(otherName.code, 0);
    assert.match(otherName.stderr, /forbidden/);
    const nodes = await create(role(serverRole, [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]));
    const view = await create(binding(serverRole, 'view'));
    assert.notEqual(view.code, 0, 'a binding to a role whose rights the operator lacks');
    assert.notEqual(nodes.code, 0);
    assert.match(nodes.stderr, /attempting to grant RBAC permissions not currently held/);
  });
});
