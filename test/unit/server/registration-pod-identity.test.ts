import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { DEFAULT_INJECTION_CONFIG } from '../../../core/injection/injection-config.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { checkNamespace, checkPod, podFromReview } from '../../../server/kube/pod-identity.ts';

const IMAGE = 'registry.example/furnace@sha256:abc';
const injection = { ...DEFAULT_INJECTION_CONFIG, image: IMAGE };
const policy = { sidecarImages: [IMAGE], injection };
const expected = { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' };

const review = {
  authenticated: true,
  username: 'system:serviceaccount:team-a:default',
  audiences: ['furnace'],
  extra: {
    'authentication.kubernetes.io/pod-name': ['web-1'],
    'authentication.kubernetes.io/pod-uid': ['uid-1'],
  },
};

/** The pod as the webhook injects it, then changed. */
function pod(changes: (pod: V1Pod) => void = () => undefined, restartPolicy?: 'Never'): V1Pod {
  const value = injectSidecar(
    {
      metadata: { name: 'web-1', namespace: 'team-a', uid: 'uid-1' },
      spec: { containers: [{ name: 'app' }], ...(restartPolicy ? { restartPolicy } : {}) },
      status: { podIP: '10.1.2.3' },
    },
    injection,
  );
  changes(value);
  return value;
}

function reason(result: ReturnType<typeof checkPod>): string {
  return result.ok ? 'accepted' : result.reason;
}

describe('registration pod identity', () => {
  it('takes the pod from a pod-bound service-account token', () => {
    assert.deepEqual(podFromReview(review), {
      ok: true,
      pod: { namespace: 'team-a', pod: 'web-1', podUid: 'uid-1' },
    });
  });

  it('refuses another audience, an unauthenticated token and a token without a pod', () => {
    assert.equal(podFromReview({ ...review, audiences: ['https://kubernetes.default.svc'] }).ok, false);
    assert.equal(podFromReview({ authenticated: false }).ok, false);
    assert.equal(podFromReview({ ...review, extra: {} }).ok, false);
    assert.equal(podFromReview({ ...review, username: 'alice' }).ok, false);
  });

  it('accepts the token pod as the webhook injects it and takes its IP', () => {
    assert.deepEqual(checkPod(expected, pod(), policy), { ok: true, podIp: '10.1.2.3' });
  });

  it('accepts a Job pod whose furnace sidecar is a native sidecar, but not an ephemeral container', () => {
    const native = pod(() => undefined, 'Never');
    assert.equal(native.spec?.initContainers?.[0]?.restartPolicy, 'Always');
    assert.equal(checkPod(expected, native, policy).ok, true);
    const ephemeral = pod((p) => {
      p.spec = { ...p.spec, containers: [{ name: 'app' }], ephemeralContainers: p.spec!.containers.slice(1) };
    });
    assert.equal(checkPod(expected, ephemeral, policy).ok, false);
  });

  it('refuses a missing pod, another UID, no furnace container, or no IP yet', () => {
    assert.equal(checkPod(expected, undefined, policy).ok, false);
    assert.equal(
      checkPod(
        expected,
        pod((p) => (p.metadata!.uid = 'uid-2')),
        policy,
      ).ok,
      false,
    );
    assert.equal(
      checkPod(
        expected,
        pod((p) => (p.spec = { containers: [{ name: 'app' }] })),
        policy,
      ).ok,
      false,
    );
    const noIp = checkPod(
      expected,
      pod((p) => (p.status = {})),
      policy,
    );
    assert.equal(noIp.ok === false && noIp.status, 503);
  });

  it('refuses, with the reason named, what the webhook would not have made', () => {
    const sidecar = (p: V1Pod) => p.spec!.containers[1]!;
    const cases: [string, (p: V1Pod) => void, RegExp][] = [
      [
        'no marker',
        (p) => (p.metadata!.annotations = {}),
        /not injected by the Furnace webhook \(no furnace\.hyperfoil\.io\/injected annotation\)/,
      ],
      ['host network', (p) => (p.spec!.hostNetwork = true), /uses the host network/],
      [
        'another image',
        (p) => (sidecar(p).image = 'evil/furnace:1'),
        /runs furnace image "evil\/furnace:1", not the configured registry\.example/,
      ],
      [
        'the same repository by tag',
        (p) => (sidecar(p).image = 'registry.example/furnace:latest'),
        /not the configured/,
      ],
      ['no image', (p) => delete sidecar(p).image, /runs furnace image ""/],
      [
        'a command',
        (p) => (sidecar(p).command = ['sh']),
        /not the one the webhook injects \(command differs\)/,
      ],
      ['arguments', (p) => (sidecar(p).args = ['--evil']), /\(args differs\)/],
      [
        'NODE_OPTIONS',
        (p) => sidecar(p).env!.push({ name: 'NODE_OPTIONS', value: '--import=/evil.mjs' }),
        /\(env NODE_OPTIONS differs\)/,
      ],
      [
        'a volume it mounts, replaced',
        (p) => (p.spec!.volumes!.find((v) => v.name === 'furnace-output')!.emptyDir = undefined),
        /\(volume furnace-output differs\)/,
      ],
      [
        'the capabilities',
        (p) => (sidecar(p).securityContext = { privileged: true, runAsUser: 1000 }),
        /\(securityContext differs\)/,
      ],
      ['being deleted', (p) => (p.metadata!.deletionTimestamp = new Date()), /is being deleted/],
    ];
    for (const [what, change, expectedReason] of cases) {
      const result = checkPod(expected, pod(change), policy);
      assert.equal(result.ok === false && result.status, 403, what);
      assert.match(reason(result), expectedReason, what);
    }
  });

  it('accepts any of the configured images, e.g. the previous release during an upgrade', () => {
    const previous = pod((p) => (p.spec!.containers[1]!.image = 'registry.example/furnace:0.9'));
    assert.equal(
      checkPod(expected, previous, { ...policy, sidecarImages: [IMAGE, 'registry.example/furnace:0.9'] }).ok,
      true,
    );
  });

  it('needs the namespace labelled furnace=enabled', () => {
    assert.deepEqual(checkNamespace('shop', { metadata: { labels: { furnace: 'enabled' } } }), { ok: true });
    const off = checkNamespace('shop', { metadata: { labels: { furnace: 'disabled' } } });
    assert.equal(off.ok === false && off.reason, 'namespace shop is not opted in (label furnace=enabled)');
    const gone = checkNamespace('shop', undefined);
    assert.equal(gone.ok === false && gone.reason, 'namespace shop does not exist');
  });
});
