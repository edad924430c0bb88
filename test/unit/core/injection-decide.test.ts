import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { decideAdmission, decideInjection } from '../../../core/injection/decide-injection.ts';
import { findInjectedSidecar } from '../../../core/injection/pod-shape.ts';
import { OPT_IN_VALUES } from '../../../core/contract/names.ts';

function pod(labels?: Record<string, string>, annotations?: Record<string, string>): V1Pod {
  return {
    metadata: { name: 'p', labels, annotations },
    spec: { containers: [{ name: 'app', image: 'app' }] },
  };
}

const POD_KIND = { group: '', version: 'v1', kind: 'Pod' };

describe('decideInjection', () => {
  it('injects for every opt-in value, in any case, on the label or the annotation', () => {
    for (const value of OPT_IN_VALUES) {
      assert.deepEqual(decideInjection(pod({ furnace: value.toUpperCase() })), {
        inject: true,
        reasons: ['opted-in-label'],
      });
      assert.deepEqual(decideInjection(pod(undefined, { furnace: ` ${value} ` })), {
        inject: true,
        reasons: ['opted-in-annotation'],
      });
    }
  });

  it('skips a pod that did not opt in, or opted out', () => {
    assert.deepEqual(decideInjection(pod()), { inject: false, reasons: ['pod-not-opted-in'] });
    assert.deepEqual(decideInjection(pod({ furnace: 'false' }, { furnace: 'off' })).reasons, [
      'pod-opted-out',
    ]);
    assert.deepEqual(decideInjection(pod({ Furnace: 'yes' })).reasons, ['pod-not-opted-in']);
  });

  it('never injects twice: the marker annotation or a container named furnace', () => {
    const marked = pod({ furnace: 'yes' }, { 'furnace.hyperfoil.io/injected': 'x' });
    assert.deepEqual(decideInjection(marked).reasons, ['already-injected-annotation']);
    const named = pod({ furnace: 'yes' });
    named.spec = {
      containers: [{ name: 'app' }],
      initContainers: [{ name: 'furnace', restartPolicy: 'Always' }],
    };
    assert.deepEqual(decideInjection(named).reasons, ['container-named-furnace']);
  });

  it('skips when the sidecar volume names or port are taken, with every reason listed', () => {
    const clash: V1Pod = {
      metadata: { labels: { furnace: 'yes' } },
      spec: {
        containers: [{ name: 'a', ports: [{ containerPort: 12380 }] }],
        volumes: [{ name: 'furnace-token' }],
      },
    };
    assert.deepEqual(decideInjection(clash).reasons, ['volume-name-taken', 'port-taken']);
  });

  it('injects without opt-in when asked to (the offline CLI)', () => {
    assert.deepEqual(decideInjection(pod(), { requireOptIn: false }), {
      inject: true,
      reasons: ['requested'],
    });
  });
});

describe('decideAdmission', () => {
  it('only considers pod CREATE requests', () => {
    const object = pod({ furnace: 'yes' });
    assert.deepEqual(decideAdmission({ kind: POD_KIND, operation: 'CREATE', object }).inject, true);
    assert.deepEqual(decideAdmission({ kind: POD_KIND, operation: 'UPDATE', object }).reasons, [
      'not-create',
    ]);
    const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
    assert.deepEqual(decideAdmission({ kind: deployment, operation: 'CREATE', object }).reasons, [
      'not-a-pod',
    ]);
    assert.deepEqual(decideAdmission({ kind: POD_KIND, operation: 'CREATE' }).reasons, ['not-a-pod']);
    assert.deepEqual(
      decideAdmission({ kind: POD_KIND, operation: 'CREATE', subResource: 'ephemeralcontainers', object })
        .reasons,
      ['subresource'],
    );
  });
});

describe('findInjectedSidecar', () => {
  it('finds the sidecar in containers or as a native sidecar, never as an ephemeral container', () => {
    const inContainers: V1Pod = { spec: { containers: [{ name: 'app' }, { name: 'furnace' }] } };
    const native: V1Pod = {
      spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'furnace', restartPolicy: 'Always' }] },
    };
    const plainInit: V1Pod = {
      spec: { containers: [{ name: 'app' }], initContainers: [{ name: 'furnace' }] },
    };
    const ephemeral: V1Pod = {
      spec: { containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'furnace' }] },
    };
    assert.equal(findInjectedSidecar(inContainers)?.name, 'furnace');
    assert.equal(findInjectedSidecar(native)?.name, 'furnace');
    assert.equal(findInjectedSidecar(plainInit), undefined);
    assert.equal(findInjectedSidecar(ephemeral), undefined);
    // The decision still refuses to add a second container of that name, wherever the first one is.
    assert.deepEqual(decideInjection({ ...ephemeral, metadata: { labels: { furnace: 'yes' } } }).reasons, [
      'container-named-furnace',
    ]);
  });
});
