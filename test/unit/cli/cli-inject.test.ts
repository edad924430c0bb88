import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { run } from '../../../cli/inject.ts';
import { INJECTED_ANNOTATION } from '../../../core/contract/names.ts';
import { runCli, type CliResult } from '../../harness/cli.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

function inject(argv: string[], stdin = ''): Promise<CliResult> {
  return runCli(run, argv, stdin);
}

const MANIFEST = `# the front end
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: '0 0 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: busybox:1.36
`;

function documents(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Record<string, unknown>);
}

function names(containers: V1Container[] | undefined): string[] {
  return (containers ?? []).map((c) => c.name);
}

describe('furnace inject', () => {
  it('injects pod templates of workloads from stdin and passes other documents through', async () => {
    const result = await inject([], MANIFEST);
    assert.equal(result.code, 0, result.stderr);
    const [service, deployment, cronJob] = documents(result.stdout);
    assert.ok(result.stdout.startsWith('# the front end\n'), 'untouched documents keep their comments');
    assert.deepEqual(service, documents(MANIFEST)[0]);

    const template = (deployment as { spec: { template: V1PodTemplateSpec } }).spec.template;
    assert.deepEqual(names(template.spec?.containers), ['web', 'furnace']);
    assert.equal(template.spec?.shareProcessNamespace, true);
    assert.deepEqual(template.metadata?.labels, { app: 'web' });
    assert.ok(template.metadata?.annotations?.[INJECTED_ANNOTATION]);

    // A Job's pod must be able to finish: the sidecar is a native sidecar there.
    const jobTemplate = (cronJob as { spec: { jobTemplate: { spec: { template: V1PodTemplateSpec } } } }).spec
      .jobTemplate.spec.template;
    assert.deepEqual(names(jobTemplate.spec?.containers), ['report']);
    assert.deepEqual(names(jobTemplate.spec?.initContainers), ['furnace']);
    assert.equal(jobTemplate.spec?.initContainers?.[0]?.restartPolicy, 'Always');
    assert.match(result.stderr, /Deployment\/web: injected/);
  });

  it('is idempotent: injecting its own output changes nothing', async () => {
    const once = await inject([], MANIFEST);
    const twice = await inject([], once.stdout);
    assert.equal(twice.code, 0);
    assert.deepEqual(documents(twice.stdout), documents(once.stdout));
    assert.match(twice.stderr, /not injected \(already-injected-annotation, container-named-furnace\)/);
  });

  it('reads files given with -f, with the security profile and image chosen by flags', async (t) => {
    const dir = await tempDir(t, 'furnace-cli-inject-');
    const file = join(dir, 'pod.yaml');
    await writeFile(
      file,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: a\n',
    );
    const result = await inject([
      '-f',
      file,
      '--security-profile',
      'capabilities',
      '--image',
      'registry.example/f:1',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const pod = documents(result.stdout)[0] as { spec: { containers: V1Container[] } };
    const sidecar = pod.spec.containers[1];
    assert.equal(sidecar?.image, 'registry.example/f:1');
    assert.deepEqual(sidecar?.securityContext?.capabilities?.add, [
      'PERFMON',
      'SYS_PTRACE',
      'SYS_ADMIN',
      'SYSLOG',
    ]);
    assert.equal(sidecar?.securityContext?.privileged, undefined);
  });

  it('with --require-opt-in, decides as the webhook does', async () => {
    const result = await inject(['--require-opt-in'], MANIFEST);
    assert.equal(result.code, 0);
    assert.deepEqual(documents(result.stdout), documents(MANIFEST));
    assert.match(result.stderr, /Deployment\/web: not injected \(pod-not-opted-in\)/);
  });

  it('fails with a message naming the problem', async () => {
    const badProfile = await inject(['--security-profile', 'root'], MANIFEST);
    assert.equal(badProfile.code, 1);
    assert.match(badProfile.stderr, /securityProfile = "root"; allowed: privileged, capabilities/);
    const missing = await inject(['-f', '/nonexistent/pod.yaml']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nonexistent\/pod\.yaml/);
    const badYaml = await inject([], 'kind: [unclosed\n');
    assert.equal(badYaml.code, 1);
    assert.match(badYaml.stderr, /stdin/);
    const badFlag = await inject(['--nope']);
    assert.equal(badFlag.code, 2);
  });
});
