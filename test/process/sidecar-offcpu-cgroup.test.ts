// Off-CPU recording scoped to the chosen container's cgroup in the kernel, with the real sidecar and the
// real bpftrace: two copies of the waiting program (test/harness/waiting-program.ts) run in one PID
// namespace with the sidecar, as a pod's containers do (shareProcessNamespace), each in a container cgroup
// of its own under the cgroup2 tree (test/harness/pod-cgroups.ts, named as the kubelet's cgroupfs driver
// names them). The PID namespace alone would let the other container and the recorder in; the cgroup does not.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { inNewPidNamespace } from '../harness/pid-namespace.ts';
import { createPodCgroups, joinCgroupLine } from '../harness/pod-cgroups.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { buildWaitingProgram } from '../harness/waiting-program.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'offcpu-cgroup-test-secret';

function shareOf(stacks: FoldedStacks, frame: string): number {
  let within = 0;
  for (const [stack, value] of stacks) if (stack.split(';').includes(frame)) within += value;
  return (100 * within) / totalSamples(stacks);
}

/** The PID inside its own PID namespace (NSpid's last) of the process running `path`. */
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

describe("offcpu scoped to the chosen container's cgroup (real bpftrace, cgroup2 tree, fake registration server)", () => {
  it("another container in the same PID namespace, and the recorder's own threads, never appear", async (t) => {
    const dir = await workDir(t, 'offcpu-cgroup');
    const cgroups = await createPodCgroups('cgroupfs', randomUUID(), ['app', 'other']);
    t.after(() => cgroups.remove());
    const app = cgroups.containers.get('app');
    const other = cgroups.containers.get('other');
    assert.ok(app !== undefined && other !== undefined);
    const chosen = await buildWaitingProgram(dir, 'fwait_chosen');
    const unchosen = await buildWaitingProgram(dir, 'fwait_other');
    const pod =
      `( ${joinCgroupLine(app.dir)}; exec ${chosen} 120 sel ) & ` +
      `( ${joinCgroupLine(other.dir)}; exec ${unchosen} 120 oth )`;
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {}, inNewPidNamespace(pod));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const done = await sidecar.record({ profile: 'offcpu', pid: await podPidOf(chosen), durationSeconds: 4 });
    assert.equal(done.state, 'done', done.error);
    assert.ok(
      !(done.warnings ?? []).some((w) => /not to the targets' cgroups/.test(w)),
      JSON.stringify(done.warnings),
    );
    const stacks = parseFolded(await sidecar.artifact(done.id, 'stacks.folded'));
    assert.ok(stacks.size > 0, 'the chosen container blocked');
    for (const stack of stacks.keys())
      assert.match(stack, /^sel_(read|feed|sleep);/, "only the chosen container's threads, no recorder's");
    const read = shareOf(stacks, 'ksys_read');
    t.diagnostic(`read ${read.toFixed(1)} % of ${totalSamples(stacks)} ns`);
    assert.ok(Math.abs(read - 100 / 3) <= 5, `read ${read} % of the time blocked, expected 33 ± 5`);
  });

  it('a pod whose processes sit in the root cgroup is scoped by its PID namespace, and the status says so', async (t) => {
    const dir = await workDir(t, 'offcpu-root-cgroup');
    const chosen = await buildWaitingProgram(dir, 'fwait_chosen');
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {}, inNewPidNamespace(`${chosen} 120 sel`));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const done = await sidecar.record({ profile: 'offcpu', pid: await podPidOf(chosen), durationSeconds: 2 });
    assert.equal(done.state, 'done', done.error);
    assert.ok(
      (done.warnings ?? []).some((w) =>
        /scoped to the pod's PID namespace, not to the targets' cgroups: .* root cgroup v2/.test(w),
      ),
      JSON.stringify(done.warnings),
    );
  });
});
