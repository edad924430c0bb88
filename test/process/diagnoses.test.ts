// Every cause docs/troubleshooting.md lists, produced with a real program and real perf through the real
// sidecar: the recording says the cause and what to do (a warning, an error or why it ended), never an
// unexplained empty or unnamed graph.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { explainPerfFailure } from '../../sidecar/profilers/perf/perf-failures.ts';
import { spawnSync } from '../harness/child-processes.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar, type SidecarProcess } from './sidecar-harness.ts';
import { writeFile } from 'node:fs/promises';

const SECRET = 'diagnoses-secret';

async function sidecarFor(t: TestContext): Promise<SidecarProcess> {
  return (await startRegisteredSidecar(t, SECRET)).sidecar;
}

async function recordPid(
  sidecar: SidecarProcess,
  pid: number,
  extra: Record<string, unknown> = {},
): Promise<RecordingStatus> {
  const status = await sidecar.record({ pid, durationSeconds: 3, frequency: 199, ...extra });
  assert.equal(status.state, 'done', status.error);
  return status;
}

const warningsOf = (status: RecordingStatus): string => (status.warnings ?? []).join('\n');

/** A busy JavaScript loop that runs for `seconds`. */
const NODE_SPIN = `function inner(n){let s=0;for(let i=0;i<n;i++)s+=Math.sqrt(i);return s}
const end=Date.now()+Number(process.argv[2])*1000; while(Date.now()<end) inner(1e6);`;

describe('diagnoses of a graph that is empty or unnamed', () => {
  it('names a stripped binary and says where symbols come from', async (t) => {
    const dir = await workDir(t, 'diag-stripped');
    const program = await buildHotProgram(dir, ['-s'], 'furnace-stripped');
    const target = startProcess(t, program, ['30']);
    const status = await recordPid(await sidecarFor(t), target.pid);
    assert.match(
      warningsOf(status),
      /of the samples are in furnace-stripped, whose functions perf could not name: the binary is stripped\. Use Symbols: from the image/,
    );
  });

  it('says the program has no frame pointers and suggests Call graph dwarf, which then walks the stacks', async (t) => {
    const dir = await workDir(t, 'diag-nofp');
    const program = await buildHotProgram(dir, ['-O2', '-fomit-frame-pointer'], 'furnace-nofp');
    const target = startProcess(t, program, ['60']);
    const sidecar = await sidecarFor(t);
    const fp = await recordPid(sidecar, target.pid, { callGraph: 'fp' });
    assert.match(
      warningsOf(fp),
      /stacks that stop before main or a thread's start.*built without frame pointers.*Call graph: dwarf/,
    );
    const dwarf = await recordPid(sidecar, target.pid, { callGraph: 'dwarf' });
    assert.doesNotMatch(warningsOf(dwarf), /frame pointers/);
  });

  it('says an idle process did not run on a CPU', async (t) => {
    const target = startProcess(t, 'sleep', ['60']);
    const status = await recordPid(await sidecarFor(t), target.pid);
    assert.equal(status.samples ?? 0, 0);
    assert.match(warningsOf(status), /^no samples: sleep did not run on a CPU while recording \(idle/m);
  });

  it('says when the recorded process exited', async (t) => {
    const dir = await workDir(t, 'diag-exit');
    const program = await buildHotProgram(dir, [], 'furnace-brief');
    const sidecar = await sidecarFor(t);
    const target = startProcess(t, program, ['1.5']);
    const status = await sidecar.record({ pid: target.pid, durationSeconds: 10, frequency: 199 });
    assert.equal(status.state, 'done', status.error);
    assert.match(status.endReason ?? '', /^every recorded process exited, after [12] s$/);
  });

  it('says a Node program needs --perf-basic-prof, and is quiet once it has it', async (t) => {
    const dir = await workDir(t, 'diag-node');
    await writeFile(`${dir}/spin.js`, NODE_SPIN);
    const sidecar = await sidecarFor(t);
    const bare = startProcess(t, 'node', [`${dir}/spin.js`, '60']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const without = await recordPid(sidecar, bare.pid);
    assert.match(
      warningsOf(without),
      /of the samples are in JavaScript that V8 compiled, and have no names: start node with --perf-basic-prof/,
    );
    await bare.stop();
    const mapped = startProcess(t, 'node', ['--perf-basic-prof', `${dir}/spin.js`, '60']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const withMap = await recordPid(sidecar, mapped.pid);
    assert.doesNotMatch(warningsOf(withMap), /V8 compiled/);
  });

  it('says perf is not permitted, naming perf_event_paranoid (real perf run as an unprivileged user)', (t) => {
    const target = startProcess(t, 'sleep', ['30']);
    // perf as user nobody against a root process: the kernel refuses it as it would refuse a pod without CAP_PERFMON.
    const perf = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        'perf',
        'record',
        '-e',
        'cpu-clock',
        '-p',
        String(target.pid),
        '-o',
        '/dev/null',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.notEqual(perf.status, 0, perf.stderr);
    const sentence = explainPerfFailure({
      exitCode: perf.status,
      signal: null,
      stderr: perf.stderr,
      event: 'cpu-clock',
    });
    assert.match(
      sentence,
      /^perf is not permitted to record these processes: kernel\.perf_event_paranoid is -?\d+, and this process lacks CAP_PERFMON\. .*sysctl -w kernel\.perf_event_paranoid=1\.$/,
    );
    // One short sentence with the fix: perf's own pages of text stay in the recorder's log.
    assert.doesNotMatch(sentence, /perf record failed|\n/);
    assert.ok(sentence.length <= 200, `${sentence.length} characters`);
  });
});
