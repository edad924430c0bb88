// The aggregated API's path table read both ways, its discovery document and its APIService.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AGGREGATED_PREFIX as P,
  aggregatedDiscovery,
  apiServiceManifest,
  fromAggregatedUrl,
  toAggregatedUrl,
} from '../../../core/contract/aggregated-api.ts';

/** user URL, aggregated URL: each maps onto the other. */
const PAIRS: [string, string][] = [
  ['/proxy/shop/web-1/recordings', `${P}/namespaces/shop/pods/web-1/recordings`],
  ['/proxy/shop/web-1/recordings/r1/stop', `${P}/namespaces/shop/pods/web-1/recordings/r1/stop`],
  [
    '/proxy/shop/web-1/recordings/r1/artifacts/flamegraph.svg',
    `${P}/namespaces/shop/pods/web-1/recordings/r1/artifacts/flamegraph.svg`,
  ],
  ['/api/v1/pods/shop/web-1/containers', `${P}/namespaces/shop/pods/web-1/containers`],
  [
    '/proxy/shop/web-1/processes?processPattern=hot',
    `${P}/namespaces/shop/pods/web-1/processes?processPattern=hot`,
  ],
  ['/api/v1/recordings/r1/baseline', `${P}/recordings/r1/baseline`],
  ['/api/v1/recordings/r1/regression?against=r0', `${P}/recordings/r1/regression?against=r0`],
  ['/api/v1/sidecars', `${P}/pods`],
  ['/api/v1/sidecars?namespace=shop', `${P}/namespaces/shop/pods`],
  ['/api/v1/recordings', `${P}/recordings`],
  ['/api/v1/recordings?namespace=shop&limit=5', `${P}/namespaces/shop/recordings?limit=5`],
  ['/api/v1/recordings/r1', `${P}/recordings/r1`],
  ['/api/v1/recordings/r1/artifacts/perf.data', `${P}/recordings/r1/artifacts/perf.data`],
  ['/api/v1/limits?namespace=shop', `${P}/namespaces/shop/limits`],
  ['/api/v1/continuous/stacks?namespace=shop', `${P}/namespaces/shop/continuous`],
  ['/api/v1/session', `${P}/session`],
  ['/', `${P}/ui`],
  ['/app.js', `${P}/ui/app.js`],
  ['/speedscope/', `${P}/speedscope`],
  ['/speedscope/index.html', `${P}/speedscope/index.html`],
];

describe('aggregated API paths', () => {
  it('maps each user path onto an aggregated one and back', () => {
    for (const [user, aggregated] of PAIRS) {
      assert.equal(toAggregatedUrl(user), aggregated, user);
      const back = fromAggregatedUrl(aggregated);
      assert.equal(back, user.replace('?namespace=shop&limit=5', '?limit=5&namespace=shop'), aggregated);
    }
  });

  it('reads a recording under a namespace with that namespace as a query the server checks', () => {
    assert.equal(
      fromAggregatedUrl(`${P}/namespaces/shop/recordings/r1/artifacts/flamegraph.svg`),
      '/api/v1/recordings/r1/artifacts/flamegraph.svg?namespace=shop',
    );
    assert.equal(
      fromAggregatedUrl(`${P}/namespaces/shop/recordings/r1/baseline`),
      '/api/v1/recordings/r1/baseline?namespace=shop',
    );
    assert.equal(
      fromAggregatedUrl(`${P}/namespaces/shop/recordings/r1/regression?against=r0`),
      '/api/v1/recordings/r1/regression?against=r0&namespace=shop',
    );
  });

  it("sends the UI's page routes to index.html", () => {
    for (const page of ['/history', '/recordings/r1', '/compare/a/b'])
      assert.equal(toAggregatedUrl(page), `${P}/ui`, page);
  });

  it('leaves other paths alone', () => {
    for (const path of [
      '/apis',
      `${P}`,
      `${P}/namespaces/shop/pods/web-1/healthz`,
      `${P}/nodes`,
      '/apis/other/v1/pods',
    ])
      assert.equal(fromAggregatedUrl(path), undefined, path);
    assert.equal(toAggregatedUrl('/api/v1/limits'), undefined, 'limits need a namespace');
    assert.equal(toAggregatedUrl('/metrics/x'), undefined);
  });

  it('lists no verb that makes a controller list or delete the resources', () => {
    const discovery = aggregatedDiscovery() as { resources: { name: string; verbs: string[] }[] };
    assert.ok(discovery.resources.some((r) => r.name === 'pods/recordings'));
    for (const resource of discovery.resources)
      assert.deepEqual(
        resource.verbs.filter((verb) => !['get', 'create'].includes(verb)),
        [],
        resource.name,
      );
  });

  it('makes an APIService for the Service, its CA and a priority below the CRDs', () => {
    const manifest = apiServiceManifest({
      serviceNamespace: 'furnace',
      serviceName: 'furnace',
      caBundlePem: 'PEM',
    }) as { metadata: { name: string }; spec: Record<string, unknown> };
    assert.equal(manifest.metadata.name, 'v1alpha1.profiling.furnace.hyperfoil.io');
    assert.deepEqual(manifest.spec.service, { namespace: 'furnace', name: 'furnace', port: 443 });
    assert.equal(manifest.spec.caBundle, Buffer.from('PEM').toString('base64'));
    assert.ok((manifest.spec.groupPriorityMinimum as number) < 1000);
  });
});
