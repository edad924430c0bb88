import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readWorkloadState, templateVersion } from '../../../operator/recording/watch/workload-state.ts';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'hot:1' }] },
};

describe('readWorkloadState', () => {
  it('the version is the pod template’s, whatever the order of its keys; an annotation makes a new one', () => {
    const reordered = {
      spec: { containers: [{ image: 'hot:1', name: 'web' }] },
      metadata: { labels: { app: 'web' } },
    };
    assert.equal(templateVersion(template), templateVersion(reordered));
    const annotated = {
      ...template,
      metadata: { ...template.metadata, annotations: { restartedAt: 'now' } },
    };
    assert.notEqual(templateVersion(template), templateVersion(annotated));
    assert.match(templateVersion(template), /^[0-9a-f]{16}$/);
  });

  it('a Deployment is rolled out when the controller saw its generation and every count is the replicas', () => {
    const deployment = {
      metadata: { generation: 3 },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template },
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      },
    };
    assert.equal(readWorkloadState('Deployment', deployment).rolledOut, true);
    const surging = { ...deployment, status: { ...deployment.status, replicas: 3, readyReplicas: 3 } };
    const state = readWorkloadState('Deployment', surging);
    assert.equal(state.rolledOut, false);
    assert.equal(state.waiting, 'replicas 3/2, readyReplicas 3/2');
    const unseen = readWorkloadState('Deployment', { ...deployment, metadata: { generation: 4 } });
    assert.match(unseen.waiting ?? '', /not seen generation 4 yet \(observed 3\)/);
  });

  it('a StatefulSet waits for its update revision; a DaemonSet counts its scheduled pods', () => {
    const set = {
      metadata: { generation: 1 },
      spec: { replicas: 1, selector: { matchLabels: { app: 'db' } }, template },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        currentRevision: 'a',
        updateRevision: 'b',
      },
    };
    assert.equal(readWorkloadState('StatefulSet', set).rolledOut, false);
    assert.equal(
      readWorkloadState('StatefulSet', { ...set, status: { ...set.status, currentRevision: 'b' } }).rolledOut,
      true,
    );
    const daemons = {
      metadata: { generation: 2 },
      spec: { selector: { matchLabels: { app: 'agent' } }, template },
      status: {
        observedGeneration: 2,
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        updatedNumberScheduled: 2,
        numberReady: 3,
        numberAvailable: 3,
      },
    };
    assert.equal(readWorkloadState('DaemonSet', daemons).waiting, 'updatedNumberScheduled 2/3');
  });

  it('a DeploymentConfig’s selector is a label map', () => {
    const config = {
      spec: { replicas: 1, selector: { app: 'web' }, template },
      status: { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
    };
    const state = readWorkloadState('DeploymentConfig', config);
    assert.deepEqual(state.selector, { matchLabels: { app: 'web' } });
    assert.equal(state.rolledOut, true);
  });
});
