// The check at every process start of the harness (test/harness/commands.ts): a command outside
// test/commands.tsv is refused before anything starts, even one this machine has, with one line that names
// the table; and the matching rules the table's header describes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execFileSync, spawn, spawnSync } from '../../harness/child-processes.ts';
import {
  allowedBy,
  checkCommand,
  commandTable,
  launchedCommand,
  parseCommandTable,
} from '../../harness/commands.ts';
import { run, startDetached, startProcess } from '../../harness/processes.ts';

/** Installed on every Debian (coreutils), and kept out of the table on purpose. */
const UNLISTED = ['true', '/usr/bin/true'];
const REFUSAL =
  /^Error: (true|\/usr\/bin\/true) is not in test\/commands\.tsv, the table test\/setup\.sh installs from: add it there with its Debian package \(or how it is built\)$/;

describe('the harness starts only commands of test/commands.tsv', () => {
  it('keeps the command these tests use out of the table, though the machine has it', () => {
    assert.ok(existsSync('/usr/bin/true'));
    assert.equal(
      commandTable().some((row) => row.command.endsWith('true')),
      false,
    );
  });

  it('refuses it at every start function, before anything runs', (t) => {
    for (const command of UNLISTED) {
      assert.throws(() => checkCommand(command), REFUSAL);
      assert.throws(() => spawn(command, []), REFUSAL);
      assert.throws(() => spawnSync(command, []), REFUSAL);
      assert.throws(() => execFileSync(command, []), REFUSAL);
      assert.throws(() => startProcess(t, command, []), REFUSAL);
      assert.throws(() => startDetached(command, [], join(tmpdir(), 'furnace-never-written.log')), REFUSAL);
      // At the call, not as a rejection: a caller's .catch for a failing command must not swallow it.
      assert.throws(() => void run(command, []), REFUSAL);
    }
    assert.equal(existsSync(join(tmpdir(), 'furnace-never-written.log')), false);
  });

  it('refuses it behind a launcher too', () => {
    const [command = ''] = UNLISTED;
    assert.throws(() => checkCommand('setpriv', ['--reuid', '65534', '--clear-groups', command]), REFUSAL);
    assert.throws(() => checkCommand('unshare', ['-m', '--propagation', 'private', command, '-x']), REFUSAL);
    assert.throws(() => checkCommand('taskset', ['-c', '1', command]), REFUSAL);
  });

  it('runs a listed command as before', async () => {
    assert.equal((await run('sh', ['-c', 'echo listed'])).stdout, 'listed\n');
  });
});

describe('matching a started command to a row', () => {
  const rows = parseCommandTable(
    [
      '# command\tfrom\tpackage',
      'perf\tdebian\tlinux-perf',
      '/usr/bin/chromium\tdebian\tchromium',
      'kube-apiserver\tbuild\ttest/harness/build-control-plane.sh',
    ].join('\n'),
  );
  const allowed = (command: string) => {
    const by = allowedBy(command, rows);
    return typeof by === 'object' ? by.command : by;
  };

  it('takes a bare name, an absolute-path row, and a tool by its name where tools live', () => {
    assert.equal(allowed('perf'), 'perf');
    assert.equal(allowed('/usr/bin/chromium'), '/usr/bin/chromium');
    assert.equal(allowed('/usr/bin/perf'), 'perf');
    assert.equal(allowed('/opt/elsewhere/perf'), undefined);
    assert.equal(allowed('chromium'), undefined);
  });

  it('takes what the harness builds from its build directory', () => {
    const before = process.env.FURNACE_TEST_BIN_DIR;
    process.env.FURNACE_TEST_BIN_DIR = '/srv/furnace-k8s';
    try {
      assert.equal(allowed('/srv/furnace-k8s/kube-apiserver'), 'kube-apiserver');
      assert.equal(allowed('/srv/furnace-k8s/kube-unknown'), undefined);
    } finally {
      if (before === undefined) delete process.env.FURNACE_TEST_BIN_DIR;
      else process.env.FURNACE_TEST_BIN_DIR = before;
    }
  });

  it("takes the tests' own Node and the programs they compile, nothing else by path", () => {
    assert.equal(allowed(process.execPath), 'project');
    assert.equal(allowed(join(tmpdir(), 'furnace-hot-1', 'fhot')), 'project');
    assert.equal(allowed('/usr/bin/true'), undefined);
  });

  it('finds the command a launcher starts, past its options and their values', () => {
    assert.equal(
      launchedCommand('setpriv', ['--inh-caps', '-all', '--no-new-privs', 'bpftrace', '-e']),
      'bpftrace',
    );
    assert.equal(
      launchedCommand('/usr/bin/unshare', ['--pid', '--kill-child=SIGTERM', '/bin/sh', 'x']),
      '/bin/sh',
    );
    assert.equal(launchedCommand('taskset', ['-c', '0', 'ab', '-k']), 'ab');
    assert.equal(launchedCommand('setpriv', ['--pdeathsig', 'INT', '--', 'perf', 'record']), 'perf');
    assert.equal(launchedCommand('taskset', ['-a', '-p', '-c', '0', '4242']), undefined);
    assert.equal(launchedCommand('taskset', ['-c', '0', 'perf', 'record', '-p', '4242']), 'perf');
    assert.equal(launchedCommand('stdbuf', ['-o', '64K', 'perf', 'script']), 'perf');
    assert.equal(launchedCommand('perf', ['record', 'sleep']), undefined);
  });

  it('refuses a malformed table with its line', () => {
    assert.throws(
      () => parseCommandTable('perf\tdebian'),
      /^Error: test\/commands\.tsv:1: expected command<TAB>from<TAB>package/,
    );
    assert.throws(
      () => parseCommandTable('\nperf\tapt\tlinux-perf'),
      /test\/commands\.tsv:2: from is apt; allowed: debian, build, machine, project/,
    );
  });
});
