// Issue "Trust, round two", item 12: pprof fetches a port and path of the pod's loopback that the caller
// chose; whatever answers there (another app's admin page, a token) must not come back in the recording's
// error text, which everyone who may view the namespace reads. A loopback server plays that other app.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fetchPprof, PprofFetchError } from '../../../sidecar/profilers/pprof/pprof-fetch.ts';
import { portOf } from '../../harness/ports.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const SECRET = 'db-password=hunter2';

describe('pprof fetch of an endpoint that is not pprof', () => {
  it('names the status and what to check, and none of the answer', async (t) => {
    const server = createServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' }).end(`${SECRET}\n`.repeat(50));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const dir = await tempDir(t, 'pprof-fetch-');
    const url = `http://127.0.0.1:${portOf(server)}/admin`;
    const failure = await fetchPprof({ url, timeoutMs: 5000, maxBytes: 1 << 20, file: join(dir, 'p') }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof PprofFetchError);
    assert.equal(
      failure.message,
      `${url} answered 403 Forbidden instead of a pprof profile: check pprof.port and pprof.path`,
    );
    assert.doesNotMatch(failure.message, /hunter2/);
  });
});
