import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1PolicyRule, V1Volume } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { DEFAULT_INJECTION_CONFIG } from '../../../core/injection/injection-config.ts';
import { SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { generatedFiles } from '../../../deploy/manifests/generated-files.ts';
import { buildSidecarScc } from '../../../deploy/manifests/openshift-scc.ts';
import { OPERATOR_CLUSTER_RULES, OPERATOR_NAMESPACE_RULES } from '../../../deploy/manifests/operator-rbac.ts';
import { buildUserRoles, USER_ROLE_RULES } from '../../../deploy/manifests/user-roles.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

/** Whether `rules` allow `verb` on `group`/`resource` (no wildcards are used, so none are honoured). */
function allows(rules: readonly V1PolicyRule[], group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs.includes(verb),
  );
}

function kustomizationResources(dir: string): string[] {
  const k = parse(readFileSync(join(PROJECT_ROOT, dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  return k.resources.map((r) => join(dir, r));
}

describe('deploy/ manifests', () => {
  it('are checked in exactly as generated (run node --import tsx deploy/generate.ts after a change)', () => {
    for (const file of generatedFiles()) {
      const path = join(PROJECT_ROOT, file.path);
      assert.ok(existsSync(path), `${file.path} is missing`);
      assert.equal(readFileSync(path, 'utf8'), file.text, file.path);
    }
  });

  it('leave no generated file of base or an overlay out of its kustomization', () => {
    const listed = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of kustomizationResources(dir)) {
        if (existsSync(join(PROJECT_ROOT, entry, 'kustomization.yaml'))) walk(entry);
        else listed.add(entry);
      }
    };
    walk('deploy/overlays/kubernetes');
    walk('deploy/overlays/openshift');
    for (const file of generatedFiles().filter((f) => /^deploy\/(base|overlays|crds)\//.test(f.path)))
      assert.ok(listed.has(file.path), `${file.path} is in no kustomization`);
    for (const path of listed) assert.ok(existsSync(join(PROJECT_ROOT, path)), `${path} does not exist`);
  });

  it('give the operator no wildcard, no escalate, no bind and no impersonate', () => {
    for (const rule of [...OPERATOR_CLUSTER_RULES, ...OPERATOR_NAMESPACE_RULES]) {
      for (const field of [rule.apiGroups, rule.resources, rule.verbs])
        assert.ok(!field?.includes('*'), JSON.stringify(rule));
      for (const verb of ['escalate', 'bind', 'impersonate'])
        assert.ok(!rule.verbs.includes(verb), JSON.stringify(rule));
    }
  });

  it('let the operator record through the server like a user (create, get, delete on recordings)', () => {
    for (const verb of ['create', 'get', 'delete'])
      assert.ok(allows(OPERATOR_CLUSTER_RULES, 'furnace.hyperfoil.io', 'recordings', verb), verb);
  });

  it('let no user role aggregate into admin, edit or view (a viewer would read raw stack memory)', () => {
    const roles = buildUserRoles() as { metadata: { name: string; labels?: Record<string, string> } }[];
    for (const role of roles)
      assert.deepEqual(
        Object.keys(role.metadata.labels ?? {}).filter((l) => l.includes('aggregate-to')),
        [],
        role.metadata.name,
      );
  });

  it('grade the user roles: a viewer reads, a recorder also starts and deletes, a tracer also runs bpftrace, furnace-continuous also switches continuous profiling', () => {
    const g = 'furnace.hyperfoil.io';
    assert.ok(allows(USER_ROLE_RULES.viewer, g, 'recordings', 'get'));
    assert.ok(!allows(USER_ROLE_RULES.viewer, g, 'recordings', 'create'));
    assert.ok(allows(USER_ROLE_RULES.recorder, g, 'recordings', 'create'));
    assert.ok(allows(USER_ROLE_RULES.recorder, g, 'recordings', 'delete'));
    assert.ok(!allows(USER_ROLE_RULES.recorder, g, 'recordings/bpftrace', 'create'));
    assert.ok(allows(USER_ROLE_RULES.tracer, g, 'recordings/bpftrace', 'create'));
    for (const role of ['viewer', 'recorder', 'tracer'] as const)
      assert.ok(!allows(USER_ROLE_RULES[role], g, 'recordings/continuous', 'create'), role);
    assert.ok(allows(USER_ROLE_RULES.continuous, g, 'recordings/continuous', 'create'));
    assert.ok(!allows(USER_ROLE_RULES.continuous, g, 'recordings/bpftrace', 'create'));
    for (const rules of Object.values(USER_ROLE_RULES))
      assert.ok(
        !allows(rules, g, 'recordings/system-wide', 'create'),
        'whole-node recording is granted apart',
      );
  });

  it('keep every generated YAML file parseable, one object per document', () => {
    for (const file of generatedFiles().filter((f) => f.path.endsWith('.yaml'))) {
      const docs = parseAllDocuments(file.text);
      for (const doc of docs) {
        assert.deepEqual(doc.errors, [], file.path);
        const object = doc.toJS() as { apiVersion?: string; kind?: string; annotations?: object };
        const isBundleMetadata = file.path.endsWith('bundle/metadata/annotations.yaml');
        assert.ok(isBundleMetadata ? object.annotations : object.apiVersion && object.kind, file.path);
      }
    }
  });
});

describe('OpenShift SCC for the sidecar', () => {
  const scc = buildSidecarScc() as {
    allowPrivilegedContainer: boolean;
    allowedCapabilities: string[];
    allowedHostPaths: { pathPrefix: string; readOnly: boolean }[];
    runAsUser: { type: string };
    volumes: string[];
  };

  function assertVolumesAllowed(volumes: V1Volume[]): void {
    for (const volume of volumes) {
      const kind = Object.keys(volume).find((k) => k !== 'name') ?? '';
      assert.ok(scc.volumes.includes(kind), `volume type ${kind}`);
      if (!volume.hostPath) continue;
      const allowed = scc.allowedHostPaths.find((p) => p.pathPrefix === volume.hostPath?.path);
      assert.ok(allowed?.readOnly, `host path ${volume.hostPath.path} allowed read-only`);
    }
  }

  for (const securityProfile of ['privileged', 'capabilities'] as const) {
    it(`admits what the webhook injects with securityProfile ${securityProfile}`, () => {
      const pod = injectSidecar(
        { metadata: { name: 'web' }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
        { ...DEFAULT_INJECTION_CONFIG, securityProfile, mountKernelSources: true },
      );
      const sidecar = pod.spec?.containers.find((c) => c.name === SIDECAR_CONTAINER_NAME);
      assert.ok(sidecar?.securityContext);
      if (sidecar.securityContext.privileged) assert.equal(scc.allowPrivilegedContainer, true);
      for (const capability of sidecar.securityContext.capabilities?.add ?? [])
        assert.ok(scc.allowedCapabilities.includes(capability), capability);
      assert.equal(sidecar.securityContext.runAsUser, 0);
      assert.equal(scc.runAsUser.type, 'RunAsAny');
      assertVolumesAllowed(pod.spec?.volumes ?? []);
      const hostMounts = sidecar.volumeMounts?.filter((m) =>
        pod.spec?.volumes?.some((v) => v.name === m.name && v.hostPath),
      );
      assert.ok(hostMounts?.length && hostMounts.every((m) => m.readOnly === true));
    });
  }

  it('warns in its first lines that it is effectively root on the node', () => {
    const scc = generatedFiles().find((f) => f.path === 'deploy/overlays/openshift/sidecar-scc.yaml');
    assert.match(
      scc?.text.split('\n').slice(0, 3).join('\n') ?? '',
      /WARNING: this SCC is effectively root on the node/,
    );
  });
});

describe('deploy/samples', () => {
  it('has the documented samples', () => {
    const names = readdirSync(join(PROJECT_ROOT, 'deploy/samples')).sort();
    for (const name of [
      'furnace.yaml',
      'recording.yaml',
      'scheduled-recording.yaml',
      'rollout-watch.yaml',
      'namespace-opt-in.yaml',
      'role-binding.yaml',
    ])
      assert.ok(names.includes(name), name);
    const furnace = parse(readFileSync(join(PROJECT_ROOT, 'deploy/samples/furnace.yaml'), 'utf8')) as {
      spec: unknown;
    };
    assert.deepEqual(furnace.spec, {});
  });
});
