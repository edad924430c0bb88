// callGraph auto with real perf through the real sidecar: Debian's nginx (no frame pointers) is recorded
// with dwarf and its stacks reach main; a program built with frame pointers keeps fp. The recording's
// status says which call graph was used and why.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { loadNginx, startNginx } from '../harness/nginx.ts';
import { startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar, type SidecarProcess } from './sidecar-harness.ts';

const SECRET = 'call-graph-auto-secret';
const FRAME_POINTER_WARNING =
  /stop before main or a thread's start.*without frame pointers.*Call graph: dwarf/;

const warningsOf = (status: RecordingStatus): string => (status.warnings ?? []).join('\n');

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

/** The share of samples whose stack holds one of `frames` below the process name. */
async function shareThrough(sidecar: SidecarProcess, id: string, frames: RegExp): Promise<number> {
  const stacks = parseFolded(await sidecar.artifact(id, 'stacks.folded'));
  let through = 0;
  for (const [stack, count] of stacks)
    if (
      stack
        .split(';')
        .slice(1)
        .some((frame) => frames.test(frame))
    )
      through += count;
  const total = totalSamples(stacks);
  assert.ok(total > 0, 'samples');
  return through / total;
}

describe('call graph auto (real perf, real sidecar, fake registration server)', () => {
  it("records Debian's nginx with dwarf, says why, and its worker's stacks reach main: no frame-pointer warning", async (t) => {
    const nginx = await startNginx(t, await workDir(t, 'cg-nginx'));
    const load = loadNginx(nginx.url);
    t.after(() => load.stop());
    const sidecar = await sidecarFor(t);

    const auto = await recordPid(sidecar, nginx.workerPid);
    assert.equal(auto.params.callGraph, 'auto', 'auto is the default');
    assert.equal(auto.callGraphUsed, 'dwarf');
    assert.match(auto.callGraphReason ?? '', /^nginx( and [^ ]+)? ha(s|ve) no frame pointers$/);
    const reached = await shareThrough(sidecar, auto.id, /^(main|ngx_worker_process_cycle)$/);
    assert.ok(reached >= 0.8, `${Math.round(reached * 100)} % of the samples reach main or the worker loop`);
    assert.doesNotMatch(warningsOf(auto), /frame pointers/);

    // The same worker with frame pointers asked for: what auto spares the user.
    const fp = await recordPid(sidecar, nginx.workerPid, { callGraph: 'fp' });
    assert.equal(fp.callGraphUsed, 'fp');
    assert.equal(fp.callGraphReason, 'as requested');
    assert.match(warningsOf(fp), FRAME_POINTER_WARNING);
    assert.ok((await load.stop()) > 0, 'nginx answered the load');
  });

  it('keeps frame pointers for a program built with them, and takes dwarf for the same program built without', async (t) => {
    const dir = await workDir(t, 'cg-hot');
    const withFp = await buildHotProgram(dir, ['-O2', '-fno-omit-frame-pointer'], 'furnace-cg-fp');
    const withoutFp = await buildHotProgram(dir, ['-O2', '-fomit-frame-pointer'], 'furnace-cg-nofp');
    const sidecar = await sidecarFor(t);

    const fpTarget = startProcess(t, withFp, ['30']);
    const kept = await recordPid(sidecar, fpTarget.pid);
    assert.equal(kept.callGraphUsed, 'fp');
    assert.equal(kept.callGraphReason, 'furnace-cg-fp has frame pointers');
    // A leaf built with -O2 sets up no frame of its own: the walk skips its caller (main) but reaches the start.
    const started = /^(main|__libc_start_call_main)$/;
    assert.ok((await shareThrough(sidecar, kept.id, started)) >= 0.8, "fp walks up to the program's start");
    assert.doesNotMatch(warningsOf(kept), /frame pointers/);
    await fpTarget.stop();

    const noFpTarget = startProcess(t, withoutFp, ['30']);
    const chosen = await recordPid(sidecar, noFpTarget.pid);
    assert.equal(chosen.callGraphUsed, 'dwarf');
    assert.equal(chosen.callGraphReason, 'furnace-cg-nofp has no frame pointers');
    assert.ok((await shareThrough(sidecar, chosen.id, /^main$/)) >= 0.8, 'dwarf walks up to main');
    assert.doesNotMatch(warningsOf(chosen), /frame pointers/);
  });
});
