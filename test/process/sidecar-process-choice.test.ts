// Which processes a start request records, with the real sidecar and real processes: never the client
// that sent the request, and every target that is still there when perf attaches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { run } from '../harness/processes.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'process-choice-secret';

describe('choosing processes (real sidecar, real perf, a fake registration server)', () => {
  it('refuses a pattern that only the requesting curl holds in its command line: 400 naming processPattern', async (t) => {
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);
    const pattern = `my-server-${process.pid}`;
    // The README's request, as a user sends it: the pattern is in curl's own arguments.
    const { stdout } = await run('curl', [
      '-sk',
      '-w',
      '\n%{http_code}',
      '-H',
      `authorization: Bearer ${server.proxyToken}`,
      '-H',
      'content-type: application/json',
      '-d',
      JSON.stringify({ processPattern: pattern, durationSeconds: 2 }),
      `${sidecar.tlsBase}/recordings`,
    ]);
    const lines = stdout.trimEnd().split('\n');
    const code = Number(lines.pop());
    const body = JSON.parse(lines.join('\n')) as Partial<RecordingStatus> & {
      code?: string;
      message?: string;
    };
    assert.equal(code, 400, `curl itself was chosen: ${JSON.stringify(body.targets ?? body)}`);
    assert.equal(body.code, 'ERR_NO_MATCHING_PROCESS');
    assert.match(body.message ?? '', new RegExp(`no process matches /${pattern}/ \\(processPattern\\)`));
    assert.match(body.message ?? '', /left out \d+ \(curl\)/, 'says which process was left out and why');
  });
});
