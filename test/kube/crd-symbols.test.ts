// The Furnace CRD's spec.symbols and the Recording CRD's node profiler on a real API server, as a user meets
// them through kubectl: what is taken, and what is refused with the field and the value named.
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

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function create(kind: string, name: string, spec: Record<string, unknown>) {
  const body = { apiVersion: API_GROUP_VERSION, kind, metadata: { name, namespace }, spec };
  return cp.kubectl(['create', '-f', '-'], { input: JSON.stringify(body) });
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
    `crd/${FURNACE_CRD_NAME}`,
    `crd/${RECORDING_CRD_NAME}`,
  ]);
  assert.equal(established.code, 0, established.stderr);
  namespace = await createNamespace(kc, { prefix: 'crd-symbols' });
});

after(async () => {
  await deleteRunObjects(kc);
});

describe('Furnace CRD: spec.symbols', () => {
  it('takes debuginfod servers and registry CAs, and keeps them as given', async () => {
    const symbols = {
      debuginfodUrls: ['https://debuginfod.example.com', 'http://debuginfod.tools.svc:8002/'],
      registryCas: [{ registry: 'registry.example:5000', caBundle: PEM }],
    };
    const created = await create('Furnace', 'furnace', { symbols });
    assert.equal(created.code, 0, created.stderr);
    const got = await cp.kubectl([
      'get',
      'furnace',
      'furnace',
      '-n',
      namespace,
      '-o',
      'jsonpath={.spec.symbols}',
    ]);
    assert.deepEqual(JSON.parse(got.stdout), symbols);
  });

  it('refuses a debuginfod server that is not an http(s) URL, naming the item and its value', async () => {
    for (const bad of ['ftp://debuginfod.example.com', 'debuginfod.example.com', 'https://a b']) {
      const refused = await create('Furnace', 'bad-url', {
        symbols: { debuginfodUrls: ['https://ok.example', bad] },
      });
      assert.notEqual(refused.code, 0, `accepted ${bad}`);
      assert.ok(
        refused.stderr.includes(`spec.symbols.debuginfodUrls[1]: Invalid value: "${bad}"`),
        refused.stderr,
      );
    }
  });

  it('refuses a registry with a scheme or path, a CA that is not PEM, and a registry twice', async () => {
    const refuse = async (registryCas: unknown[], message: RegExp) => {
      const refused = await create('Furnace', 'bad-ca', { symbols: { registryCas } });
      assert.notEqual(refused.code, 0, `accepted ${JSON.stringify(registryCas)}`);
      assert.match(refused.stderr, message);
    };
    await refuse(
      [{ registry: 'https://registry.example', caBundle: PEM }],
      /spec\.symbols\.registryCas\[0\]\.registry: Invalid value: "https:\/\/registry\.example"/,
    );
    await refuse(
      [{ registry: 'registry.example', caBundle: 'not a pem' }],
      /registryCas\[0\]\.caBundle: Invalid value/,
    );
    await refuse(
      [
        { registry: 'registry.example', caBundle: PEM },
        { registry: 'registry.example', caBundle: PEM },
      ],
      /spec\.symbols\.registryCas\[1\]: Duplicate value/,
    );
  });
});

describe('Recording CRD: profiler node', () => {
  it('takes profiler node with profile heap', async () => {
    const created = await create('Recording', 'node-heap', {
      target: { pod: 'web-1' },
      durationSeconds: 10,
      profiler: 'node',
      profile: 'heap',
    });
    assert.equal(created.code, 0, created.stderr);
    const got = await cp.kubectl([
      'get',
      'recording',
      'node-heap',
      '-n',
      namespace,
      '-o',
      'jsonpath={.spec.profiler}',
    ]);
    assert.equal(got.stdout, 'node');
  });
});
