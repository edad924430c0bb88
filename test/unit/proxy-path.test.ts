import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FurnaceError } from '../../core/errors.ts';
import { forwardedPath } from '../../server/proxy-path.ts';

describe('forwardedPath', () => {
  it('keeps what follows /proxy/<namespace>/<pod>, query and encoding as sent', () => {
    assert.equal(forwardedPath('/proxy/ns/pod/recordings/rec-7?x=1&y=%20'), '/recordings/rec-7?x=1&y=%20');
    assert.equal(forwardedPath('/proxy/ns/pod/recordings/a%20b'), '/recordings/a%20b');
    assert.equal(forwardedPath('/proxy/ns/pod'), '/');
    assert.equal(forwardedPath('/proxy/ns/pod/'), '/');
    assert.equal(forwardedPath('/proxy/ns/pod/recordings/'), '/recordings/');
    assert.equal(forwardedPath('/proxy/ns/pod/recordings/...'), '/recordings/...');
  });

  it('refuses a path the sidecar could resolve to another one, naming the path', () => {
    const refused = [
      '/proxy/ns/pod/x/../recordings',
      '/proxy/ns/pod/x/./recordings',
      '/proxy/ns/pod/x/%2e%2E/recordings',
      '/proxy/ns/pod/x%2f..%2frecordings',
      '/proxy/ns/pod/x/..%5crecordings',
      '/proxy/ns/pod/x\\..\\recordings',
      '/proxy/ns/pod/x%00/recordings',
      '/proxy/ns/pod/x/%zz',
    ];
    for (const url of refused) {
      assert.throws(
        () => forwardedPath(url),
        (error: unknown) =>
          error instanceof FurnaceError &&
          error.code === 'ERR_INVALID_PARAMETER' &&
          error.message.includes(JSON.stringify(url)),
        url,
      );
    }
  });

  it('does not look at the query: dots there are for the sidecar to read', () => {
    assert.equal(forwardedPath('/proxy/ns/pod/recordings?next=../x'), '/recordings?next=../x');
  });
});
