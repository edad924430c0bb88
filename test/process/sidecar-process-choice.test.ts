// Which processes a start request records, with the real sidecar and real processes: never the client
// that sent the request, and every target that is still there when perf attaches.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { run, startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
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

  it('records the targets that are left when some of a broad pattern exit before perf attaches', async (t) => {
    const dir = await workDir(t, 'churn');
    const name = `furnace_churn_${process.pid}`;
    const hot = await buildHotProgram(dir, [], `${name}_hot`);
    startProcess(t, hot, ['120']);
    // Processes of the pattern that live half a second each: some are gone by the time perf starts.
    startProcess(t, 'bash', ['-c', `while :; do (exec -a ${name}_brief sleep 0.5) & sleep 0.02; done`]);
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    await eventually(
      async () => {
        const { stdout } = await run('pgrep', ['-c', '-f', `^${name}_brief`]).catch(() => ({ stdout: '0' }));
        return Number(stdout) >= 5 || undefined;
      },
      10_000,
      'short-lived processes of the pattern',
    );
    const done = await sidecar.record({ processPattern: name, durationSeconds: 5, frequency: 199 });
    assert.equal(done.state, 'done', done.error);
    assert.ok(done.targets.length > 1, `short-lived processes were chosen: ${JSON.stringify(done.targets)}`);
    t.diagnostic(`warnings: ${JSON.stringify(done.warnings ?? [])}`);
    const chosen = new Set(done.targets.map((target) => target.pid));
    for (const warning of done.warnings ?? []) {
      if (!/exited before perf attached/.test(warning)) continue;
      assert.match(
        warning,
        /^\d+ \([^)]+\)(, \d+ \([^)]+\))* exited before perf attached; recording the other \d+$/,
      );
      for (const [, pid] of warning.matchAll(/(\d+) \(/g)) assert.ok(chosen.has(Number(pid)), warning);
    }
    const folded = await sidecar.artifact(done.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded);
  });

  it('records what lives under the broadest pattern (.), with short-lived processes and whatever this machine runs', async (t) => {
    const dir = await workDir(t, 'broad');
    const name = `furnace_broad_${process.pid}`;
    const hot = await buildHotProgram(dir, [], `${name}_hot`);
    startProcess(t, hot, ['120', '25']);
    startProcess(t, 'bash', ['-c', `while :; do (exec -a ${name}_brief sleep 0.3) & sleep 0.02; done`]);
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const done = await sidecar.record({ processPattern: '.', durationSeconds: 3, frequency: 49 });
    t.diagnostic(`${done.targets.length} targets; warnings: ${JSON.stringify(done.warnings ?? [])}`);
    assert.equal(done.state, 'done', done.error);
    assert.ok(
      done.targets.some((target) => target.comm.startsWith('furnace_broad_')),
      'the hot program is among the targets',
    );
    const folded = await sidecar.artifact(done.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, 'what lives is recorded');
    for (const warning of done.warnings ?? [])
      assert.doesNotMatch(warning, /perf record failed/, 'every target left out is named, in words');
  });
});
