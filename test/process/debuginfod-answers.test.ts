// What the recorder accepts from a debuginfod server: a hostile or wrong server (a loopback HTTP server that
// answers with another build id's debug file, a stripped binary, or more bytes than the cap) is passed over
// and the next server of DEBUGINFOD_URLS, a real debuginfod, is asked; nothing of a refused answer stays.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { fetchDebugInfo } from '../../sidecar/symbols/debuginfod-client.ts';
import { readElfFacts } from '../../sidecar/symbols/elf-facts.ts';
import { startDebuginfod } from '../harness/debuginfod-server.ts';
import { portOf } from '../harness/ports.ts';
import { buildStrippedC } from '../harness/stripped-programs.ts';
import { tempDir, workDir } from '../harness/temp-dirs.ts';

/**
 * A server that answers every build id with the same file, or with `bytes` zeros: with a Content-Length, or
 * chunked (the length known only once it has all come).
 */
async function hostileServer(
  t: TestContext,
  answer: { file: string } | { bytes: number; chunked: boolean },
): Promise<string> {
  const server = createServer((_request, response) => {
    if ('file' in answer) createReadStream(answer.file).pipe(response);
    else if (!answer.chunked) response.end(Buffer.alloc(answer.bytes));
    else {
      for (let sent = 0; sent < answer.bytes; sent += 64 * 1024) response.write(Buffer.alloc(64 * 1024));
      response.end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return `http://127.0.0.1:${portOf(server)}`;
}

describe('debuginfod answers (hostile loopback servers, then a real debuginfod)', () => {
  it('takes only an ELF debug file with the asked build id and a symbol table, within the cap', async (t) => {
    const dir = await workDir(t, 'debuginfod-answers');
    const wanted = await buildStrippedC(dir, `wanted${process.pid}`);
    const other = await buildStrippedC(dir, `other${process.pid}`);
    const real = await startDebuginfod(t);
    await real.serve(wanted.debugFile, wanted.buildId);
    const wrongId = await hostileServer(t, { file: other.debugFile });
    const stripped = await hostileServer(t, { file: wanted.program });
    const huge = await hostileServer(t, { bytes: 1024 * 1024, chunked: false });
    const endless = await hostileServer(t, { bytes: 1024 * 1024, chunked: true });
    const out = await tempDir(t, 'furnace-debuginfod-out-');
    const dest = `${out}/${wanted.buildId}.debug`;

    const outcome = await fetchDebugInfo(
      { urls: [wrongId, stripped, huge, endless, real.url], maxBytes: 512 * 1024, timeoutMs: 10_000 },
      wanted.buildId,
      dest,
    );
    assert.deepEqual(outcome, {
      found: true,
      url: real.url,
      bytes: (await stat(dest)).size,
    });
    assert.deepEqual(await readElfFacts(dest), { buildId: wanted.buildId, hasSymbolTable: true });
    assert.deepEqual(await readdir(out), [`${wanted.buildId}.debug`], 'no part of a refused answer is left');

    const refused = await fetchDebugInfo(
      { urls: [wrongId, stripped, huge, endless], maxBytes: 512 * 1024, timeoutMs: 10_000 },
      wanted.buildId,
      `${out}/again.debug`,
    );
    assert.equal(refused.found, false);
    assert.deepEqual(refused.found ? [] : refused.tried.map((tried) => tried.why), [
      `the answer's build id is ${other.buildId}, not ${wanted.buildId}`,
      'the answer has no symbol table',
      '1048576 bytes, over the cap of 524288',
      'the debug file passed 524288 bytes (the cap)',
    ]);
    assert.deepEqual(await readdir(out), [`${wanted.buildId}.debug`]);
  });
});
