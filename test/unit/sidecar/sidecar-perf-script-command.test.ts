import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { perfScriptCommand, perfScriptArgs } from '../../../sidecar/profilers/perf/perf-script.ts';
import { execFileSync } from '../../harness/child-processes.ts';

describe('perf script command', () => {
  const args = perfScriptArgs('/rec/perf.data', '/rec/.build-id');

  it("runs perf script under stdbuf with 64 KiB output writes, a pipe's capacity, when the image has stdbuf", () => {
    assert.deepEqual(perfScriptCommand('/usr/bin/perf', args, '/usr/bin/stdbuf'), {
      command: '/usr/bin/stdbuf',
      args: ['-o', '64K', '/usr/bin/perf', ...args],
    });
  });

  it('runs perf itself when there is no stdbuf', () => {
    assert.deepEqual(perfScriptCommand('perf', args, null), { command: 'perf', args });
  });

  it('passes output through stdbuf unchanged (the real stdbuf of this machine)', () => {
    const { command, args: wrapped } = perfScriptCommand('printf', ['%s\\n', 'a', 'b', 'c']);
    assert.equal(execFileSync(command, wrapped, { encoding: 'utf8' }), 'a\nb\nc\n');
  });
});
