// The Recording CRD's spec.watch on a real API server, as a user meets it through kubectl: what it accepts,
// and each refusal naming the field and the limit.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeConfig } from '@kubernetes/client-node';
import { API_GROUP_VERSION } from '../../core/contract/names.ts';
import { RECORDING_CRD_NAME } from '../../core/crd/resources.ts';
import { createNamespace, deleteRunObjects } from '../harness/cluster.ts';
import { getControlPlane, type ControlPlane } from '../harness/control-plane.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

let cp: ControlPlane;
let kc: KubeConfig;
let namespace: string;

function createRecording(name: string, spec: Record<string, unknown>) {
  const body = { apiVersion: API_GROUP_VERSION, kind: 'Recording', metadata: { name, namespace }, spec };
  return cp.kubectl(['create', '-f', '-'], { input: JSON.stringify(body) });
}

async function assertRefused(name: string, spec: Record<string, unknown>, message: RegExp) {
  const result = await createRecording(name, spec);
  assert.notEqual(result.code, 0, `accepted: ${JSON.stringify(spec)}`);
  assert.match(result.stderr, message);
}

before(async () => {
  cp = await getControlPlane();
  kc = cp.kubeConfig();
  const applied = await cp.kubectl(['apply', '-k', join(PROJECT_ROOT, 'deploy/crds')]);
  assert.equal(applied.code, 0, applied.stderr);
  const established = await cp.kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    `crd/${RECORDING_CRD_NAME}`,
  ]);
  assert.equal(established.code, 0, established.stderr);
  namespace = await createNamespace(kc, { prefix: 'watch-crd' });
});

after(() => deleteRunObjects(kc));

const watching = {
  target: { selector: {} },
  durationSeconds: 30,
  watch: { kind: 'Deployment', name: 'web' },
};

describe('Recording spec.watch', () => {
  it('accepts a watch of each kind, with its delays at their limits', async () => {
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'DeploymentConfig']) {
      const created = await createRecording(`watch-${kind.toLowerCase()}`, {
        ...watching,
        watch: { kind, name: 'web', settleSeconds: 3600, readyTimeoutSeconds: 30 },
      });
      assert.equal(created.code, 0, created.stderr);
    }
  });

  it('refuses an unknown kind, a bad name and delays out of range, naming the field and the limit', async () => {
    const refusals: [string, Record<string, unknown>, RegExp][] = [
      ['kind', { kind: 'ReplicaSet', name: 'web' }, /spec\.watch\.kind: Unsupported value: "ReplicaSet"/],
      ['name', { kind: 'Deployment', name: 'Web_1' }, /spec\.watch\.name: Invalid value: "Web_1"/],
      ['no-name', { kind: 'Deployment' }, /spec\.watch\.name: Required value/],
      [
        'settle',
        { kind: 'Deployment', name: 'web', settleSeconds: 3601 },
        /spec\.watch\.settleSeconds: Invalid value: 3601: .*less than or equal to 3600/,
      ],
      [
        'timeout',
        { kind: 'Deployment', name: 'web', readyTimeoutSeconds: 29 },
        /spec\.watch\.readyTimeoutSeconds: Invalid value: 29: .*greater than or equal to 30/,
      ],
    ];
    for (const [name, watch, message] of refusals)
      await assertRefused(`bad-${name}`, { ...watching, watch }, message);
  });

  it('refuses beside it the fields that would decide when or what it records, naming each', async () => {
    await assertRefused(
      'with-schedule',
      { ...watching, schedule: '0 3 * * *' },
      /spec\.schedule: Forbidden: spec\.schedule is not allowed with spec\.watch/,
    );
    await assertRefused(
      'with-keep',
      { ...watching, schedule: '0 3 * * *', keep: 3 },
      /spec\.keep: Forbidden: spec\.keep is not allowed with spec\.watch/,
    );
    await assertRefused(
      'with-continuous',
      { target: { selector: {} }, continuous: {}, watch: watching.watch },
      /spec\.continuous: Forbidden: spec\.continuous is not allowed with spec\.watch/,
    );
    await assertRefused(
      'with-pod',
      { ...watching, target: { pod: 'web-1' } },
      /spec\.target: Forbidden: spec\.target\.pod is not allowed with spec\.watch/,
    );
  });
});
