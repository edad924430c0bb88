// What a tenant gets from an installed Furnace, as the real API server answers: a user who is `admin`,
// `edit` or `view` of one namespace only (a RoleBinding), on a cluster whose controller manager folds every
// ClusterRole labelled aggregate-to-admin/edit/view into those roles. Installed as OLM would install the
// bundle (its ClusterRoles, plus the ClusterRoles OLM itself writes for the CRDs the CSV owns) and as
// kustomize installs deploy/overlays. Creating a Furnace equals cluster-admin (docs/security.md), and a
// perf.data of a DWARF recording holds raw stack memory: neither may come with `admin`, `edit` or `view`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it, type TestContext } from 'node:test';
import {
  AuthorizationV1Api,
  CustomObjectsApi,
  RbacAuthorizationV1Api,
  type V1ClusterRole,
} from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { API_GROUP, API_VERSION, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import { FURNACE_PLURAL, RECORDING_PLURAL } from '../../core/crd/resources.ts';
import { createNamespace, createServiceAccountToken, RUN_ID, useCluster } from '../harness/cluster.ts';
import { installCrds } from '../harness/crds.ts';
import { eventually } from '../harness/eventually.ts';
import { olmProvidedApiClusterRoles } from '../harness/olm-roles.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { KubeConfig } from '@kubernetes/client-node';

const { cp, kc } = await useCluster();
const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
const TENANT_ROLES = ['admin', 'edit', 'view'] as const;
type TenantRole = (typeof TENANT_ROLES)[number];

let namespace = '';
const tenants = {} as Record<TenantRole, { user: string; kubeConfig: KubeConfig }>;

/** A service account of the tenant namespace, bound there (RoleBinding) to the cluster's `role`. */
async function tenantBoundTo(role: TenantRole) {
  const name = `tenant-${role}`;
  const sa = await cp.kubectl(['create', 'serviceaccount', name, '-n', namespace]);
  assert.equal(sa.code, 0, sa.stderr);
  const bound = await cp.kubectl([
    'create',
    'rolebinding',
    name,
    '-n',
    namespace,
    `--clusterrole=${role}`,
    `--serviceaccount=${namespace}:${name}`,
  ]);
  assert.equal(bound.code, 0, bound.stderr);
  const token = await createServiceAccountToken(kc, { namespace, serviceAccount: name });
  const cluster = kc.getCurrentCluster();
  assert.ok(cluster);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return { user: `system:serviceaccount:${namespace}:${name}`, kubeConfig };
}

/** The cluster's answer to "may `user` do `verb` on `resource` in the tenant namespace", as the server asks it. */
async function allowed(user: string, verb: string, resource: string, group = API_GROUP): Promise<boolean> {
  const review = await kc.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
    body: {
      spec: {
        user,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
        resourceAttributes: { namespace, verb, group, resource },
      },
    },
  });
  return review.status?.allowed === true;
}

/**
 * Creates the ClusterRoles under run-unique names (labels, which aggregation selects on, unchanged), and
 * deletes them after the test.
 */
async function applyClusterRoles(t: TestContext, roles: V1ClusterRole[]): Promise<void> {
  for (const role of roles) {
    const metadata = role.metadata ?? {};
    const name = `${metadata.name ?? ''}-${RUN_ID}`;
    t.after(() => rbac.deleteClusterRole({ name }).then(() => undefined));
    await rbac.createClusterRole({
      body: {
        ...role,
        metadata: {
          name,
          labels: { ...metadata.labels, [TEST_RUN_LABEL]: RUN_ID },
        },
      },
    });
  }
}

/**
 * Waits until the aggregation controller has caught up with every ClusterRole created so far: a probe
 * role labelled for all three, created last, shows in each tenant role once its pass is done.
 */
async function aggregationCaughtUp(t: TestContext, probe: string): Promise<void> {
  const labels = Object.fromEntries(
    TENANT_ROLES.map((role) => [`rbac.authorization.k8s.io/aggregate-to-${role}`, 'true']),
  );
  await applyClusterRoles(t, [
    {
      metadata: { name: `furnace-aggregation-probe-${probe}`, labels },
      rules: [{ apiGroups: ['probe.furnace.test'], resources: [probe], verbs: ['get'] }],
    },
  ]);
  for (const role of TENANT_ROLES)
    await eventually(
      async () =>
        (await allowed(tenants[role].user, 'get', probe, 'probe.furnace.test')) ? true : undefined,
      60_000,
      `the aggregation controller folding the probe into ${role}`,
      250,
    );
}

/** Every tenant role may do none of what only a cluster admin, or a Furnace role binding, grants. */
async function assertNothingGranted(): Promise<void> {
  for (const role of TENANT_ROLES) {
    const { user } = tenants[role];
    for (const verb of ['create', 'update', 'patch', 'delete'])
      assert.equal(await allowed(user, verb, FURNACE_PLURAL), false, `${role} may ${verb} furnaces`);
    for (const verb of ['get', 'list', 'create', 'delete'])
      assert.equal(await allowed(user, verb, RECORDING_PLURAL), false, `${role} may ${verb} recordings`);
    assert.equal(await allowed(user, 'create', `${RECORDING_PLURAL}/bpftrace`), false, role);
  }
  // And the API server itself refuses the Furnace the namespace admin writes.
  const created = await tenants.admin.kubeConfig
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({
      group: API_GROUP,
      version: API_VERSION,
      namespace,
      plural: FURNACE_PLURAL,
      body: {
        apiVersion: `${API_GROUP}/${API_VERSION}`,
        kind: 'Furnace',
        metadata: { name: 'furnace' },
        spec: {},
      },
    })
    .then(
      () => 'created',
      (error: unknown) => String((error as { code?: number }).code),
    );
  assert.equal(created, '403', 'a namespace admin creates a Furnace');
}

function yamlDocuments(text: string): { kind?: string }[] {
  return parseAllDocuments(text).map((d) => d.toJS() as { kind?: string });
}

before(async () => {
  await installCrds(cp);
  namespace = await createNamespace(kc, { prefix: 'tenant' });
  for (const role of TENANT_ROLES) tenants[role] = await tenantBoundTo(role);
});

describe('a namespace admin, editor or viewer of an installed Furnace', () => {
  it('may not create a Furnace nor read or start recordings with the roles the OLM bundle installs, as OLM writes them', async (t) => {
    const bundle = join(PROJECT_ROOT, 'deploy/olm/bundle/manifests');
    const manifests = readdirSync(bundle).map(
      (file) => parse(readFileSync(join(bundle, file), 'utf8')) as V1ClusterRole & { kind: string },
    );
    const csv = manifests.find((m) => m.kind === 'ClusterServiceVersion') as unknown as Parameters<
      typeof olmProvidedApiClusterRoles
    >[0];
    await applyClusterRoles(t, [
      ...manifests.filter((m) => m.kind === 'ClusterRole'),
      ...olmProvidedApiClusterRoles(csv),
    ]);
    await aggregationCaughtUp(t, 'olm');
    await assertNothingGranted();
  });

  it('may not create a Furnace nor read or start recordings with the roles kustomize installs', async (t) => {
    const roles = new Map<string, V1ClusterRole>();
    for (const overlay of ['kubernetes', 'openshift']) {
      const rendered = await cp.kubectl(['kustomize', join(PROJECT_ROOT, 'deploy/overlays', overlay)]);
      assert.equal(rendered.code, 0, rendered.stderr);
      for (const doc of yamlDocuments(rendered.stdout))
        if (doc.kind === 'ClusterRole') {
          const role = doc as V1ClusterRole;
          const name = `${role.metadata?.name ?? ''}-kustomize`;
          roles.set(name, { ...role, metadata: { ...role.metadata, name } });
        }
    }
    await applyClusterRoles(t, [...roles.values()]);
    await aggregationCaughtUp(t, 'kustomize');
    await assertNothingGranted();
  });
});
