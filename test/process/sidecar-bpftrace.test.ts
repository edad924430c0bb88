// Profiler bpftrace with the real sidecar and the real bpftrace: the user's program sees the pod's (or
// the chosen) processes only, whatever its own predicate says; stack maps become a flame graph.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { inNewPidNamespace } from '../harness/pid-namespace.ts';
import { startProcess } from '../harness/processes.ts';
import { EXPORTED_ARTIFACTS, finished, RENDERED_ARTIFACTS } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import {
  assertArtifacts,
  servedArtifact as artifact,
  type SidecarProcess,
  startRegisteredSidecar,
} from './sidecar-harness.ts';

const SECRET = 'bpftrace-test-secret';
const SYSCALLS = 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }';

/** A copy of dd under a name of its own: a process that makes system calls all the time. */
async function syscallProgram(dir: string, name: string): Promise<{ path: string; args: string[] }> {
  await copyFile('/bin/dd', `${dir}/${name}`);
  return { path: `${dir}/${name}`, args: ['if=/dev/zero', 'of=/dev/null', 'bs=1'] };
}

async function record(sidecar: SidecarProcess, body: object): Promise<RecordingStatus> {
  const done = await sidecar.record({ profiler: 'bpftrace', durationSeconds: 2, ...body });
  assert.equal(done.state, 'done', done.error);
  return done;
}

async function localSidecar(t: TestContext): Promise<SidecarProcess> {
  return (await startRegisteredSidecar(t, SECRET)).sidecar;
}

/** A 60 s bpftrace recording of a hot program, stopped `afterMs` after it started; it must end done. */
async function stoppedRecording(t: TestContext, name: string, afterMs: number) {
  const dir = await workDir(t, `bpftrace-${name}`);
  const target = startProcess(t, await buildHotProgram(dir, [], name), ['120']);
  const sidecar = await localSidecar(t);
  const { id } = await sidecar.start({
    profiler: 'bpftrace',
    pid: target.pid,
    durationSeconds: 60,
    bpftrace: { program: 'profile:hz:199 { @[comm, ustack] = count(); }' },
  });
  if (afterMs > 0) await new Promise((resolve) => setTimeout(resolve, afterMs));
  const began = Date.now();
  assert.equal((await sidecar.call('POST', `/recordings/${id}/stop`)).status, 200);
  const done = await sidecar.waitFor(id, finished);
  assert.equal(done.state, 'done', done.error);
  return { sidecar, id, done, stopTookMs: Date.now() - began };
}

describe('sidecar with profiler bpftrace (real bpftrace, fake registration server)', () => {
  it("in a pod's PID namespace, counts the pod's system calls and never another process's, whatever the predicate", async (t) => {
    const dir = await workDir(t, 'bpftrace-pod');
    const inside = await syscallProgram(dir, 'fsys_target');
    const outside = await syscallProgram(dir, 'fsys_other');
    const other = startProcess(t, outside.path, outside.args);
    const pod = `${inside.path} ${inside.args.join(' ')}`;
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {}, inNewPidNamespace(pod));

    const counted = await record(sidecar, { processPattern: 'fsys_target', bpftrace: { program: SYSCALLS } });
    assert.deepEqual(counted.artifacts, ['bpftrace.txt']);
    const text = await artifact(sidecar, counted.id, 'bpftrace.txt');
    assert.match(text, /^@\[fsys_target\]: \d+$/m, text);
    assert.doesNotMatch(text, /fsys_other/, 'a process outside the pod is not seen');

    // The user's own predicate cannot widen the scope: neither "everything" nor another process's PID.
    const everything = await record(sidecar, {
      processPattern: 'fsys_target',
      bpftrace: { program: 'tracepoint:raw_syscalls:sys_enter /1 || pid > 0/ { @[comm] = count(); }' },
    });
    const all = await artifact(sidecar, everything.id, 'bpftrace.txt');
    assert.match(all, /^@\[fsys_target\]: \d+$/m);
    assert.doesNotMatch(all, /fsys_other/);
    const aimed = await record(sidecar, {
      processPattern: 'fsys_target',
      bpftrace: {
        program: `tracepoint:raw_syscalls:sys_enter /pid == ${other.pid}/ { @[comm, pid] = count(); }`,
      },
    });
    const nothing = await artifact(sidecar, aimed.id, 'bpftrace.txt');
    assert.doesNotMatch(nothing, /fsys_other|@\[/, nothing);
  });

  it('in the host PID namespace, scopes to the chosen PID and turns a ustack map into a flame graph', async (t) => {
    const dir = await workDir(t, 'bpftrace-local');
    const target = startProcess(t, await buildHotProgram(dir, [], 'fhot_target'), ['120']);
    startProcess(t, await buildHotProgram(dir, [], 'fhot_other'), ['120']);
    const sidecar = await localSidecar(t);

    const done = await record(sidecar, {
      pid: target.pid,
      durationSeconds: 3,
      bpftrace: { program: 'profile:hz:199 { @[comm, ustack] = count(); }' },
    });
    assert.ok((done.samples ?? 0) > 0, 'the stack map gave samples');
    assertArtifacts(done, ['bpftrace.txt', ...RENDERED_ARTIFACTS, ...EXPORTED_ARTIFACTS]);
    const folded = await artifact(sidecar, done.id, 'stacks.folded');
    assert.match(folded, /^fhot_target;.*main;furnace_heavy \d+$/m, folded);
    assert.doesNotMatch(folded, /fhot_other/);
    assert.match(await artifact(sidecar, done.id, 'flamegraph.svg'), /furnace_heavy/);
  });

  it('stopped early, keeps what bpftrace printed on SIGINT and draws it', async (t) => {
    // bpftrace compiles and attaches in a second or two; the stop comes well after.
    const { sidecar, id, done, stopTookMs } = await stoppedRecording(t, 'fhot_stopped', 6000);
    assert.ok(stopTookMs < 30_000, 'the stop ended bpftrace long before its 60 s');
    assert.equal(done.profiler, 'bpftrace');
    assert.ok((done.samples ?? 0) > 0, 'the map bpftrace printed on SIGINT has samples');
    assert.match(await artifact(sidecar, id, 'stacks.folded'), /^fhot_stopped;.*furnace_heavy \d+$/m);
  });

  it('stopped at once, while bpftrace still compiles, still ends done with the maps it printed', async (t) => {
    // A SIGINT now would kill bpftrace before it printed anything, or be dropped while it attaches.
    const { sidecar, id } = await stoppedRecording(t, 'fhot_early', 0);
    const output = await artifact(sidecar, id, 'bpftrace.txt');
    assert.match(output, /^Attaching 1 probe/m, 'bpftrace attached, then printed its maps');
  });

  it("refuses system() before anything runs and fails a recording with bpftrace's own error", async (t) => {
    const dir = await workDir(t, 'bpftrace-errors');
    const target = startProcess(t, await buildHotProgram(dir, [], 'fhot_errors'), ['120']);
    const sidecar = await localSidecar(t);
    const refused = await sidecar.call('POST', '/recordings', {
      profiler: 'bpftrace',
      pid: target.pid,
      bpftrace: { program: 'profile:hz:99 { system("id"); }' },
    });
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /bpftrace\.program is refused: system\(\) runs commands/);

    const failed = await sidecar.record({
      profiler: 'bpftrace',
      pid: target.pid,
      durationSeconds: 2,
      bpftrace: { program: 'profile:hz:99 { @ = no_such_function(); }' },
    });
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /bpftrace failed \(exit 1\): .*no_such_function/s);
  });
});
