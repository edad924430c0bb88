import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  attachRequest,
  catchesSigquit,
  parseAttachReply,
} from '../../../sidecar/profilers/jvm/jvm-attach.ts';
import { mapsLibjvm, perfMapWarning } from '../../../sidecar/profilers/jvm/jvm-perf-map.ts';

describe('JVM attach protocol', () => {
  it('writes protocol version 1: the command and exactly three NUL-terminated arguments', () => {
    assert.equal(attachRequest('jcmd', ['Compiler.perfmap']).toString(), '1\0jcmd\0Compiler.perfmap\0\0\0');
  });

  it('reads the result code and the output of a reply', () => {
    assert.deepEqual(parseAttachReply('0\n'), { code: 0, output: '' });
    assert.deepEqual(
      parseAttachReply('-1\njava.lang.IllegalArgumentException: Unknown diagnostic command\n'),
      {
        code: -1,
        output: 'java.lang.IllegalArgumentException: Unknown diagnostic command\n',
      },
    );
    assert.ok(Number.isNaN(parseAttachReply('').code));
  });

  it('sends SIGQUIT only to a process that catches it (a JVM run with -Xrs would die of it)', () => {
    assert.equal(catchesSigquit('Name:\tjava\nSigCgt:\t0000000181005ccf\n'), true);
    assert.equal(catchesSigquit('Name:\tjava\nSigCgt:\t0000000181005cc8\n'), false);
    assert.equal(catchesSigquit('Name:\tjava\n'), false);
  });

  it('knows a JVM by libjvm.so in its maps, whatever its launcher is called', () => {
    const line =
      '7f1c2e000000-7f1c2f000000 r-xp 00000000 08:01 1234 /usr/lib/jvm/java-17/lib/server/libjvm.so\n';
    assert.equal(mapsLibjvm(line), true);
    assert.equal(
      mapsLibjvm('7f1c2e000000-7f1c2f000000 r-xp 00000000 08:01 1234 /usr/lib/libc.so.6\n'),
      false,
    );
  });

  it('says why a JVM gave no map, and that Compiler.perfmap needs JDK 17 when the command is unknown', () => {
    const old = perfMapWarning(
      { pid: 42, comm: 'java' },
      'it refused Compiler.perfmap: java.lang.IllegalArgumentException: Unknown diagnostic command',
    );
    assert.match(old, /^JVM java \(pid 42\) gave no perf map \(Compiler\.perfmap needs JDK 17 or newer\)/);
  });
});
