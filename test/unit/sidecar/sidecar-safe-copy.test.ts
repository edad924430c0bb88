// Copies out of another root: links stay inside it, only regular files are opened, sizes are capped.
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { copyRegularFromRoot, resolveInRoot, UnsafeFileError } from '../../../sidecar/host/safe-copy.ts';
import { execFileSync } from '../../harness/child-processes.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

async function layout(t: Parameters<typeof tempDir>[0]) {
  const dir = await tempDir(t, 'furnace-safe-copy-');
  const root = `${dir}/root`;
  await mkdir(`${root}/tmp`, { recursive: true });
  await mkdir(`${root}/data`, { recursive: true });
  await writeFile(`${dir}/secret`, 'the sidecar token');
  await writeFile(`${root}/data/map`, '1000 10 inside\n');
  return { dir, root };
}

describe('copies out of another root', () => {
  it('takes an absolute link as if the root were /, so it cannot reach a file outside', async (t) => {
    const { dir, root } = await layout(t);
    await symlink(`${dir}/secret`, `${root}/tmp/perf-7.map`);
    await assert.rejects(
      copyRegularFromRoot(root, '/tmp/perf-7.map', `${dir}/copy`, 1024),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    await assert.rejects(readFile(`${dir}/copy`));
    await symlink('/data/map', `${root}/tmp/perf-8.map`);
    assert.equal(await copyRegularFromRoot(root, '/tmp/perf-8.map', `${dir}/copy`, 1024), 15);
    assert.equal(await readFile(`${dir}/copy`, 'utf8'), '1000 10 inside\n');
  });

  it('never climbs above the root with ..', async (t) => {
    const { root } = await layout(t);
    await symlink('../../../../../secret', `${root}/tmp/up`);
    await symlink('../../../../../data', `${root}/tmp/data-link`);
    assert.equal(await resolveInRoot(root, '/tmp/data-link/map'), `${root}/data/map`);
    await assert.rejects(
      resolveInRoot(root, '/tmp/up'),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    await assert.rejects(
      resolveInRoot(root, '/../../secret'),
      (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
    );
  });

  it('refuses a FIFO at once instead of blocking on it', async (t) => {
    const { dir, root } = await layout(t);
    execFileSync('mkfifo', [`${root}/tmp/perf-9.map`]);
    const started = Date.now();
    await assert.rejects(
      copyRegularFromRoot(root, '/tmp/perf-9.map', `${dir}/copy`, 1024),
      (error: UnsafeFileError) => error.reason === 'not-regular' && /a FIFO/.test(error.message),
    );
    assert.ok(Date.now() - started < 1000);
  });

  it('refuses a link loop and a file over the cap, and copies a growing file as it was when opened', async (t) => {
    const { dir, root } = await layout(t);
    await symlink('/tmp/b', `${root}/tmp/a`);
    await symlink('/tmp/a', `${root}/tmp/b`);
    await assert.rejects(
      resolveInRoot(root, '/tmp/a'),
      (e: UnsafeFileError) => e.reason === 'too-many-links',
    );
    await writeFile(`${root}/data/big`, Buffer.alloc(2048));
    await assert.rejects(
      copyRegularFromRoot(root, '/data/big', `${dir}/copy`, 1024),
      (e: UnsafeFileError) =>
        e.reason === 'too-large' && /2048 bytes, more than the cap of 1024/.test(e.message),
    );
    const copy = copyRegularFromRoot(root, '/data/map', `${dir}/copy`, 1024);
    await appendFile(`${root}/data/map`, '2000 10 later\n');
    const bytes = await copy;
    assert.equal((await readFile(`${dir}/copy`, 'utf8')).length, bytes);
  });
});
