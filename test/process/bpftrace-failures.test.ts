// bpftrace's failures in words: the real bpftrace refused (run as an unprivileged user through setpriv),
// and the messages of the other causes as bpftrace prints them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainBpftraceFailure } from '../../sidecar/profilers/bpftrace/bpftrace-failures.ts';
import { spawnSync } from '../harness/child-processes.ts';

describe('bpftrace failures explained', () => {
  it('says bpftrace is not permitted, and how to fix it, when the real bpftrace runs without privileges', () => {
    const run = spawnSync(
      'setpriv',
      ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'bpftrace', '-e', 'BEGIN { exit(); }'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.notEqual(run.status, 0, 'bpftrace refused to run unprivileged');
    const message = explainBpftraceFailure({ exitCode: run.status, signal: null, stderr: run.stderr });
    assert.match(
      message,
      /^bpftrace is not permitted to load BPF programs here: .*Run the recorder privileged/,
    );
    assert.ok(message.endsWith(`(bpftrace failed (exit ${run.status}): ${run.stderr.trim()})`), message);
  });

  it('names the cause of a locked-down kernel, missing BTF, a probe that did not attach and a resource limit', () => {
    const cases: [string, RegExp][] = [
      ['ERROR: kernel lockdown is enabled', /^the kernel is in lockdown/],
      ['ERROR: Could not resolve BTF of the running kernel', /^bpftrace found neither the kernel's BTF/],
      ['ERROR: Failed to attach probe: profile:hz:99', /^bpftrace could not attach its sampling probe/],
      ['ERROR: Too many open files', /^bpftrace ran out of a resource limit/],
    ];
    for (const [stderr, expected] of cases)
      assert.match(explainBpftraceFailure({ exitCode: 1, signal: null, stderr }), expected);
    assert.equal(
      explainBpftraceFailure({ exitCode: null, signal: 'SIGKILL', stderr: '' }),
      'bpftrace failed (SIGKILL): no output',
    );
  });
});
