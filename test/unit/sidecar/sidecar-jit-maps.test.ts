import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { copyJitMaps, jitMapPaths, removeJitMaps } from '../../../sidecar/symbols/jit-maps.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

describe('JIT map copies', () => {
  it("copies a target's map from its own /tmp under its namespace PID to perf's /tmp under the recorded PID", async (t) => {
    const dir = await tempDir(t, 'furnace-jit-');
    const procRoot = `${dir}/proc`;
    const tmpDir = `${dir}/sidecar-tmp`;
    await mkdir(`${procRoot}/4321/root/tmp`, { recursive: true });
    await mkdir(`${procRoot}/4400/root/tmp`, { recursive: true });
    await mkdir(tmpDir);
    await writeFile(
      `${procRoot}/4321/root/tmp/perf-7.map`,
      '3ef2a0c0 40 JS:*handleRequest /app/server.js:10:3\n',
    );

    const copies = await copyJitMaps(
      [
        { pid: 4321, nspid: 7 },
        { pid: 4400, nspid: 9 }, // no map: not a JIT runtime
        { pid: 4500, nspid: 4500 }, // gone
      ],
      { procRoot, tmpDir },
    );
    assert.deepEqual(copies, [`${tmpDir}/perf-4321.map`]);
    assert.match(await readFile(`${tmpDir}/perf-4321.map`, 'utf8'), /handleRequest/);
    await removeJitMaps(copies);
    await assert.rejects(readFile(`${tmpDir}/perf-4321.map`));
  });

  it('leaves a map alone when the target shares the sidecar /tmp', async (t) => {
    const dir = await tempDir(t, 'furnace-jit-');
    await mkdir(`${dir}/proc/55`, { recursive: true });
    await mkdir(`${dir}/fs/tmp`, { recursive: true });
    await writeFile(`${dir}/fs/tmp/perf-55.map`, 'x');
    // /proc/55/root is the sidecar's own root (local mode), as the kernel's magic link would be.
    await symlink(`${dir}/fs`, `${dir}/proc/55/root`);
    assert.deepEqual(
      await copyJitMaps([{ pid: 55, nspid: 55 }], { procRoot: `${dir}/proc`, tmpDir: `${dir}/fs/tmp` }),
      [],
    );
    assert.equal(await readFile(`${dir}/fs/tmp/perf-55.map`, 'utf8'), 'x');
  });

  it('names the paths perf script looks at', () => {
    assert.deepEqual(jitMapPaths({ pid: 812, nspid: 1 }), {
      root: '/proc/812/root',
      path: '/tmp/perf-1.map',
      destination: '/tmp/perf-812.map',
    });
  });
});
