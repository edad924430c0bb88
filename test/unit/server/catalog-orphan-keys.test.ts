// Orphan collection looks a key's entry up by the recording the key's form names (server/catalog/
// orphans.ts), instead of holding every key of the catalog at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingOfKey } from '../../../server/catalog/orphans.ts';
import { legacyArtifactKey } from '../../../server/storage/artifact-store.ts';

describe('the recording an artifact key names', () => {
  it('is the segment before the name, in both stores’ keys', () => {
    assert.equal(recordingOfKey(legacyArtifactKey('rec-1', 'perf.data')), 'rec-1');
    assert.equal(recordingOfKey('root/sub/rec-2/flamegraph.svg.0123456789abcdef'), 'rec-2');
    assert.equal(recordingOfKey('rec-3/stacks.folded.00ff00ff00ff00ff'), 'rec-3');
  });

  it('is empty for a key of no such form (nothing is looked up for it)', () => {
    assert.equal(recordingOfKey('lonely'), '');
    assert.equal(recordingOfKey('/x'), '');
  });
});
