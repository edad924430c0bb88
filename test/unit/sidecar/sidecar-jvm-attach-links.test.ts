// Issue "Trust, round two", item 10: the JVM attach trigger and socket live in directories the container
// owns. A link planted there as `.attach_pid<n>` made the recorder (root) truncate or create the file it
// points to in the recorder's own filesystem; a link named like the socket made it send a command to
// another socket. A fake /proc/<pid> tree plays the target, with links to files and a socket outside it.
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AttachError, runJvmCommand } from '../../../sidecar/profilers/jvm/jvm-attach.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const PID = 4321;
const CATCHES_SIGQUIT = 'Name:\tjava\nSigCgt:\t0000000181005ccf\n';

describe('JVM attach in a hostile container', () => {
  it('creates its trigger through no link and talks to no socket a link points at', async (t) => {
    const outside = await tempDir(t, 'jvm-outside-');
    const victim = join(outside, 'precious');
    await writeFile(victim, 'precious\n');
    const elsewhere = createServer((connection) => {
      connections.push('connected');
      connection.destroy();
    });
    const connections: string[] = [];
    const socketPath = join(outside, 'other.sock');
    await new Promise<void>((resolve) => elsewhere.listen(socketPath, resolve));
    t.after(() => elsewhere.close());

    const procRoot = await tempDir(t, 'jvm-proc-');
    const proc = join(procRoot, String(PID));
    await mkdir(join(proc, 'root', 'tmp'), { recursive: true });
    await mkdir(join(proc, 'cwd'), { recursive: true });
    await writeFile(join(proc, 'status'), CATCHES_SIGQUIT);
    await symlink(victim, join(proc, 'cwd', `.attach_pid${PID}`));
    await symlink(victim, join(proc, 'root', 'tmp', `.attach_pid${PID}`));
    await symlink(socketPath, join(proc, 'root', 'tmp', `.java_pid${PID}`));

    const signals: string[] = [];
    const failure = await runJvmCommand({ pid: PID, nspid: PID }, 'Compiler.perfmap', {
      procRoot,
      kill: (_pid, signal) => signals.push(signal),
      startTimeoutMs: 300,
      replyTimeoutMs: 300,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof AttachError, String(failure));
    assert.match(failure.message, /\.attach_pid4321 could not be created/);
    assert.equal(await readFile(victim, 'utf8'), 'precious\n', 'the linked file is untouched');
    assert.deepEqual(connections, [], 'nothing connected to the socket the link points at');
    assert.deepEqual(signals, [], 'no SIGQUIT without a trigger');
  });
});
