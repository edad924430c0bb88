// The continuous pair's command lines and its end in words. perf record runs under `setpriv --pdeathsig
// INT`, both perfs through the shell that ignores SIGPIPE (continuous-pair-sigpipe.test.ts shows the
// masks); a pair that ended without being stopped says why, naming the binary addr2line could not read
// when that is what failed perf script, as a recording's error does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairCommands, pairFailureMessage } from '../../../sidecar/continuous/perf-pair.ts';

describe('the continuous pair’s command lines', () => {
  it('runs perf record under setpriv, interrupted when the agent dies', () => {
    const record = { command: 'perf', args: ['record', '-o', '-'] };
    const script = { command: 'perf', args: ['script', '-i', '-'] };
    const commands = pairCommands(record, script, { shell: '/bin/sh', setpriv: '/usr/bin/setpriv' });
    assert.equal(commands.record.command, '/bin/sh');
    assert.deepEqual(commands.record.args.slice(2), [
      'sh',
      '/usr/bin/setpriv',
      '--pdeathsig',
      'INT',
      '--',
      'perf',
      'record',
      '-o',
      '-',
    ]);
    assert.deepEqual(commands.script.args.slice(2), ['sh', 'perf', 'script', '-i', '-']);
  });
});

describe('why a continuous pair ended', () => {
  it('names the binary addr2line could not read when perf script failed on it', () => {
    const stderr = 'addr2line /furnace-hot: could not read first record\n';
    const message = pairFailureMessage({
      record: { code: 0, signal: null },
      script: { code: null, signal: 'SIGPIPE' },
      stderr,
    });
    assert.match(
      message,
      /^perf script failed \(killed by SIGPIPE\); addr2line could not read \/furnace-hot for its source lines \(perf: could not read first record\)/,
    );
  });

  it('puts it on perf record when it exited with an error by itself, and perf script failed after it', () => {
    const stderr = [
      'no access to cgroup /sys/fs/cgroup/unified/kubepods.slice/gone',
      'incompatible file format (rerun with -v to learn more)',
    ].join('\n');
    const end = { record: { code: 129, signal: null }, script: { code: 255, signal: null }, stderr };
    assert.equal(pairFailureMessage(end), `perf record failed (exit 129): ${stderr}`);
    const killed = { ...end, record: { code: null, signal: 'SIGTERM' } };
    assert.match(pairFailureMessage(killed), /^perf script failed \(exit 255\): no access/);
  });

  it('says how perf record ended when perf script ended well', () => {
    const end = { record: { code: null, signal: 'SIGTERM' }, script: { code: 0, signal: null } };
    assert.equal(pairFailureMessage({ ...end, stderr: '' }), 'perf record ended (killed by SIGTERM)');
    assert.equal(
      pairFailureMessage({ ...end, stderr: 'cgroup not found\n' }),
      'perf record ended (killed by SIGTERM): cgroup not found',
    );
  });
});
