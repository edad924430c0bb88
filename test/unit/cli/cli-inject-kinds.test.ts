// `furnace inject` on a whole application: which kinds are injected, what passes through unchanged, and
// what is skipped (explicit opt-out, Windows) with the reason on stderr.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { run } from '../../../cli/inject.ts';
import { INJECTED_ANNOTATION } from '../../../core/contract/names.ts';
import { runCli, type CliResult } from '../../harness/cli.ts';

function inject(stdin: string, argv: string[] = []): Promise<CliResult> {
  return runCli(run, argv, stdin);
}

/** Documents that are not workloads, each as a user would write it. */
const PASS_THROUGH = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
  'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: reader\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [get, list]\n',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: reader\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n- {kind: ServiceAccount, name: web}\n',
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  on: "yes"\n',
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\nstringData:\n  password: "no"\n',
  [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  name: widgets.example.com',
    'spec:',
    '  group: example.com',
    '  names: {kind: Widget, plural: widgets}',
    '  scope: Namespaced',
    '  versions:',
    '  - name: v1',
    '    served: true',
    '    storage: true',
    '    schema:',
    '      openAPIV3Schema:',
    '        type: object',
    '        properties:',
    '          spec:',
    '            type: object',
    '            properties:',
    '              template: {type: object, x-kubernetes-preserve-unknown-fields: true}',
    '',
  ].join('\n'),
  // A custom resource named like a workload, in another group: not ours to change.
  'apiVersion: example.com/v1\nkind: Deployment\nmetadata:\n  name: custom\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: a\n',
  'apiVersion: v1\nkind: List\nitems: null\n',
  'apiVersion: v1\nkind: List\nitems: []\nmetadata:\n  resourceVersion: ""\n',
  '# only a comment\n',
];

const DEPLOYMENT_CONFIG = `apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata:
  name: legacy
spec:
  replicas: 1
  selector:
    app: legacy
  template:
    metadata:
      labels:
        app: legacy
    spec:
      containers:
      - name: legacy
        image: registry.example/legacy:1
`;

const LIST = `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: DaemonSet
  metadata:
    name: agent
  spec:
    selector:
      matchLabels: {app: agent}
    template:
      metadata:
        labels: {app: agent}
      spec:
        containers:
        - name: agent
          image: registry.example/agent:1
- apiVersion: v1
  kind: Service
  metadata:
    name: agent
  spec:
    ports:
    - port: 9100
`;

function podSpecs(documents: unknown[]): { kind: string; containers: string[] }[] {
  return documents.flatMap((doc) => {
    const d = doc as {
      kind?: string;
      spec?: { template?: { spec?: { containers?: { name: string }[] } } };
    } | null;
    const containers = d?.spec?.template?.spec?.containers;
    return containers ? [{ kind: d?.kind ?? '?', containers: containers.map((c) => c.name) }] : [];
  });
}

describe('furnace inject: kinds', () => {
  it('passes every document that is not a workload through unchanged, with exit 0', async () => {
    const input = PASS_THROUGH.join('---\n');
    const result = await inject(input);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, input);
    assert.equal(result.stderr, '', 'nothing to report: no pod was seen');
  });

  it('injects an OpenShift DeploymentConfig and the workloads inside a List', async () => {
    const input = [DEPLOYMENT_CONFIG, ...PASS_THROUGH, LIST].join('---\n');
    const result = await inject(input);
    assert.equal(result.code, 0, result.stderr);
    const documents = parseAllDocuments(result.stdout, { version: '1.1' }).map((d) => d.toJS() as unknown);
    assert.deepEqual(podSpecs(documents), [
      { kind: 'DeploymentConfig', containers: ['legacy', 'furnace'] },
      { kind: 'Deployment', containers: ['a'] },
    ]);
    const list = documents.at(-1) as { items: unknown[] };
    assert.deepEqual(podSpecs(list.items), [{ kind: 'DaemonSet', containers: ['agent', 'furnace'] }]);
    assert.match(result.stderr, /DeploymentConfig\/legacy: injected/);
    assert.match(result.stderr, /DaemonSet\/agent: injected/);
    assert.ok(
      result.stdout.includes(PASS_THROUGH.join('---\n')),
      'the documents between are kept as they were',
    );
  });

  it('names the injected kinds in its usage', async () => {
    const help = await inject('', ['--help']);
    assert.equal(help.code, 0);
    for (const kind of [
      'Pod',
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'Job',
      'CronJob',
      'DeploymentConfig',
    ]) {
      assert.match(help.stdout, new RegExp(`\\b${kind}\\b`));
    }
    assert.match(help.stdout, /--force/);
  });
});

const OPTED_OUT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  selector:
    matchLabels: {app: payments}
  template:
    metadata:
      labels:
        app: payments
        furnace: "false"
    spec:
      containers:
      - name: payments
        image: registry.example/payments:3
`;

const WINDOWS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: iis
spec:
  selector:
    matchLabels: {app: iis}
  template:
    metadata:
      labels: {app: iis}
    spec:
      nodeSelector:
        kubernetes.io/os: windows
      containers:
      - name: iis
        image: mcr.microsoft.com/windows/servercore/iis
`;

describe('furnace inject: skips', () => {
  it('respects an explicit opt-out and says so on stderr; --force overrides it', async () => {
    const skipped = await inject(OPTED_OUT);
    assert.equal(skipped.code, 0);
    assert.equal(skipped.stdout, OPTED_OUT);
    assert.match(skipped.stderr, /Deployment\/payments: not injected \(pod-opted-out\): .*furnace.*--force/);

    const forced = await inject(OPTED_OUT, ['--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, new RegExp(INJECTED_ANNOTATION.replaceAll('.', '\\.')));
    assert.match(forced.stderr, /Deployment\/payments: injected \(requested, opt-out-overridden\)/);
  });

  it('skips Windows pods, even with --force, and says why', async () => {
    const result = await inject(WINDOWS, ['--force']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, WINDOWS);
    assert.match(result.stderr, /Deployment\/iis: not injected \(windows-pod\): .*Windows/);
  });
});
