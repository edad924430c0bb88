import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRegistry } from '../../../server/registry/lease-registry.ts';
import { proxyTokenOf, uploadTokenOf } from '../../../server/registry/registration-tokens.ts';
import { sharedKeysOf } from '../../../core/shared-key.ts';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);

function setup(leaseSeconds = 30, keys = sharedKeysOf([KEY_A])) {
  let time = 1_000_000;
  const registry = createRegistry({ now: () => time, leaseSeconds, keys });
  return { registry, keys, advance: (seconds: number) => (time += seconds * 1000) };
}

const pod = { namespace: 'ns', pod: 'web-1', podUid: 'uid-1', address: { host: '10.0.0.5', port: 12380 } };

describe('lease registry', () => {
  it('registers a sidecar with its own proxy and upload tokens and finds it by pod and by upload token', () => {
    const { registry, keys } = setup();
    const registration = registry.register(pod);
    assert.equal(registration.proxyToken, proxyTokenOf(keys.current, pod));
    assert.equal(registration.uploadToken, uploadTokenOf(keys.current, pod));
    assert.notEqual(registration.proxyToken, registration.uploadToken);
    assert.match(registration.proxyToken, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(registry.get('ns', 'web-1')?.address, { host: '10.0.0.5', port: 12380 });
    assert.equal(registry.findByUploadToken(registration.uploadToken)?.pod, 'web-1');
    assert.equal(
      registry.findByUploadToken(registration.proxyToken),
      undefined,
      'the proxy token is no upload token',
    );
    assert.equal(registry.size(), 1);
  });

  it('keeps the tokens on a renewal and extends the lease', () => {
    const { registry, advance } = setup(30);
    const first = registry.register(pod);
    advance(20);
    const renewed = registry.register(pod);
    assert.equal(renewed.proxyToken, first.proxyToken);
    assert.equal(renewed.uploadToken, first.uploadToken);
    advance(20);
    assert.ok(registry.get('ns', 'web-1'), 'still registered 40 s after the first registration');
  });

  it('gives new tokens when the pod UID or address changes', () => {
    const { registry } = setup();
    const first = registry.register(pod);
    const recreated = registry.register({ ...pod, podUid: 'uid-2' });
    assert.notEqual(recreated.proxyToken, first.proxyToken);
    assert.equal(registry.findByUploadToken(first.uploadToken), undefined);
    const moved = registry.register({ ...pod, podUid: 'uid-2', address: { host: '10.0.0.6', port: 12380 } });
    assert.notEqual(moved.proxyToken, recreated.proxyToken);
  });

  it('hides expired leases and sweeps them', () => {
    const { registry, advance } = setup(30);
    const first = registry.register(pod);
    registry.register({ ...pod, pod: 'web-2' });
    advance(31);
    assert.equal(registry.get('ns', 'web-1'), undefined);
    assert.equal(registry.findByUploadToken(first.uploadToken), undefined);
    assert.deepEqual(registry.list(), []);
    const swept = registry
      .sweep()
      .map((r) => r.pod)
      .sort();
    assert.deepEqual(swept, ['web-1', 'web-2']);
    assert.deepEqual(registry.sweep(), []);
  });

  it('gives the same sidecar (same serving key) its same tokens when it registers again after expiry', () => {
    const { registry, advance } = setup(30);
    const first = registry.register(pod);
    advance(31);
    const again = registry.register(pod);
    assert.equal(again.proxyToken, first.proxyToken);
    assert.equal(again.registeredAt, first.registeredAt + 31_000, 'a new registration, not a renewal');
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
    const first = registry.register(withKey('pin-a'));
    assert.equal(registry.register(withKey('pin-a')).proxyToken, first.proxyToken);
    const restarted = registry.register(withKey('pin-b'));
    assert.notEqual(restarted.proxyToken, first.proxyToken);
    assert.deepEqual(registry.get('ns', 'web-1')?.tls, { port: 12381, pin: 'pin-b' });
  });
});

describe('lease registry with a shared key (N replicas)', () => {
  it('derives the same tokens on two replicas that share the key, and others with another key', () => {
    const a = setup().registry.register(pod);
    const b = setup().registry.register(pod);
    const other = setup(30, sharedKeysOf([KEY_B])).registry.register(pod);
    assert.equal(b.proxyToken, a.proxyToken);
    assert.equal(b.uploadToken, a.uploadToken);
    assert.notEqual(other.proxyToken, a.proxyToken);
  });

  it('applies a stored registration with its times, and its tokens are the registering replica’s', () => {
    const writer = setup().registry.register(pod);
    const { registry } = setup();
    const applied = registry.apply({
      ...pod,
      keyId: writer.keyId,
      registeredAt: 5,
      expiresAt: 1_000_000 + 90_000,
    });
    assert.equal(applied?.proxyToken, writer.proxyToken);
    assert.equal(registry.findByUploadToken(writer.uploadToken)?.pod, 'web-1');
    assert.equal(registry.get('ns', 'web-1')?.expiresAt, 1_090_000);
    assert.equal(registry.get('ns', 'web-1')?.registeredAt, 5);
  });

  it('applies another replica’s renewal of the same sidecar in place, and a new sidecar’s record with new tokens', () => {
    const { registry, keys } = setup();
    const first = registry.apply({ ...pod, keyId: keys.current.id, registeredAt: 5, expiresAt: 1_090_000 });
    const renewed = registry.apply({ ...pod, keyId: keys.current.id, registeredAt: 5, expiresAt: 1_150_000 });
    assert.equal(renewed?.proxyToken, first?.proxyToken);
    assert.equal(registry.get('ns', 'web-1')?.expiresAt, 1_150_000);
    assert.equal(registry.findByUploadToken(first?.uploadToken ?? '')?.expiresAt, 1_150_000);
    const restarted = { ...pod, tls: { port: 12381, pin: 'B'.repeat(43) } };
    const again = registry.apply({
      ...restarted,
      keyId: keys.current.id,
      registeredAt: 7,
      expiresAt: 1_200_000,
    });
    assert.equal(again?.proxyToken, proxyTokenOf(keys.current, restarted));
    assert.notEqual(again?.proxyToken, first?.proxyToken);
    assert.equal(registry.findByUploadToken(first?.uploadToken ?? ''), undefined, 'the old sidecar’s token');
    assert.equal(registry.get('ns', 'web-1')?.registeredAt, 7);
  });

  it('refuses a stored registration made with a key it does not hold', () => {
    const { registry } = setup();
    const stored = { ...pod, keyId: sharedKeysOf([KEY_B]).current.id, registeredAt: 1, expiresAt: 2_000_000 };
    assert.equal(registry.apply(stored), undefined);
    assert.equal(registry.get('ns', 'web-1'), undefined);
  });

  it('during a rotation: presents the old key’s token for an old record, renews it under the new key, and still takes uploads with the old one', () => {
    const before = setup(30, sharedKeysOf([KEY_A])).registry.register(pod);
    const { registry } = setup(30, sharedKeysOf([KEY_B, KEY_A]));
    const applied = registry.apply({ ...pod, keyId: before.keyId, registeredAt: 1, expiresAt: 1_050_000 });
    assert.equal(applied?.proxyToken, before.proxyToken, 'the sidecar holds the old key’s token');
    const renewed = registry.register(pod);
    assert.notEqual(renewed.proxyToken, before.proxyToken, 'the renewal answers the new key’s tokens');
    assert.equal(renewed.keyId, sharedKeysOf([KEY_B]).current.id);
    assert.equal(registry.findByUploadToken(before.uploadToken)?.pod, 'web-1', 'an upload begun before');
    assert.equal(registry.findByUploadToken(renewed.uploadToken)?.pod, 'web-1');
  });
});
