import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRegistry } from '../../server/registry/lease-registry.ts';

function setup(leaseSeconds = 30) {
  let time = 1_000_000;
  let counter = 0;
  const registry = createRegistry({ now: () => time, leaseSeconds, newToken: () => `token-${++counter}` });
  return { registry, advance: (seconds: number) => (time += seconds * 1000) };
}

const pod = { namespace: 'ns', pod: 'web-1', podUid: 'uid-1', address: { host: '10.0.0.5', port: 12380 } };

describe('lease registry', () => {
  it('registers a sidecar with its own proxy and upload tokens and finds it by pod and by upload token', () => {
    const { registry } = setup();
    const registration = registry.register(pod);
    assert.equal(registration.proxyToken, 'token-1');
    assert.equal(registration.uploadToken, 'token-2');
    assert.deepEqual(registry.get('ns', 'web-1')?.address, { host: '10.0.0.5', port: 12380 });
    assert.equal(registry.findByUploadToken('token-2')?.pod, 'web-1');
    assert.equal(registry.findByUploadToken('token-1'), undefined, 'the proxy token is no upload token');
    assert.equal(registry.size(), 1);
  });

  it('keeps the tokens on a renewal and extends the lease', () => {
    const { registry, advance } = setup(30);
    registry.register(pod);
    advance(20);
    const renewed = registry.register(pod);
    assert.equal(renewed.proxyToken, 'token-1');
    assert.equal(renewed.uploadToken, 'token-2');
    advance(20);
    assert.ok(registry.get('ns', 'web-1'), 'still registered 40 s after the first registration');
  });

  it('gives a new token when the pod UID or address changes', () => {
    const { registry } = setup();
    registry.register(pod);
    const recreated = registry.register({ ...pod, podUid: 'uid-2' });
    assert.equal(recreated.proxyToken, 'token-3');
    assert.equal(registry.findByUploadToken('token-2'), undefined);
    const moved = registry.register({ ...pod, podUid: 'uid-2', address: { host: '10.0.0.6', port: 12380 } });
    assert.equal(moved.proxyToken, 'token-5');
  });

  it('hides expired leases and sweeps them', () => {
    const { registry, advance } = setup(30);
    registry.register(pod);
    registry.register({ ...pod, pod: 'web-2' });
    advance(31);
    assert.equal(registry.get('ns', 'web-1'), undefined);
    assert.equal(registry.findByUploadToken('token-2'), undefined);
    assert.deepEqual(registry.list(), []);
    const swept = registry
      .sweep()
      .map((r) => r.pod)
      .sort();
    assert.deepEqual(swept, ['web-1', 'web-2']);
    assert.deepEqual(registry.sweep(), []);
  });

  it('re-registering after expiry issues a new token', () => {
    const { registry, advance } = setup(30);
    registry.register(pod);
    advance(31);
    assert.equal(registry.register(pod).proxyToken, 'token-3');
  });

  it('removes a registration only for the same pod UID when one is given', () => {
    const { registry } = setup();
    registry.register(pod);
    assert.equal(registry.remove('ns', 'web-1', 'other-uid'), false);
    assert.ok(registry.get('ns', 'web-1'));
    assert.equal(registry.remove('ns', 'web-1', 'uid-1'), true);
    assert.equal(registry.get('ns', 'web-1'), undefined);
    assert.equal(registry.remove('ns', 'web-1'), false);
  });

  it('gives new tokens when the sidecar registers another TLS key (it restarted), and keeps them for the same key', () => {
    const { registry } = setup();
    const withKey = (pin: string) => ({ ...pod, tls: { port: 12381, pin } });
    registry.register(withKey('pin-a'));
    assert.equal(registry.register(withKey('pin-a')).proxyToken, 'token-1');
    const restarted = registry.register(withKey('pin-b'));
    assert.equal(restarted.proxyToken, 'token-3');
    assert.deepEqual(registry.get('ns', 'web-1')?.tls, { port: 12381, pin: 'pin-b' });
  });
});
