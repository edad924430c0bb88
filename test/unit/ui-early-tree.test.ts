// When the record page reads the flame tree from the sidecar instead of waiting for the catalog
// (ui/src/record/early-tree.ts): only while the recording is processing and its status lists the tree.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sidecarHasTree } from '../../ui/src/record/early-tree.ts';
import { recordingStatus } from '../harness/recording-status.ts';

describe('sidecarHasTree', () => {
  const tree = ['perf.data', 'perf.script', 'flame-tree.bin.gz'] as const;
  it('reads the tree while the recording processes, once its status lists it', () => {
    assert.equal(sidecarHasTree(recordingStatus('r1', { state: 'processing', artifacts: [...tree] })), true);
    const notYet = recordingStatus('r1', { state: 'processing', artifacts: ['perf.data', 'perf.script'] });
    assert.equal(sidecarHasTree(notYet), false);
  });

  it('leaves a done recording to the catalog, and reads nothing of a failed or absent one', () => {
    assert.equal(sidecarHasTree(recordingStatus('r1', { state: 'done', artifacts: [...tree] })), false);
    assert.equal(sidecarHasTree(recordingStatus('r1', { state: 'failed', artifacts: [...tree] })), false);
    assert.equal(sidecarHasTree(recordingStatus('r1', { state: 'recording' })), false);
    assert.equal(sidecarHasTree(undefined), false);
  });
});
