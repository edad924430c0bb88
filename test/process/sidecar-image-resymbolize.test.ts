// symbols: image, symbolized again: a recording whose stripped program was named from its container image
// keeps those names when it is symbolized again, also once the recorder's copy of the image is gone (the
// image is pulled again from the registry, with the pod's pull secrets); when the image cannot be had, the
// graphs stay as they were and the recording says why. Real sidecar, perf, podman and docker-registry.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { RESYMBOLIZE_FAILED, RESYMBOLIZED } from '../../core/contract/resymbolize.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { samplesOf } from '../harness/hot-program.ts';
import { run } from '../harness/processes.ts';
import { pushStrippedImage } from '../harness/stripped-image.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startContainer, startRegisteredSidecar, type SidecarProcess } from './sidecar-harness.ts';

const SECRET = 'image-resymbolize-secret';
const POD_UID = '5b1f0c3e-8a24-4d6f-9e71-2c0a4b8d6f13';

async function podman(...args: string[]): Promise<string> {
  return (await run('podman', args)).stdout;
}

async function imageStored(image: string): Promise<boolean> {
  return (await podman('images', '--noheading', '--format', '{{.Repository}}:{{.Tag}}')).includes(image);
}

/** Asks the sidecar to symbolize the recording again; its outcome warning, and its stacks then. */
async function symbolizeAgain(sidecar: SidecarProcess, id: string) {
  const before = new Set((await sidecar.waitFor(id, () => true)).warnings ?? []);
  const asked = await sidecar.call('POST', `/recordings/${id}/resymbolize`, {});
  assert.equal(asked.status, 202, asked.text);
  const isOutcome = (w: string) =>
    !before.has(w) && (w.startsWith(RESYMBOLIZED) || w.startsWith(RESYMBOLIZE_FAILED));
  const done = await sidecar.waitFor(id, (s: RecordingStatus) => (s.warnings ?? []).some(isOutcome));
  const outcome = (done.warnings ?? []).find(isOutcome) ?? '';
  return { outcome, folded: await sidecar.artifact(id, 'stacks.folded') };
}

describe('symbols from the container image, symbolized again (podman, local registry with basic auth)', () => {
  it('names the stripped program from its image again, pulling the image again once the recorder dropped it; keeps the graphs and says why when the image cannot be pulled', async (t) => {
    const dir = await workDir(t, 'image-resymbolize');
    const { registry, image, program, secrets } = await pushStrippedImage(t, dir);
    await startContainer(t, dir, POD_UID, 'app', [program, '120']);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_TARGETS: JSON.stringify([{ name: 'app', image }]),
      FURNACE_PULL_SECRET_PATH: secrets,
      FURNACE_INSECURE_REGISTRIES: registry,
    });
    const recorded = await sidecar.record({ container: 'app', durationSeconds: 3, symbols: 'image' });
    assert.equal(recorded.state, 'done', recorded.error);
    const named = (folded: string) =>
      samplesOf(folded, 'furnace_heavy') > 0 && samplesOf(folded, 'furnace_light') > 0;
    assert.ok(named(await sidecar.artifact(recorded.id, 'stacks.folded')), 'named from the image');

    // The recorder still holds the image: its files name the frames again.
    const kept = await symbolizeAgain(sidecar, recorded.id);
    assert.match(kept.outcome, new RegExp(`^${RESYMBOLIZED}`), kept.outcome);
    assert.ok(named(kept.folded), `named again from the image:\n${kept.folded.slice(0, 2000)}`);

    // Its copy is gone (a new pod's empty storage, a pull removed over the budget): pulled again, with the secret.
    await podman('rmi', image);
    assert.equal(await imageStored(image), false);
    const pulled = await symbolizeAgain(sidecar, recorded.id);
    t.diagnostic(`pulled again: ${pulled.outcome}`);
    assert.match(pulled.outcome, new RegExp(`^${RESYMBOLIZED}`), pulled.outcome);
    assert.ok(
      named(pulled.folded),
      `named again from the image pulled again:\n${pulled.folded.slice(0, 2000)}`,
    );
    assert.equal(await imageStored(image), true, 'the image was pulled again');

    // No credentials for the registry any more: nothing is pulled, the graphs stay named, the warning says why.
    await podman('rmi', image);
    await rm(`${secrets}/regcred.dockerconfigjson`);
    const refused = await symbolizeAgain(sidecar, recorded.id);
    t.diagnostic(`without credentials: ${refused.outcome}`);
    assert.match(
      refused.outcome,
      /^symbolizing again failed \(the graphs are as they were\): symbols from the image: podman pull failed/,
    );
    assert.ok(named(refused.folded), `the graphs as they were:\n${refused.folded.slice(0, 2000)}`);

    // Nothing is left behind: no container, no mount.
    assert.equal(
      (await podman('ps', '--all', '--filter', 'name=furnace-symbols-', '--format', '{{.Names}}')).trim(),
      '',
    );
    assert.equal((await podman('mount')).trim(), '');
  });
});
