// Sessions shared by replicas keep their token sealed (AES-256-GCM, a key derived from the shared key and
// the session id): it opens only with both, any change to the seal is refused, and the record's name
// does not give the id away.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openToken, sealToken, sessionHash } from '../../../server/auth/session-seal.ts';
import { sessionRecordName } from '../../../server/auth/session-shared-store.ts';
import { sharedKeysOf } from '../../../core/shared-key.ts';

const KEYS = sharedKeysOf([Buffer.alloc(32, 4)]);
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';
const ID = 'x'.repeat(43);

describe('sealed session tokens', () => {
  it('open with the shared key and the session id, and hold nothing of the token in clear', () => {
    const sealed = sealToken(KEYS.current, ID, TOKEN);
    assert.equal(sealed.keyId, KEYS.current.id);
    assert.equal(openToken(KEYS, ID, sealed), TOKEN);
    assert.ok(
      !sealed.sealed.includes(TOKEN.slice(0, 12)) &&
        !Buffer.from(sealed.sealed, 'base64url').includes(TOKEN.slice(0, 12)),
    );
    assert.notEqual(sealToken(KEYS.current, ID, TOKEN).sealed, sealed.sealed, 'a new IV each time');
  });

  it('do not open with another id, another key, a key this replica does not hold, or a changed seal', () => {
    const sealed = sealToken(KEYS.current, ID, TOKEN);
    const bytes = Buffer.from(sealed.sealed, 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    const other = sharedKeysOf([Buffer.alloc(32, 5)]);
    assert.equal(openToken(KEYS, 'y'.repeat(43), sealed), undefined, 'another session id');
    assert.equal(openToken(sharedKeysOf([Buffer.alloc(32, 5), Buffer.alloc(32, 6)]), ID, sealed), undefined);
    assert.equal(openToken(KEYS, ID, { keyId: other.current.id, sealed: sealed.sealed }), undefined);
    assert.equal(
      openToken(KEYS, ID, { ...sealed, sealed: bytes.toString('base64url') }),
      undefined,
      'tampered',
    );
    assert.equal(openToken(KEYS, ID, { ...sealed, sealed: 'short' }), undefined);
  });

  it('open after a rotation with the previous key still accepted', () => {
    const sealed = sealToken(KEYS.current, ID, TOKEN);
    const rotated = sharedKeysOf([Buffer.alloc(32, 9), Buffer.alloc(32, 4)]);
    assert.equal(openToken(rotated, ID, sealed), TOKEN);
  });

  it('are named by a hash of the id, never the id', () => {
    const name = sessionRecordName(ID);
    assert.match(name, /^furnace-session-[0-9a-f]{40}$/);
    assert.ok(!name.includes(ID));
    assert.equal(name.slice('furnace-session-'.length), sessionHash(ID).slice(0, 40));
  });
});
