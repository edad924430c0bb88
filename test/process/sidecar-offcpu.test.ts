// Profiles offcpu and wall with the real sidecar and the real bpftrace (Furnace's own scheduler program),
// of a C program that waits in known ways (test/harness/waiting-program.ts): the time blocked splits
// between read() and nanosleep() as the program's threads do, the wall graph adds the computing thread,
// a second copy of the program that is not chosen never appears, and the exports say what their values are
// (go tool pprof reads the unit and the total; the official OTLP bindings the sample type).
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { pprofTimeTotal } from '../harness/go-pprof-tool.ts';
import { checkOtlp } from '../harness/otlp-check-program.ts';
import { inNewPidNamespace } from '../harness/pid-namespace.ts';
import { startProcess } from '../harness/processes.ts';
import { EXPORTED_ARTIFACTS, RENDERED_ARTIFACTS } from '../harness/recording-status.ts';
import { tempDir, workDir } from '../harness/temp-dirs.ts';
import { buildWaitingProgram } from '../harness/waiting-program.ts';
import { assertArtifacts, startRegisteredSidecar, type FakeServer } from './sidecar-harness.ts';

const SECRET = 'offcpu-test-secret';

/** The share (percent) of the stacks' total in stacks that pass through `frame`. */
function shareOf(stacks: FoldedStacks, frame: string): number {
  let within = 0;
  for (const [stack, value] of stacks) if (stack.split(';').includes(frame)) within += value;
  return (100 * within) / totalSamples(stacks);
}

/** The chosen program (threads `sel_*`) and an unchosen copy (`oth_*`) waiting the same way, both running. */
async function waitingPrograms(t: TestContext, env: Record<string, string> = {}) {
  const dir = await workDir(t, 'offcpu');
  const chosen = startProcess(t, await buildWaitingProgram(dir, 'fwait_chosen'), ['120', 'sel']);
  startProcess(t, await buildWaitingProgram(dir, 'fwait_other'), ['120', 'oth']);
  const { server, sidecar } = await startRegisteredSidecar(t, SECRET, env);
  // The threads name themselves as they start.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { pid: chosen.pid, server, sidecar };
}

/** The PID, in its own PID namespace, of the process running `path` (the pod's view: NSpid's last). */
async function podPidOf(path: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv0 = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0')[0];
    if (argv0 !== path) continue;
    const nspid = /^NSpid:\s+(.+)$/m.exec(await readFile(`/proc/${entry}/status`, 'utf8'))?.[1];
    const last = nspid?.trim().split(/\s+/).at(-1);
    if (last !== undefined) return Number(last);
  }
  throw new Error(`no process runs ${path}`);
}

function uploaded(server: FakeServer, done: RecordingStatus, name: string): Buffer {
  const body = server.uploads.get(`/api/v1/recordings/${done.id}/artifacts/${name}`);
  assert.ok(body !== undefined, `${name} was uploaded`);
  return body;
}

function assertOnlyChosen(stacks: FoldedStacks): void {
  for (const stack of stacks.keys()) {
    assert.doesNotMatch(stack, /^oth_/, 'the unchosen program never appears');
    assert.match(stack, /^sel_(read|feed|sleep|burn);/, stack);
  }
}

describe('profiles offcpu and wall (real bpftrace, fake registration server)', () => {
  it('offcpu: read a third, nanosleep two thirds of the time blocked, only the chosen process, exports in nanoseconds', async (t) => {
    const { pid, server, sidecar } = await waitingPrograms(t);
    const done = await sidecar.record({ profile: 'offcpu', pid, durationSeconds: 4 });
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.profiler, 'sched');
    assert.equal(done.params.profile, 'offcpu');
    const warnings = done.warnings ?? [];
    assert.ok(!warnings.some((w) => /reached its bound/.test(w)), 'the default bound holds it');
    assert.ok(!warnings.some((w) => /stop before main|addresses/.test(w)), JSON.stringify(warnings));
    assertArtifacts(done, ['bpftrace.txt', ...RENDERED_ARTIFACTS, ...EXPORTED_ARTIFACTS]);
    await sidecar.waitFor(done.id, (s) => s.state === 'done');
    const stacks = parseFolded(uploaded(server, done, 'stacks.folded').toString('utf8'));
    assertOnlyChosen(stacks);
    assert.match(
      uploaded(server, done, 'flamegraph.svg').toString('utf8'),
      /ns off-CPU, /,
      'tooltips say the unit',
    );
    const read = shareOf(stacks, 'ksys_read');
    const nanosleep = shareOf(stacks, 'do_nanosleep');
    t.diagnostic(
      `read ${read.toFixed(1)} %, nanosleep ${nanosleep.toFixed(1)} % of ${totalSamples(stacks)} ns`,
    );
    assert.ok(Math.abs(read - 100 / 3) <= 5, `read ${read} % of the time blocked, expected 33 ± 5`);
    assert.ok(Math.abs(nanosleep - 200 / 3) <= 5, `nanosleep ${nanosleep} %, expected 67 ± 5`);
    assert.equal(shareOf(stacks, 'burn'), 0, 'the computing thread never blocks');
    // Three threads blocked nearly all of about 4 s.
    const seconds = totalSamples(stacks) / 1e9;
    assert.ok(seconds > 3 * 2.5 && seconds < 3 * 6, `${seconds} s blocked`);

    const dir = await tempDir(t, 'offcpu-exports-');
    const pprof = join(dir, 'profile.pb.gz');
    await writeFile(pprof, uploaded(server, done, 'profile.pb.gz'));
    const top = await pprofTimeTotal(pprof);
    assert.equal(top.type, 'off_cpu');
    assert.ok(Math.abs(top.totalNs / totalSamples(stacks) - 1) < 0.01, `pprof's total ${top.totalNs} ns`);
    const otlp = join(dir, 'profile.otlp.pb');
    await writeFile(otlp, uploaded(server, done, 'profile.otlp.pb'));
    const report = await checkOtlp(otlp);
    assert.deepEqual(report.problems, []);
    assert.equal(report.sampleType, 'off_cpu/nanoseconds');
    assert.equal(report.total, totalSamples(stacks));
  });

  it('wall: the computing thread beside the blocked ones, in one unit, about a quarter each', async (t) => {
    const { pid, server, sidecar } = await waitingPrograms(t);
    const done = await sidecar.record({ profile: 'wall', pid, durationSeconds: 4, frequency: 199 });
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.params.profile, 'wall');
    await sidecar.waitFor(done.id, (s) => s.state === 'done');
    const stacks = parseFolded(uploaded(server, done, 'stacks.folded').toString('utf8'));
    assertOnlyChosen(stacks);
    // Four threads, each there for the whole recording: on a CPU or waiting for one, burn's quarter.
    const shares = { burn: shareOf(stacks, 'burn'), read: shareOf(stacks, 'ksys_read') };
    const nanosleep = shareOf(stacks, 'do_nanosleep');
    t.diagnostic(
      `burn ${shares.burn.toFixed(1)} %, read ${shares.read.toFixed(1)} %, nanosleep ${nanosleep.toFixed(1)} %`,
    );
    assert.ok(Math.abs(shares.burn - 25) <= 5, `burn ${shares.burn} %, expected 25 ± 5`);
    assert.ok(Math.abs(shares.read - 25) <= 5, `read ${shares.read} %, expected 25 ± 5`);
    assert.ok(Math.abs(nanosleep - 50) <= 5, `nanosleep ${nanosleep} %, expected 50 ± 5`);
    const pprof = join(await tempDir(t, 'wall-exports-'), 'profile.pb.gz');
    await writeFile(pprof, uploaded(server, done, 'profile.pb.gz'));
    assert.equal((await pprofTimeTotal(pprof)).type, 'wall');
  });

  it("offcpu in a pod's PID namespace: the pod's threads in their shares, the same program outside never", async (t) => {
    const dir = await workDir(t, 'offcpu-pod');
    startProcess(t, await buildWaitingProgram(dir, 'fwait_other'), ['120', 'oth']);
    const pod = `${await buildWaitingProgram(dir, 'fwait_chosen')} 120 sel`;
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {}, inNewPidNamespace(pod));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const done = await sidecar.record({
      profile: 'offcpu',
      pid: await podPidOf(`${dir}/fwait_chosen`),
      durationSeconds: 4,
    });
    assert.equal(done.state, 'done', done.error);
    const all = parseFolded(await sidecar.artifact(done.id, 'stacks.folded'));
    for (const stack of all.keys())
      assert.doesNotMatch(stack, /^oth_/, 'the program outside the pod never appears');
    // The scope is the whole pod, the recorder's own threads (node, bpftrace) with it: the program's are sel_*.
    const stacks = new Map([...all].filter(([stack]) => stack.startsWith('sel_')));
    const read = shareOf(stacks, 'ksys_read');
    t.diagnostic(`read ${read.toFixed(1)} % of ${totalSamples(stacks)} ns`);
    assert.ok(Math.abs(read - 100 / 3) <= 5, `read ${read} % of the time blocked, expected 33 ± 5`);
    assert.ok(Math.abs(shareOf(stacks, 'do_nanosleep') - 200 / 3) <= 5);
  });

  it('warns when the map of stacks reached its bound (FURNACE_SCHED_MAX_STACKS), and keeps what it holds', async (t) => {
    // Three blocking stacks (read, feed, sleep) and room for two.
    const { pid, sidecar } = await waitingPrograms(t, { FURNACE_SCHED_MAX_STACKS: '2' });
    const done = await sidecar.record({ profile: 'offcpu', pid, durationSeconds: 2 });
    assert.equal(done.state, 'done', done.error);
    assert.ok(
      done.warnings?.some((w) => /the offcpu map of stacks reached its bound of 2 entries/.test(w)),
      JSON.stringify(done.warnings),
    );
  });
});
