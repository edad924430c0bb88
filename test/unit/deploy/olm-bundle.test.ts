// The checked-in OLM bundle is well formed and says what deploy/base says.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition } from '../../../core/crd/crd-object.ts';
import { DEFAULT_IMAGES } from '../../../core/crd/resources.ts';
import { SAMPLE_FURNACE, SAMPLE_RECORDING } from '../../../deploy/manifests/samples.ts';
import { copySources, parseDockerfile } from '../../harness/dockerfile.ts';
import { schemaErrors } from '../../harness/openapi-schema-check.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

const BUNDLE = join(PROJECT_ROOT, 'deploy/olm/bundle');
/** Kinds a registry+v1 bundle may carry besides its CSV and CRDs (those OLM knows how to install). */
const BUNDLE_KINDS = [
  'ClusterServiceVersion',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'ServiceAccount',
  'ConfigMap',
  'Secret',
];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  rules?: unknown[];
}

interface Csv extends Manifest {
  spec: {
    version: string;
    installModes: { type: string; supported: boolean }[];
    customresourcedefinitions: { owned?: { name: string; version: string; kind: string }[] };
    install: {
      strategy: string;
      spec: {
        permissions: { serviceAccountName: string; rules: unknown[] }[];
        clusterPermissions: { serviceAccountName: string; rules: unknown[] }[];
        deployments: { name: string; spec: DeploymentSpec }[];
      };
    };
    relatedImages: { name: string; image: string }[];
  };
}

interface DeploymentSpec {
  template: { spec: { serviceAccountName: string; containers: { image: string; command: string[] }[] } };
}

const manifests: Manifest[] = readdirSync(join(BUNDLE, 'manifests')).map(
  (file) => parse(readFileSync(join(BUNDLE, 'manifests', file), 'utf8')) as Manifest,
);
const csv = manifests.find((m) => m.kind === 'ClusterServiceVersion') as Csv;
const crds = manifests.filter(
  (m) => m.kind === 'CustomResourceDefinition',
) as unknown as CustomResourceDefinition[];

function baseDocuments(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(PROJECT_ROOT, 'deploy/base', file), 'utf8')).map(
    (d) => d.toJS() as Manifest,
  );
}

function crdSchemaFor(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.split('/');
  const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
  return crd?.spec.versions.find((v) => v.name === version && v.served)?.schema.openAPIV3Schema;
}

describe('OLM bundle', () => {
  it('holds one CSV, named after the package version, and only kinds OLM installs', () => {
    assert.equal(manifests.filter((m) => m.kind === 'ClusterServiceVersion').length, 1);
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(csv.spec.version, version);
    assert.equal(csv.metadata.name, `furnace-operator.v${version}`);
    for (const m of manifests) assert.ok(BUNDLE_KINDS.includes(m.kind), `${m.kind} ${m.metadata.name}`);
  });

  it('carries the CRDs and owns none, so OLM generates no role that folds Furnace rights into admin, edit or view', () => {
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), [
      'furnaces.furnace.hyperfoil.io',
      'recordingentries.furnace.hyperfoil.io',
      'recordings.furnace.hyperfoil.io',
    ]);
    // For each owned CRD OLM writes <crd>-<version>-admin/-edit/-view labelled aggregate-to-*: `create
    // furnaces` (cluster-admin) for every namespace admin, recordings for every viewer.
    assert.deepEqual(csv.spec.customresourcedefinitions.owned ?? [], []);
    assert.equal(csv.metadata.annotations?.['alm-examples'], undefined, 'examples of kinds it does not own');
  });

  it("accepts the samples users apply (a Furnace with spec: {}, a Recording) by its CRDs' schemas", () => {
    const samples = [SAMPLE_FURNACE, SAMPLE_RECORDING] as unknown as Manifest[];
    for (const sample of samples) {
      const schema = crdSchemaFor(sample.apiVersion, sample.kind);
      assert.ok(schema, `${sample.apiVersion} ${sample.kind} is a kind of the bundle`);
      assert.deepEqual(schemaErrors(schema, sample), [], sample.kind);
    }
    // The check is not vacuous: a Recording with a duration out of range fails it.
    const bad = {
      ...SAMPLE_RECORDING,
      spec: { ...SAMPLE_RECORDING.spec, durationSeconds: 0, colour: 'red' },
    };
    assert.deepEqual(schemaErrors(crdSchemaFor(bad.apiVersion, bad.kind) ?? {}, bad), [
      '.spec.durationSeconds: below 1',
      '.spec.colour: unknown field',
    ]);
  });

  it('has user ClusterRoles that aggregate into no built-in role', () => {
    const roles = manifests.filter((m) => m.kind === 'ClusterRole');
    assert.deepEqual(roles.map((r) => r.metadata.name).sort(), [
      'furnace-continuous',
      'furnace-recorder',
      'furnace-tracer',
      'furnace-viewer',
    ]);
    for (const role of roles) {
      const labels = Object.keys((role.metadata as { labels?: Record<string, string> }).labels ?? {});
      assert.deepEqual(
        labels.filter((l) => l.includes('aggregate-to')),
        [],
        role.metadata.name,
      );
    }
  });

  it('supports exactly the AllNamespaces install mode (the operator watches the whole cluster)', () => {
    const modes = Object.fromEntries(csv.spec.installModes.map((m) => [m.type, m.supported]));
    assert.deepEqual(modes, {
      OwnNamespace: false,
      SingleNamespace: false,
      MultiNamespace: false,
      AllNamespaces: true,
    });
  });

  it('installs the Deployment and the rules of deploy/base, with the release images', () => {
    const install = csv.spec.install;
    assert.equal(install.strategy, 'deployment');
    const [deployment] = baseDocuments('operator-deployment.yaml');
    assert.deepEqual(install.spec.deployments, [{ name: deployment?.metadata.name, spec: deployment?.spec }]);
    const pod = install.spec.deployments[0]?.spec.template.spec;
    assert.equal(pod?.containers[0]?.image, DEFAULT_IMAGES.server);
    assert.deepEqual(pod?.containers[0]?.command, ['node', 'dist/bundle/operator.mjs']);
    const rbac = baseDocuments('operator-rbac.yaml');
    const rulesOf = (kind: string) => rbac.find((d) => d.kind === kind)?.rules;
    assert.deepEqual(install.spec.clusterPermissions, [
      { serviceAccountName: pod?.serviceAccountName, rules: rulesOf('ClusterRole') },
    ]);
    assert.deepEqual(install.spec.permissions, [
      { serviceAccountName: pod?.serviceAccountName, rules: rulesOf('Role') },
    ]);
    const related = csv.spec.relatedImages.map((r) => r.image);
    for (const image of Object.values(DEFAULT_IMAGES)) assert.ok(related.includes(image), image);
  });

  it('has metadata/annotations.yaml naming the package and channel the Subscription sample asks for', () => {
    const { annotations } = parse(readFileSync(join(BUNDLE, 'metadata/annotations.yaml'), 'utf8')) as {
      annotations: Record<string, string>;
    };
    assert.equal(annotations['operators.operatorframework.io.bundle.mediatype.v1'], 'registry+v1');
    assert.equal(annotations['operators.operatorframework.io.bundle.manifests.v1'], 'manifests/');
    assert.equal(annotations['operators.operatorframework.io.bundle.metadata.v1'], 'metadata/');
    const docs = parseAllDocuments(
      readFileSync(join(PROJECT_ROOT, 'deploy/olm/subscription.yaml'), 'utf8'),
    ).map((d) => d.toJS() as Manifest);
    const subscription = docs.find((d) => d.kind === 'Subscription');
    const catalog = docs.find((d) => d.kind === 'CatalogSource');
    assert.equal(subscription?.spec.name, annotations['operators.operatorframework.io.bundle.package.v1']);
    assert.equal(
      subscription?.spec.channel,
      annotations['operators.operatorframework.io.bundle.channel.default.v1'],
    );
    assert.equal(subscription?.spec.source, catalog?.metadata.name);
  });

  it('has a bundle.Dockerfile whose labels are those annotations and whose COPY sources exist', () => {
    const { annotations } = parse(readFileSync(join(BUNDLE, 'metadata/annotations.yaml'), 'utf8')) as {
      annotations: Record<string, string>;
    };
    const [stage] = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'deploy/olm/bundle.Dockerfile'), 'utf8'));
    const labels = stage?.instructions.filter((i) => i.keyword === 'LABEL').map((i) => i.args.split('='));
    assert.deepEqual(Object.fromEntries(labels ?? []), annotations);
    for (const copy of stage?.instructions.filter((i) => i.keyword === 'COPY').map(copySources) ?? [])
      for (const source of copy.sources)
        assert.ok(existsSync(join(PROJECT_ROOT, 'deploy/olm', source)), source);
  });
});
