// Java without restart: a JVM started with no profiling flag is asked for its perf map (Compiler.perfmap
// over the attach protocol, in its own mount namespace and /tmp) before perf script, so the flame graph
// names its JIT-compiled method; a JVM that will not answer costs a warning, not the recording.
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildJavaHotProgram } from '../harness/java-hot-program.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startContainer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';
const POD_UID = '6a0b7a3e-jvm';

async function recordJava(
  t: TestContext,
  javaFlags: string[],
): Promise<{ status: RecordingStatus; folded: string }> {
  const dir = await workDir(t, 'java');
  const main = await buildJavaHotProgram(dir);
  // A "container": its own mount namespace and a private /tmp, where the JVM writes its socket and map.
  const jvm = await startContainer(t, dir, POD_UID, 'app', ['java', ...javaFlags, '-cp', dir, main, '120']);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // past start-up, into the compiled loop
  const { sidecar } = await startRegisteredSidecar(t, SECRET);
  const status = await sidecar.record({ pid: jvm.pid, durationSeconds: 4, frequency: 499 });
  assert.equal(status.state, 'done', status.error);
  const folded = await sidecar.artifact(status.id, 'stacks.folded');
  return { status, folded };
}

describe('sidecar with perf on a JVM (no restart, no agent, no flag)', () => {
  it('names the hot JIT-compiled method in the flame graph', async (t) => {
    const { status, folded } = await recordJava(t, []);
    assert.equal(status.profiler, 'perf');
    // No warning about names; JIT-compiled Java keeps no frame pointers, which is said with what to do.
    const warnings = status.warnings?.join('\n') ?? '';
    assert.doesNotMatch(warnings, /perf map|have no names/);
    assert.match(warnings, /Start the JVM with -XX:\+PreserveFramePointer/);
    assert.match(folded, /FurnaceHot\.furnaceHotMethod/, folded.slice(0, 4000));
  });

  it('warns, and still finishes, when the JVM does not take attach requests', async (t) => {
    const { status, folded } = await recordJava(t, ['-XX:+DisableAttachMechanism']);
    assert.match(
      status.warnings?.join('\n') ?? '',
      /JVM java \(pid \d+\) gave no perf map, so its JIT-compiled methods show as addresses: it opened no attach socket/,
    );
    assert.doesNotMatch(folded, /FurnaceHot\.furnaceHotMethod/);
    // And the unnamed share is said in words, with what to do (docs/troubleshooting.md).
    assert.match(
      status.warnings?.join('\n') ?? '',
      /of the samples are in code the JVM compiled, and have no names/,
    );
  });
});
