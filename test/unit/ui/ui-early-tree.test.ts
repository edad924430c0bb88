// When the record page reads the flame tree from the sidecar instead of waiting for the catalog
// (ui/src/record/early-tree.ts): from the click on Stop or the end of recording (the read then waits at the
// sidecar for the tree), or once a status lists the tree while the recording processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sidecarHasTree, treeReadDue } from '../../../ui/src/record/early-tree.ts';
import { recordingStatus } from '../../harness/recording-status.ts';

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

describe('treeReadDue', () => {
  it('opens the waiting read as soon as Stop is asked, before any status says recording ended', () => {
    const recording = recordingStatus('r1', { state: 'recording' });
    assert.equal(treeReadDue(recording, true), true);
    assert.equal(treeReadDue(recording, false), false, 'not while recording goes on');
  });

  it('opens it when recording ended by itself, and leaves ended recordings to the catalog', () => {
    assert.equal(treeReadDue(recordingStatus('r1', { state: 'processing' }), false), true);
    assert.equal(treeReadDue(recordingStatus('r1', { state: 'done' }), true), false);
    assert.equal(treeReadDue(recordingStatus('r1', { state: 'failed' }), true), false);
    assert.equal(treeReadDue(undefined, true), false);
  });
});
