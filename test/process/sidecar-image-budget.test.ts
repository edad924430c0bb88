// symbols: image with an image larger than the container-storage volume allows: the kubelet would evict
// the pod once that emptyDir passes its size limit, so the pull is stopped, the image removed, and the
// recording goes on with the process's own symbols and a warning.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { SIDECAR_MOUNT_PATHS } from '../../core/contract/names.ts';
import { diskUsage } from '../../sidecar/host/disk-budget.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { dockerConfigJson, pushRootfsImage, startRegistryWithImage } from '../harness/image-registry.ts';
import { run } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startContainer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'image-budget-secret';
const POD_UID = '5d3c1b2a-7e6f-4a9b-8c0d-1e2f3a4b5c6d';

describe('sidecar image storage budget (podman, local registry)', () => {
  it('stops pulling an image past FURNACE_STORAGE_SIZE_LIMIT, removes it and records with process symbols', async (t) => {
    const dir = await workDir(t, 'image-budget');
    const { registry, image } = await startRegistryWithImage(t, dir, 'big');
    const rootfs = `${dir}/rootfs`;
    await mkdir(`${rootfs}/data`, { recursive: true });
    await writeFile(`${rootfs}/data/blob`, randomBytes(24 * 1024 * 1024)); // does not compress
    await pushRootfsImage(t, dir, rootfs, image);
    await writeFile(`${dir}/.dockerconfigjson`, dockerConfigJson(registry));

    await startContainer(t, dir, POD_UID, 'app', [await buildHotProgram(dir), '120']);
    // Outside a pod the sidecar's storage is this machine's podman storage, which other tests use too:
    // the limit leaves room for what is there now plus 8 MiB, far less than the 24 MiB image.
    const held = await diskUsage(SIDECAR_MOUNT_PATHS.containerStorageDir);
    const limit = Math.ceil((held + 8 * 1024 * 1024) / 0.9);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_TARGETS: JSON.stringify([{ name: 'app', image }]),
      FURNACE_PULL_SECRET_PATH: `${dir}/.dockerconfigjson`,
      FURNACE_INSECURE_REGISTRIES: registry,
      FURNACE_STORAGE_SIZE_LIMIT: String(limit),
    });
    const done = await sidecar.record({ durationSeconds: 3, symbols: 'image' });
    assert.equal(done.state, 'done', done.error);
    assert.match(
      done.warnings?.join('\n') ?? '',
      /symbols from the image: the image does not fit the image storage budget of \d+ bytes/,
    );
    const images = await run('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    assert.doesNotMatch(images.stdout, new RegExp(image.replace(/[.:/]/g, '\\$&')));
  });
});
