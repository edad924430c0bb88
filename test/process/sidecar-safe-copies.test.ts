// What a pod's own container can plant for the sidecar's copies through /proc/PID/root: a FIFO where its
// JIT map would be (the copy must not block the recording), and a link pointing at a file of the sidecar
// (the copy must not follow it out of the container's root). Real sidecar, real perf, containers with
// their own mount namespace and private /tmp.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { type SidecarProcess, startContainer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'safe-copy-secret';
const POD_UID = '0b8e6f52-3c1d-4a7e-9f20-6d5c4b3a2e10';

async function podWith(t: Parameters<typeof workDir>[0], name: string, plant: string) {
  const dir = await workDir(t, name);
  const hot = await buildHotProgram(dir);
  // `$$` is the container's PID, which the program keeps (exec): its map would be /tmp/perf-$$.map.
  const target = await startContainer(t, dir, POD_UID, 'app', ['sh', '-c', `'${plant} && exec ${hot} 120'`]);
  const { sidecar } = await startRegisteredSidecar(t, SECRET, {
    FURNACE_POD_UID: POD_UID,
    FURNACE_TARGETS: JSON.stringify([{ name: 'app', image: '' }]),
  });
  return { target, sidecar };
}

async function waitUntil(sidecar: SidecarProcess, id: string, seconds: number): Promise<RecordingStatus> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const status = (await sidecar.call('GET', `/recordings/${id}`)).json as RecordingStatus;
    if (finished(status) || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('sidecar copies through /proc/PID/root (pod mode, real perf)', () => {
  it('is not held up by a FIFO at /tmp/perf-PID.map: the recording finishes', async (t) => {
    const { sidecar } = await podWith(t, 'fifo-map', 'mkfifo /tmp/perf-$$.map');
    const { id } = await sidecar.start({ durationSeconds: 4, frequency: 199 });
    const status = await waitUntil(sidecar, id, 90);
    assert.equal(status.state, 'done', `state ${status.state} ${status.error ?? ''}`);
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    // The program's own frames, whichever of its two functions a loaded machine let it run.
    const own = samplesOf(folded, 'furnace_heavy') + samplesOf(folded, 'furnace_light');
    assert.ok(own > 0, folded.slice(0, 2000));
  });

  it("does not follow a link at /tmp/perf-PID.map out of the container's root to a sidecar file", async (t) => {
    const secretPath = `/tmp/furnace-sidecar-secret-${randomBytes(6).toString('hex')}`;
    await writeFile(secretPath, '7f0000000000 100 the_sidecar_token_leaked\n');
    t.after(() => rm(secretPath, { force: true }));
    const { target, sidecar } = await podWith(t, 'link-map', `ln -s ${secretPath} /tmp/perf-$$.map`);
    const copy = `/tmp/perf-${target.pid}.map`;
    t.after(() => rm(copy, { force: true }));
    const { id } = await sidecar.start({ durationSeconds: 3, frequency: 199 });
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      seen.push(await readFile(copy, 'utf8').catch(() => ''));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(
      seen.every((text) => !text.includes('the_sidecar_token_leaked')),
      'the sidecar file was copied for perf',
    );
    const status = await waitUntil(sidecar, id, 90);
    assert.equal(status.state, 'done', `state ${status.state} ${status.error ?? ''}`);
    const script = await sidecar.artifact(id, 'perf.script');
    assert.doesNotMatch(script, /the_sidecar_token_leaked/);
  });
});
