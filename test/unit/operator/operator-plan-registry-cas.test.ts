// Furnace.spec.symbols.registryCas: each opted-in namespace's furnace-server-ca ConfigMap holds the CAs, and
// the sidecar the planned server injects there sees each at /etc/containers/certs.d/<registry>/ca.crt, the
// file podman reads for that registry. The CRD refuses registries that are not host or host:port.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { SERVER_CA_CONFIG_MAP, SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { furnaceSpecSchema } from '../../../core/crd/furnace-crd.ts';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { findPlanned as find, furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';
import { decodePatch, reviewPodCreate } from '../core/injection-support.ts';

const PEM = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;
const SPEC: FurnaceSpec = {
  symbols: {
    registryCas: [
      { registry: 'registry.example:5000', caBundle: PEM('private') },
      { registry: 'mirror.example.com', caBundle: PEM('mirror') },
    ],
  },
};
const POD: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shop-0', namespace: 'shop', labels: { furnace: 'enabled' } },
  spec: { containers: [{ name: 'app', image: 'registry.example:5000/shop:1' }] },
};

const plan = (spec: FurnaceSpec) => planWith(furnaceOf(spec, 1), { optedInNamespaces: ['shop'] });

/** What the kubelet would put in the injected sidecar from the namespace's ConfigMap, by path. */
async function sidecarFiles(spec: FurnaceSpec): Promise<Map<string, string | undefined>> {
  const objects = plan(spec);
  const inShop = objects.filter((o) => o.metadata?.namespace === 'shop');
  const configMap = find<V1ConfigMap>(inShop, 'ConfigMap', SERVER_CA_CONFIG_MAP);
  const config = await loadPlannedConfig(objects);
  assert.ok(config.webhook, 'the planned server runs the webhook');
  const pod = applyPatch(POD, decodePatch(reviewPodCreate(POD, config.webhook.injection)));
  const sidecar = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find(
    (c) => c.name === SIDECAR_CONTAINER_NAME,
  );
  assert.ok(sidecar, 'the pod has the injected sidecar');
  const files = new Map<string, string | undefined>();
  for (const mount of sidecar.volumeMounts ?? []) {
    const source = pod.spec?.volumes?.find((v) => v.name === mount.name)?.configMap;
    if (source?.name !== SERVER_CA_CONFIG_MAP) continue;
    for (const item of source.items ?? [])
      files.set(`${mount.mountPath}/${item.path}`, configMap.data?.[item.key]);
  }
  return files;
}

describe('Furnace plan: private registry CAs (spec.symbols.registryCas)', () => {
  it("reach the injected sidecar at the paths podman reads, through the namespace's ConfigMap", async () => {
    const files = await sidecarFiles(SPEC);
    assert.equal(files.get('/etc/containers/certs.d/registry.example:5000/ca.crt'), PEM('private'));
    assert.equal(files.get('/etc/containers/certs.d/mirror.example.com/ca.crt'), PEM('mirror'));
    assert.ok(
      [...files.values()].every((content) => content !== undefined),
      'every projected key exists',
    );
  });

  it('leave the ConfigMap with the server CA only, and certs.d unmounted, when the spec names none', async () => {
    const files = await sidecarFiles({});
    assert.equal(
      [...files.keys()].some((path) => path.startsWith('/etc/containers')),
      false,
    );
    const configMap = find<V1ConfigMap>(
      plan({}).filter((o) => o.metadata?.namespace === 'shop'),
      'ConfigMap',
    );
    assert.deepEqual(Object.keys(configMap.data ?? {}), ['ca.crt']);
  });

  it('are refused by the CRD unless the registry is host or host:port and the CA is PEM', () => {
    const items = furnaceSpecSchema.properties.symbols.properties.registryCas.items;
    const registry = new RegExp(items.properties.registry.pattern);
    for (const good of ['registry.example:5000', 'quay.io', '10.0.0.5:443'])
      assert.ok(registry.test(good), good);
    for (const bad of ['https://quay.io', 'quay.io/team', 'quay io', '-x.example', ''])
      assert.equal(registry.test(bad), false, bad);
    assert.ok(new RegExp(items.properties.caBundle.pattern).test(PEM('x')));
    assert.equal(new RegExp(items.properties.caBundle.pattern).test('not a pem'), false);
    assert.deepEqual(items.required, ['registry', 'caBundle']);
  });
});
