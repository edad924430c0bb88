// The CRDs in deploy/crds/ on a real API server: defaults, bounds, CEL rules and printer columns, as a
// user meets them through kubectl.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { FURNACE_CRD_NAME, RECORDING_CRD_NAME } from '../../core/crd/resources.ts';
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

let cp: ControlPlane;
let kc: KubeConfig;
let namespace: string;

async function kubectl(args: string[], input?: string) {
  return cp.kubectl(args, input === undefined ? {} : { input });
}

async function createRecording(name: string, spec: Record<string, unknown>) {
  const body = { apiVersion: API_GROUP_VERSION, kind: 'Recording', metadata: { name, namespace }, spec };
  return kubectl(['create', '-f', '-'], JSON.stringify(body));
}

/** kubectl VERB recording NAME -n <namespace> ARGS. */
function onRecording(verb: string, name: string, ...args: string[]) {
  return kubectl([verb, 'recording', name, '-n', namespace, ...args]);
}

async function assertRefused(name: string, spec: Record<string, unknown>, message: RegExp) {
  const result = await createRecording(name, spec);
  assert.notEqual(result.code, 0, `accepted: ${JSON.stringify(spec)}`);
  assert.match(result.stderr, message);
}

before(async () => {
  cp = await getControlPlane();
  kc = cp.kubeConfig();
  const applied = await kubectl(['apply', '-k', join(PROJECT_ROOT, 'deploy/crds')]);
  assert.equal(applied.code, 0, applied.stderr);
  const established = await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/${FURNACE_CRD_NAME}`,
    `crd/${RECORDING_CRD_NAME}`,
  ]);
  assert.equal(established.code, 0, established.stderr);
  namespace = await createNamespace(kc, { prefix: 'crds' });
});

after(async () => {
  await deleteRunObjects(kc);
});

describe('Furnace CRD', () => {
  it('accepts spec: {} and fills in the schema defaults', async () => {
    const furnace = `apiVersion: ${API_GROUP_VERSION}\nkind: Furnace\nmetadata:\n  name: furnace\n  namespace: ${namespace}\nspec: {}\n`;
    const created = await kubectl(['apply', '-f', '-'], furnace);
    assert.equal(created.code, 0, created.stderr);
    const got = await kubectl(['get', 'furnace', 'furnace', '-n', namespace, '-o', 'jsonpath={.spec}']);
    assert.deepEqual(JSON.parse(got.stdout), {
      agent: { enabled: false },
      auth: { mode: 'kubernetes' },
      catalog: { storageSize: '10Gi' },
      webhook: { failurePolicy: 'Ignore' },
    });
  });

  it('refuses an unknown auth mode and a limit above the server ceiling, naming the field', async () => {
    const bad = (spec: string) =>
      `apiVersion: ${API_GROUP_VERSION}\nkind: Furnace\nmetadata:\n  name: bad\n  namespace: ${namespace}\nspec: ${spec}\n`;
    const mode = await kubectl(['create', '-f', '-'], bad('{auth: {mode: none}}'));
    assert.match(mode.stderr, /spec\.auth\.mode: Unsupported value: "none"/);
    const limit = await kubectl(
      ['create', '-f', '-'],
      bad('{limits: {namespaces: {team-a: {maxFrequency: 100001}}}}'),
    );
    assert.match(limit.stderr, /spec\.limits\.namespaces\.team-a\.maxFrequency: Invalid value: 100001/);
  });

  it('shows Ready, URL and Age in kubectl get', async () => {
    const table = await kubectl(['get', 'furnaces', '-n', namespace]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split('\n')[0] ?? '', /^NAME\s+READY\s+URL\s+AGE$/);
    assert.match(table.stdout, /^furnace\s+/m);
  });
});

describe('Recording CRD', () => {
  const pod = { target: { pod: 'web-1' } };

  it('accepts a one-off recording of a pod and a scheduled one of a selector', async () => {
    const once = await createRecording('once', { ...pod, durationSeconds: 30 });
    assert.equal(once.code, 0, once.stderr);
    const scheduled = await createRecording('nightly', {
      target: { selector: { matchLabels: { app: 'web' } } },
      durationSeconds: 60,
      schedule: '0 3 * * *',
      keep: 7,
    });
    assert.equal(scheduled.code, 0, scheduled.stderr);
    const got = await onRecording('get', 'once', '-o', 'jsonpath={.spec.profiler}');
    assert.equal(got.stdout, 'perf');
  });

  it('refuses a recording without durationSeconds', async () => {
    await assertRefused('no-duration', pod, /spec\.durationSeconds: Required value/);
  });

  it('refuses durations 0 and 3601', async () => {
    await assertRefused('zero', { ...pod, durationSeconds: 0 }, /spec\.durationSeconds: Invalid value: 0/);
    await assertRefused(
      'long',
      { ...pod, durationSeconds: 3601 },
      /spec\.durationSeconds: Invalid value: 3601/,
    );
  });

  it('refuses profiler bpftrace (the operator records as itself, without its author’s bpftrace permission)', async () => {
    await assertRefused(
      'bpftrace',
      { ...pod, durationSeconds: 5, profiler: 'bpftrace' },
      /spec\.profiler: Unsupported value: "bpftrace"/,
    );
  });

  it('refuses both pod and selector, and neither', async () => {
    const both = { target: { pod: 'web-1', selector: { matchLabels: { app: 'web' } } }, durationSeconds: 5 };
    await assertRefused(
      'both',
      both,
      /spec\.target: Invalid value: exactly one of spec\.target\.pod and spec\.target\.selector/,
    );
    await assertRefused(
      'neither',
      { target: {}, durationSeconds: 5 },
      /spec\.target: Invalid value: exactly one/,
    );
  });

  it('refuses keep without schedule, and a schedule that is not five cron fields', async () => {
    await assertRefused(
      'keep',
      { ...pod, durationSeconds: 5, keep: 3 },
      /spec\.keep: Invalid value: spec\.keep is only allowed with spec\.schedule/,
    );
    await assertRefused(
      'cron',
      { ...pod, durationSeconds: 5, schedule: '* * * *' },
      /spec\.schedule: Invalid value: "\* \* \* \*"/,
    );
  });

  it('refuses any change of the spec of an existing recording', async () => {
    const created = await createRecording('fixed', { ...pod, durationSeconds: 10 });
    assert.equal(created.code, 0, created.stderr);
    const patched = await onRecording(
      'patch',
      'fixed',
      '--type=merge',
      '-p',
      '{"spec":{"durationSeconds":20}}',
    );
    assert.notEqual(patched.code, 0);
    assert.match(patched.stderr, /spec: Invalid value: spec is immutable/);
    const labelled = await onRecording('label', 'fixed', 'team=perf');
    assert.equal(labelled.code, 0, `metadata stays editable: ${labelled.stderr}`);
  });

  const continuous = { target: { selector: {} }, continuous: {} };

  it('accepts a continuous recording of every pod ({} selector) without durationSeconds, with a frequency up to 99', async () => {
    const every = await createRecording('every-pod', continuous);
    assert.equal(every.code, 0, every.stderr);
    const chosen = await createRecording('chosen', {
      target: { selector: { matchLabels: { app: 'web' } } },
      container: 'app',
      continuous: { frequency: 99 },
    });
    assert.equal(chosen.code, 0, chosen.stderr);
    await assertRefused(
      'too-fast',
      { ...continuous, continuous: { frequency: 100 } },
      /spec\.continuous\.frequency: Invalid value: 100/,
    );
  });

  it('refuses with continuous each field it does not use, naming it; and a pod target', async () => {
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      [
        'duration',
        { durationSeconds: 30 },
        /spec\.durationSeconds: Forbidden: spec\.durationSeconds is not allowed with spec\.continuous/,
      ],
      [
        'schedule',
        { schedule: '0 3 * * *' },
        /spec\.schedule: Forbidden: spec\.schedule is not allowed with spec\.continuous/,
      ],
      ['keep', { keep: 3 }, /spec\.keep: Forbidden: spec\.keep is not allowed with spec\.continuous/],
      [
        'sinks',
        { sinks: ['collector'] },
        /spec\.sinks: Forbidden: spec\.sinks is not allowed with spec\.continuous/,
      ],
      [
        'profiler',
        { profiler: 'pprof' },
        /spec\.profiler: Forbidden: spec\.profiler is not allowed with spec\.continuous/,
      ],
      ['frequency', { frequency: 49 }, /spec\.frequency: Forbidden: .*set spec\.continuous\.frequency/],
      [
        'event',
        { event: 'cycles' },
        /spec\.event: Forbidden: spec\.event is not allowed with spec\.continuous/,
      ],
      [
        'callGraph',
        { callGraph: 'dwarf' },
        /spec\.callGraph: Forbidden: spec\.callGraph is not allowed with spec\.continuous: continuous profiling walks frame pointers/,
      ],
    ];
    for (const [name, extra, message] of refusals)
      await assertRefused(`continuous-${name}`, { ...continuous, ...extra }, message);
    await assertRefused(
      'continuous-pod',
      { target: { pod: 'web-1' }, continuous: {} },
      /spec\.target: Forbidden: spec\.target\.pod is not allowed with spec\.continuous: use spec\.target\.selector/,
    );
  });

  it('still requires durationSeconds without continuous, naming it', async () => {
    await assertRefused(
      'no-duration-message',
      { target: { pod: 'web-1' } },
      /spec\.durationSeconds: Required value: spec\.durationSeconds is required unless spec\.continuous is set/,
    );
  });

  it('shows Phase, Target, Samples, Last run and Age in kubectl get, the status filled by its writer', async () => {
    const status = { phase: 'Succeeded', samples: 1234, lastRunTime: '2025-01-02T03:04:05Z' };
    const written = await onRecording(
      'patch',
      'once',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status }),
    );
    assert.equal(written.code, 0, written.stderr);
    const table = await kubectl(['get', 'recordings', '-n', namespace]);
    const lines = table.stdout.split('\n');
    assert.match(lines[0] ?? '', /^NAME\s+PHASE\s+TARGET\s+SAMPLES\s+LAST RUN\s+AGE$/);
    assert.match(table.stdout, /^once\s+Succeeded\s+\{"pod":"web-1"\}\s+1234\s+\d+[dhmsy]/m);
    assert.match(table.stdout, /^nightly\s+\{"selector":\{"matchLabels":\{"app":"web"\}\}\}\s/m);
  });
});
