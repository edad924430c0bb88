// The recorder's reading of the start key the server sends (core/contract/start-key.ts): a header that is
// not a usable key — too long, odd characters, a path, repeated — is ignored, and the start goes on as one
// without a key; it never becomes a key that could name another start's recording.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_START_KEY_LENGTH, recorderStartKey } from '../../../core/contract/start-key.ts';

describe('the start key a recorder accepts', () => {
  it('takes the server’s hash and a plain key as they are', () => {
    const hash = 'a'.repeat(40);
    assert.equal(recorderStartKey(hash), hash);
    assert.equal(recorderStartKey('run-1.pod:web/0+x=y'), 'run-1.pod:web/0+x=y');
    assert.equal(recorderStartKey('k'.repeat(MAX_START_KEY_LENGTH)), 'k'.repeat(MAX_START_KEY_LENGTH));
  });

  it('ignores a missing, empty, oversized, repeated or strange header', () => {
    for (const header of [
      undefined,
      '',
      'k'.repeat(MAX_START_KEY_LENGTH + 1),
      ['a', 'b'],
      'key with spaces',
      'key\nwith-newline',
      'ключ',
    ])
      assert.equal(recorderStartKey(header), undefined, String(header));
  });

  it('keeps a key with dots and slashes as an opaque key (it is only ever a map key, never a path)', () => {
    assert.equal(recorderStartKey('../../etc'), '../../etc');
  });
});
