// Furnace.spec.symbols.debuginfodUrls: the planned injection config carries the servers to the webhook,
// whose injected sidecars get DEBUGINFOD_URLS, and the agent DaemonSet's container gets the same variable;
// each recorder's own config loader then reads those servers. The CRD refuses what is not an http(s) URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1DaemonSet, V1EnvVar, V1Pod } from '@kubernetes/client-node';
import { SIDECAR_CONTAINER_NAME } from '../../../core/contract/names.ts';
import { furnaceSpecSchema } from '../../../core/crd/furnace-crd.ts';
import type { FurnaceSpec } from '../../../core/crd/resources.ts';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { readAgentConfig } from '../../../sidecar/agent/agent-config.ts';
import { readSidecarConfig } from '../../../sidecar/config.ts';
import { findPlanned as find, furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';
import { decodePatch, reviewPodCreate } from '../core/injection-support.ts';

const URLS = ['https://debuginfod.example.com', 'http://debuginfod.tools.svc:8002'];
const SYMBOLS: FurnaceSpec = { symbols: { debuginfodUrls: URLS }, agent: { enabled: true } };
const POD: V1Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'shop-0', namespace: 'shop', uid: 'uid-shop-0', labels: { furnace: 'enabled' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/shop:1' }] },
};

const plan = (spec: FurnaceSpec) => planWith(furnaceOf(spec, 1), { optedInNamespaces: [] });

/** A container's environment as the kubelet would give it: field refs filled in with plausible values. */
function processEnv(env: V1EnvVar[] | undefined): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.name': 'shop-0',
    'metadata.namespace': 'shop',
    'metadata.uid': 'uid-shop-0',
    'status.podIP': '10.0.0.7',
    'spec.nodeName': 'node-1',
  };
  return Object.fromEntries(
    (env ?? []).map((e) => [e.name, e.value ?? fields[e.valueFrom?.fieldRef?.fieldPath ?? ''] ?? '']),
  );
}

async function injectedSidecar(spec: FurnaceSpec): Promise<V1Container> {
  const config = await loadPlannedConfig(plan(spec));
  assert.ok(config.webhook, 'the planned server runs the webhook');
  const pod = applyPatch(POD, decodePatch(reviewPodCreate(POD, config.webhook.injection)));
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const sidecar = all.find((c) => c.name === SIDECAR_CONTAINER_NAME);
  assert.ok(sidecar, 'the pod has the injected sidecar');
  return sidecar;
}

function agentContainer(spec: FurnaceSpec): V1Container {
  const container = find<V1DaemonSet>(plan(spec), 'DaemonSet', 'furnace-agent').spec?.template.spec
    ?.containers[0];
  assert.ok(container, 'the agent DaemonSet has a container');
  return container;
}

const defaults = { hostname: 'test', tmpDir: '/tmp' };

describe('Furnace plan: debuginfod servers (spec.symbols.debuginfodUrls)', () => {
  it('reach injected sidecars through the server’s injection config, read by the sidecar as those servers', async () => {
    const env = processEnv((await injectedSidecar(SYMBOLS)).env);
    assert.equal(env.DEBUGINFOD_URLS, URLS.join(' '));
    assert.deepEqual(readSidecarConfig(env, defaults).debugInfo.urls, URLS);
  });

  it('reach the node agents, read by the agent as those servers', () => {
    const env = processEnv(agentContainer(SYMBOLS).env);
    assert.equal(env.DEBUGINFOD_URLS, URLS.join(' '));
    assert.deepEqual(readAgentConfig(env, defaults).debugInfo.urls, URLS);
  });

  it('leave both without DEBUGINFOD_URLS when the spec names none', async () => {
    for (const spec of [
      { agent: { enabled: true } },
      { agent: { enabled: true }, symbols: { debuginfodUrls: [] } },
    ]) {
      const sidecarEnv = (await injectedSidecar(spec)).env ?? [];
      assert.equal(
        sidecarEnv.some((e) => e.name === 'DEBUGINFOD_URLS'),
        false,
      );
      assert.equal(
        (agentContainer(spec).env ?? []).some((e) => e.name === 'DEBUGINFOD_URLS'),
        false,
      );
    }
  });

  it('are refused by the CRD unless each is an http(s) URL without spaces', () => {
    const field = furnaceSpecSchema.properties.symbols.properties.debuginfodUrls;
    const pattern = new RegExp(field.items.pattern);
    for (const good of URLS) assert.ok(pattern.test(good), good);
    for (const bad of ['ftp://debuginfod.example.com', 'debuginfod.example.com', 'https://a b', 'http://'])
      assert.equal(pattern.test(bad), false, bad);
    assert.equal(field.maxItems, 16);
  });
});
