// symbols: image — the sidecar pulls the target's image from a registry with basic auth (credentials from a
// pull-secret file), creates and mounts it with podman, and resolves a stripped program's symbols from it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { startRegistry } from '../harness/image-registry.ts';
import { run } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { pushStrippedImage } from '../harness/stripped-image.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startContainer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'image-test-secret';
const POD_UID = '0c9e5a77-2f14-4b8d-a6e3-71d0b2c4f9e8';

async function podman(...args: string[]): Promise<string> {
  return (await run('podman', args)).stdout;
}

describe('sidecar symbols from the container image (podman, local registry with basic auth)', () => {
  it('pulls with the pull secret, mounts the image, resolves the stripped program symbols from the image and cleans up', async (t) => {
    const dir = await workDir(t, 'image-symbols');
    // The image holds the unstripped program at the path the stripped one runs from.
    const { registry, image, program, secrets } = await pushStrippedImage(t, dir);

    const target = await startContainer(t, dir, POD_UID, 'app', [program, '120']);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_TARGETS: JSON.stringify([{ name: 'app', image }]),
      FURNACE_PULL_SECRET_PATH: secrets,
      FURNACE_INSECURE_REGISTRIES: registry,
    });

    // From the process alone, the stripped program has no function names.
    const plainDone = await sidecar.record({ container: 'app', durationSeconds: 2 });
    assert.equal(plainDone.state, 'done', plainDone.error);
    const plainFolded = await sidecar.artifact(plainDone.id, 'stacks.folded');
    assert.equal(samplesOf(plainFolded, 'furnace_heavy'), 0, plainFolded);

    const status = await sidecar.start({
      container: 'app',
      durationSeconds: 3,
      symbols: 'image',
    });
    assert.deepEqual(status.targets, [{ pid: target.pid, comm: 'furnace-hot', container: 'app' }]);
    const done = await sidecar.waitFor(status.id, finished);
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.warnings, undefined, JSON.stringify(done.warnings));
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0 && samplesOf(folded, 'furnace_light') > 0, folded);

    // Nothing is left behind: no container, no mount.
    const containers = await podman(
      'ps',
      '--all',
      '--filter',
      `name=furnace-symbols-`,
      '--format',
      '{{.Names}}',
    );
    assert.equal(containers.trim(), '');
    const mounts = await podman('mount');
    assert.equal(mounts.trim(), '');
  });

  it('fails over to the process symbols with a warning when the image cannot be pulled', async (t) => {
    const dir = await workDir(t, 'image-denied');
    const registry = await startRegistry(t, dir);
    await writeFile(
      `${dir}/.dockerconfigjson`,
      JSON.stringify({ auths: { [registry]: { auth: Buffer.from('x:y').toString('base64') } } }),
    );
    const program = await buildHotProgram(dir);
    await startContainer(t, dir, POD_UID, 'app', [program, '120']);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_TARGETS: JSON.stringify([{ name: 'app', image: `${registry}/furnace-test/absent:1` }]),
      FURNACE_PULL_SECRET_PATH: `${dir}/.dockerconfigjson`,
      FURNACE_INSECURE_REGISTRIES: registry,
    });
    const done = await sidecar.record({ durationSeconds: 2, symbols: 'image' });
    assert.equal(done.state, 'done', done.error);
    assert.match(done.warnings?.join('\n') ?? '', /symbols from the image: podman pull failed/);
  });
});
