// `furnace inject` writes YAML that means to kubectl (YAML 1.1) what the input meant, keeps untouched
// documents byte for byte, and is idempotent as text. The reading side uses the yaml package's standard
// YAML 1.1 schema, independent of the one the CLI writes with.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { run } from '../../../cli/inject.ts';
import { runCli, type CliResult } from '../../harness/cli.ts';
import { assertNothingLost } from '../core/injection-support.ts';

function inject(stdin: string, argv: string[] = []): Promise<CliResult> {
  return runCli(run, argv, stdin);
}

/** What kubectl reads: YAML 1.1, where yes/no/on/off/y/n are booleans and 0400 is octal. */
function readAsYaml11(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as unknown);
}

const SERVICE = `apiVersion: v1
kind:   Service      # odd spacing, kept
metadata: { name: web, labels: { "app": 'web' } }
spec:
  ports:
  - {port: 80, targetPort: "http"}
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    note: "yes"
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: ["--verbose", "on"]
        env:
        - name: FEATURE_X
          value: "yes"
        - name: LEGACY
          value: "no"
        - name: SWITCH
          value: "on"
        - name: OTHER
          value: "off"
        - name: SHORT_Y
          value: "y"
        - name: SHORT_N
          value: 'n'
        - name: OCTAL_STRING
          value: "0400"
        - name: TIME
          value: "1:20"
      volumes:
      - name: secret
        secret:
          secretName: web-tls
          defaultMode: 0400
          items:
          - key: tls.key
            path: tls.key
            mode: 0600
`;

describe('furnace inject: YAML as kubectl reads it', () => {
  it('keeps quoted yes/no/on/off/y/n strings and octal modes meaning what they meant', async () => {
    const result = await inject(DEPLOYMENT);
    assert.equal(result.code, 0, result.stderr);
    const [before] = readAsYaml11(DEPLOYMENT);
    const [after] = readAsYaml11(result.stdout);
    // Every value of the input is still there, with the same type and value, under YAML 1.1.
    assertNothingLost(before, after);
    const env = (after as { spec: { template: { spec: { containers: { env?: { value?: unknown }[] }[] } } } })
      .spec.template.spec.containers[0]?.env;
    assert.deepEqual(
      env?.map((e) => e.value),
      ['yes', 'no', 'on', 'off', 'y', 'n', '0400', '1:20'],
    );
    // The octal modes are written as they were, not as the decimal 400 (which would be mode 0620).
    assert.match(result.stdout, /defaultMode: 0400\n/);
    assert.match(result.stdout, /mode: 0600\n/);
    assert.match(result.stdout, /value: "yes"\n/);
    assert.match(result.stdout, /- name: furnace\n/);
  });

  it('quotes what it adds wherever YAML 1.1 would read it as something else', async () => {
    const result = await inject(DEPLOYMENT, ['--image', 'registry.example/furnace:on']);
    assert.equal(result.code, 0, result.stderr);
    const [after] = readAsYaml11(result.stdout) as [
      { spec: { template: { spec: { containers: { name: string; image?: unknown }[] } } } },
    ];
    const sidecar = after.spec.template.spec.containers.find((c) => c.name === 'furnace');
    assert.equal(sidecar?.image, 'registry.example/furnace:on');
  });

  it('leaves untouched documents byte for byte, comments and odd formatting included', async () => {
    const configMap = `# settings
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  enabled: "true"
  mode: "0644"
  motd: |
    Welcome!
    On: yes


`;
    const input = `${SERVICE}---\n${DEPLOYMENT}---\n${configMap}`;
    const result = await inject(input);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.startsWith(`${SERVICE}---\n`), 'the Service is kept as it was');
    assert.ok(result.stdout.endsWith(`---\n${configMap}`), 'the ConfigMap is kept as it was');
    const nothingToDo = `${SERVICE}---\n${configMap.trimEnd()}`;
    assert.equal((await inject(nothingToDo)).stdout, nothingToDo, 'no change at all: the very same bytes');
  });

  it('writes a comment that sits directly above an injected document once (a license header)', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
  - name: api
    image: api:1
`;
    for (const input of [
      `# top comment\n${pod}`,
      `# Copyright the authors\n# SPDX-License-Identifier: Apache-2.0\n${DEPLOYMENT}`,
      `${SERVICE}---\n# the pod\n${pod}`,
    ]) {
      const result = await inject(input);
      assert.equal(result.code, 0, result.stderr);
      for (const line of input.split('\n').filter((l) => l.startsWith('#'))) {
        const times = result.stdout.split('\n').filter((l) => l === line).length;
        assert.equal(times, 1, `${line} is written ${times} times:\n${result.stdout}`);
      }
      assert.ok(result.stdout.includes('furnace.hyperfoil.io/injected'), result.stdout);
      assert.equal(
        (await inject(result.stdout)).stdout,
        result.stdout,
        'and injecting again changes nothing',
      );
    }
  });

  it('is idempotent as text, also for a file that ends in ---', async () => {
    const input = `${DEPLOYMENT}---\n`;
    const once = await inject(input);
    const twice = await inject(once.stdout);
    const thrice = await inject(twice.stdout);
    assert.equal(twice.stdout, once.stdout);
    assert.equal(thrice.stdout, once.stdout);
    assert.ok(once.stdout.endsWith('\n---\n'), 'the closing --- stays, with no empty line added');
  });

  it('keeps CRLF line endings in what it rewrites', async () => {
    const input = DEPLOYMENT.replaceAll('\n', '\r\n');
    const result = await inject(input);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /- name: furnace\r\n/);
    assert.doesNotMatch(result.stdout, /[^\r]\n/);
    assertNothingLost(readAsYaml11(input)[0], readAsYaml11(result.stdout)[0]);
  });

  it('injects through anchors and merge keys, with the same meaning', async () => {
    const input = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  labels: &labels
    app: db
    tier: "off"
spec:
  serviceName: db
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels:
        <<: *labels
        extra: "y"
    spec:
      containers:
      - name: db
        image: postgres:16
`;
    const result = await inject(input);
    assert.equal(result.code, 0, result.stderr);
    const [before] = readAsYaml11(input);
    const [after] = readAsYaml11(result.stdout) as [
      { spec: { template: { metadata: { labels: unknown }; spec: { containers: { name: string }[] } } } },
    ];
    assertNothingLost(before, after);
    assert.deepEqual(after.spec.template.metadata.labels, { app: 'db', tier: 'off', extra: 'y' });
    assert.deepEqual(
      after.spec.template.spec.containers.map((c) => c.name),
      ['db', 'furnace'],
    );
  });
});
