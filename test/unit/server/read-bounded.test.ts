import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough, Readable } from 'node:stream';
import { FurnaceError } from '../../../core/contract/errors.ts';
import { readBounded } from '../../../server/read-bounded.ts';

/** A byte stream (not object mode) that gets `chunks` later, as a socket would. */
function later(chunks: string[], end = true): PassThrough {
  const stream = new PassThrough();
  setImmediate(() => {
    for (const chunk of chunks) stream.write(Buffer.from(chunk));
    if (end) stream.end();
  });
  return stream;
}

describe('readBounded', () => {
  it('joins the chunks of a stream up to its end', async () => {
    assert.equal((await readBounded(later(['{"a":', '1}']), 16, 'answer')).toString(), '{"a":1}');
    assert.equal((await readBounded(later([]), 16, 'answer')).length, 0);
    assert.equal((await readBounded(Readable.from([Buffer.from('x')]), 16, 'answer')).toString(), 'x');
  });

  it('refuses a stream one byte past the limit, naming it, and closes the stream', async () => {
    const stream = later(['12345', '678'], false);
    await assert.rejects(readBounded(stream, 7, 'sidecar answer'), (error: unknown) => {
      assert.ok(error instanceof FurnaceError);
      assert.equal(error.code, 'ERR_PAYLOAD_TOO_LARGE');
      assert.match(error.message, /sidecar answer is larger than 7 bytes/);
      assert.deepEqual(error.details, { field: 'sidecar answer', limit: 7 });
      return true;
    });
    assert.equal(stream.destroyed, true);
  });

  it('passes on a stream’s error, and a close before the end', async () => {
    const failing = new PassThrough();
    setImmediate(() => failing.destroy(new Error('connection reset')));
    await assert.rejects(readBounded(failing, 16, 'answer'), /connection reset/);
    const cut = later(['12'], false);
    setTimeout(() => cut.destroy(), 5);
    await assert.rejects(readBounded(cut, 16, 'answer'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});
