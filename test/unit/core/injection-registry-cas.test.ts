// Private registries' CAs in the injection config (`registryCas`, FURNACE_INJECT_REGISTRY_CAS): the injected
// sidecar gets them from the namespace's furnace-server-ca ConfigMap at the paths podman reads for
// `symbols: image` (/etc/containers/certs.d/<registry>/ca.crt); registries are validated with errors naming
// the item and its value.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { SERVER_CA_CONFIG_MAP, SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import { resolveInjectionConfig } from '../../../core/injection/injection-config-env.ts';
import { registryCaKey } from '../../../core/injection/symbols-config.ts';
import { expectedError } from '../../harness/expected-error.ts';
import { decodePatch, reviewPodCreate, testConfig } from './injection-support.ts';

const POD: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shop-0', namespace: 'shop', labels: { furnace: 'enabled' } },
  spec: { containers: [{ name: 'app', image: 'registry.example:5000/shop:1' }] },
};

const rejection = (raw: unknown) =>
  expectedError(FurnaceError, () => parseInjectionConfig(raw), 'expected the config to be rejected');

function injected(overrides: Record<string, unknown>) {
  const pod = applyPatch(POD, decodePatch(reviewPodCreate(POD, testConfig(overrides))));
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const sidecar = all.find((c) => c.name === SIDECAR_CONTAINER_NAME);
  assert.ok(sidecar, 'the pod has the injected sidecar');
  return { pod, sidecar };
}

/** The files the kubelet would put in the sidecar for each ConfigMap key, by their path in the sidecar. */
function configMapFiles(overrides: Record<string, unknown>): Map<string, string> {
  const { pod, sidecar } = injected(overrides);
  const files = new Map<string, string>();
  for (const mount of sidecar.volumeMounts ?? []) {
    const volume = pod.spec?.volumes?.find((v) => v.name === mount.name);
    if (volume?.configMap?.name !== SERVER_CA_CONFIG_MAP) continue;
    assert.equal(volume.configMap.optional, true, `${mount.name} never blocks the pod`);
    for (const item of volume.configMap.items ?? []) files.set(`${mount.mountPath}/${item.path}`, item.key);
  }
  return files;
}

describe('private registry CAs in the injection config', () => {
  it("put each registry's CA where podman reads it, from the namespace's furnace-server-ca ConfigMap", () => {
    const files = configMapFiles({ registryCas: ['registry.example:5000', 'mirror.example.com'] });
    assert.equal(
      files.get('/etc/containers/certs.d/registry.example:5000/ca.crt'),
      'registry-ca.registry.example_5000.crt',
    );
    assert.equal(
      files.get('/etc/containers/certs.d/mirror.example.com/ca.crt'),
      'registry-ca.mirror.example.com.crt',
    );
    const { pod, sidecar } = injected({ registryCas: ['registry.example:5000'] });
    const mount = sidecar.volumeMounts?.find((m) => m.mountPath === '/etc/containers/certs.d');
    assert.equal(mount?.readOnly, true);
    assert.equal(mount?.subPath, undefined, 'no subPath, so the kubelet keeps the files current');
    assert.ok(pod.spec?.containers.some((c) => c.name === 'app'));
  });

  it('give keys that ConfigMaps allow and no two registries share', () => {
    const keys = ['registry.example:5000', 'registry.example', 'registry.example:5001'].map(registryCaKey);
    for (const key of keys) assert.match(key, /^[-._a-zA-Z0-9]+$/, key);
    assert.equal(new Set(keys).size, 3);
  });

  it('mount nothing in certs.d when none are configured', () => {
    assert.deepEqual(parseInjectionConfig({}).registryCas, []);
    const { sidecar } = injected({});
    assert.equal(
      sidecar.volumeMounts?.some((m) => m.mountPath.startsWith('/etc/containers')),
      false,
    );
  });

  it('are refused unless each is a host or host:port, once, naming the item and its value', () => {
    for (const bad of [
      'https://registry.example',
      'registry.example/team',
      'registry example',
      '../etc',
      '',
    ]) {
      const error = rejection({ registryCas: ['ok.example', bad] });
      assert.equal(error.code, 'ERR_INVALID_PARAMETER');
      assert.ok(error.message.includes(`registryCas[1] = ${JSON.stringify(bad)}`), error.message);
    }
    assert.match(
      rejection({ registryCas: ['a.example', 'a.example'] }).message,
      /registryCas = .*a\.example is twice/,
    );
    const many = Array.from({ length: 17 }, (_, i) => `r${i}.example`);
    assert.match(rejection({ registryCas: many }).message, /at most 16/);
  });

  it('come from FURNACE_INJECT_REGISTRY_CAS, separated by spaces, naming the variable when refused', () => {
    const config = resolveInjectionConfig({
      env: { FURNACE_INJECT_REGISTRY_CAS: 'a.example:5000  b.example' },
    });
    assert.deepEqual(config.registryCas, ['a.example:5000', 'b.example']);
    const error = expectedError(
      FurnaceError,
      () => resolveInjectionConfig({ env: { FURNACE_INJECT_REGISTRY_CAS: 'a.example https://b.example' } }),
      'refused',
    );
    assert.match(error.message, /in FURNACE_INJECT_REGISTRY_CAS: registryCas\[1\] = "https:\/\/b\.example"/);
  });
});
