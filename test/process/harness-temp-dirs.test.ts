// The harness's scratch directories: a test whose process is still writing into its directory when the
// directory is removed (its stop hook comes after the removal's) neither fails nor leaves the process running.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isAlive, startProcess } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

describe('scratch directories of a test (harness)', () => {
  let writer = 0;

  it('are removed while a process the test started keeps creating files in them', async (t) => {
    const dir = await tempDir(t, 'furnace-busy-dir-');
    // Made after the directory, so its stop hook runs after the directory's removal, as a sidecar's does.
    const busy = startProcess(t, 'bash', [
      '-c',
      `while :; do mkdir -p "${dir}/a/b" && : > "${dir}/a/b/$RANDOM"; done`,
    ]);
    writer = busy.pid;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(isAlive(busy.pid), 'the writer runs until the test ends');
  });

  it('and the hooks after the removal still stop that process', () => {
    assert.ok(writer > 0);
    assert.equal(isAlive(writer), false, `the writer ${writer} was stopped by its hook`);
  });
});
