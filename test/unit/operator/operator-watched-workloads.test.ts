import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWatchedWorkloads } from '../../../operator/recording/watch/watched-workloads.ts';

const deployment = (namespace: string, name: string) => ({ metadata: { namespace, name } });

describe('the index of watched workloads', () => {
  it('queues the Recordings that follow a workload, by kind, namespace and name, and forgets a Recording gone', () => {
    const index = createWatchedWorkloads();
    index.set({ namespace: 'shop', name: 'a' }, { kind: 'Deployment', name: 'web' });
    index.set({ namespace: 'shop', name: 'b' }, { kind: 'Deployment', name: 'web' });
    index.set({ namespace: 'shop', name: 'c' }, { kind: 'StatefulSet', name: 'web' });
    index.set({ namespace: 'shop', name: 'plain' }, undefined);
    assert.deepEqual(
      index.keysOf('Deployment', deployment('shop', 'web')).map((k) => k.name),
      ['a', 'b'],
    );
    assert.deepEqual(index.keysOf('Deployment', deployment('other', 'web')), []);
    assert.deepEqual(
      index.keysOf('StatefulSet', deployment('shop', 'web')).map((k) => k.name),
      ['c'],
    );
    index.set({ namespace: 'shop', name: 'a' }, undefined);
    assert.deepEqual(
      index.keysOf('Deployment', deployment('shop', 'web')).map((k) => k.name),
      ['b'],
    );
    index.set({ namespace: 'shop', name: 'b' }, { kind: 'Deployment', name: 'api' });
    assert.deepEqual(index.keysOf('Deployment', deployment('shop', 'web')), []);
    assert.deepEqual(
      index.keysOf('Deployment', deployment('shop', 'api')).map((k) => k.name),
      ['b'],
    );
  });
});
