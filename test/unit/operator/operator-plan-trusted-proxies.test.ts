// Issue "Edges and trust, round three", item 9: the operator made an OpenShift Route but never set the
// server's `ingress.trustedProxies`, so every user behind the router was one client to the budget of
// failed token reviews (31 junk tokens gave the next honest user 429). The plan now names the router's
// network, read back by the server's own config loader.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { CLUSTER_NETWORK_PATH, readClusterNetworks } from '../../../operator/furnace/furnace-inputs.ts';
import type { KubeRequest } from '../../../kube/kube-request.ts';
import { furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';

const CLUSTER_NETWORKS = ['10.128.0.0/14', 'fd01::/48'];

async function trustedProxies(
  spec: FurnaceSpec,
  platform: 'openshift' | 'kubernetes',
  clusterNetworks?: string[],
): Promise<string[]> {
  const objects = planWith(
    furnaceOf(spec, 1),
    { optedInNamespaces: [] },
    { platform, ...(clusterNetworks ? { clusterNetworks } : {}) },
  );
  return (await loadPlannedConfig(objects)).trustedProxies;
}

describe('the server’s trusted proxies in the operator’s plan', () => {
  it('with a Route, believes the router’s network: the cluster network', async () => {
    assert.deepEqual(await trustedProxies({}, 'openshift', CLUSTER_NETWORKS), CLUSTER_NETWORKS);
  });

  it('takes spec.trustedProxies in its place, on any platform', async () => {
    const spec = { trustedProxies: ['192.0.2.0/24', '2001:db8::7'] };
    assert.deepEqual(await trustedProxies(spec, 'openshift', CLUSTER_NETWORKS), spec.trustedProxies);
    assert.deepEqual(await trustedProxies({ ...spec, ingress: { enabled: true } }, 'kubernetes'), [
      '192.0.2.0/24',
      '2001:db8::7',
    ]);
  });

  it('believes nobody without a Route or a list (X-Forwarded-For is ignored)', async () => {
    assert.deepEqual(await trustedProxies({ route: { enabled: false } }, 'openshift', CLUSTER_NETWORKS), []);
    assert.deepEqual(await trustedProxies({ ingress: { enabled: true } }, 'kubernetes'), []);
  });

  it('reads the cluster network from networks.config.openshift.io, and nothing when it cannot', async () => {
    const paths: string[] = [];
    const answering =
      (status: number, body: unknown): KubeRequest =>
      (options) => {
        paths.push(options.path);
        return Promise.resolve({ status, body });
      };
    const network = {
      spec: { clusterNetwork: [{ cidr: '10.0.0.0/8' }] },
      status: {
        clusterNetwork: [{ cidr: '10.128.0.0/14', hostPrefix: 23 }, { cidr: 'fd01::/48' }, { cidr: 7 }],
      },
    };
    assert.deepEqual(await readClusterNetworks(answering(200, network)), CLUSTER_NETWORKS);
    assert.deepEqual(await readClusterNetworks(answering(200, { spec: network.spec })), ['10.0.0.0/8']);
    assert.deepEqual(await readClusterNetworks(answering(403, {})), []);
    assert.deepEqual([...new Set(paths)], [CLUSTER_NETWORK_PATH]);
  });
});
