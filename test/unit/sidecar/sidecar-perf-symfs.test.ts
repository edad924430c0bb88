import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createSymbolTree, entersMountNamespaces } from '../../../sidecar/profilers/perf/perf-symfs.ts';

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'furnace-symfs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function copyOf(dir: string, name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

describe('the --symfs tree of the targets’ binaries', () => {
  it('puts a copy at its path inside the tree', async (t) => {
    const dir = await scratch(t);
    const tree = createSymbolTree(join(dir, 'symfs'));
    const placed = await tree.place(await copyOf(dir, '1', 'app'), {
      path: '/app/bin/server',
      namespace: 'a',
    });
    assert.equal(placed, true);
    assert.equal(await readFile(join(dir, 'symfs/app/bin/server'), 'utf8'), 'app');
  });

  it('keeps a path two namespaces map with the same file, and leaves out one they map with different files', async (t) => {
    const dir = await scratch(t);
    const tree = createSymbolTree(join(dir, 'symfs'));
    const libc = { path: '/lib/libc.so.6', namespace: 'a' };
    await tree.place(await copyOf(dir, '1', 'libc 2.36'), libc);
    assert.equal(await tree.place(await copyOf(dir, '2', 'libc 2.36'), { ...libc, namespace: 'b' }), true);
    assert.equal(existsSync(join(dir, 'symfs/lib/libc.so.6')), true);
    // A third container with another libc at that path: neither may lend its symbols to the other.
    assert.equal(await tree.place(await copyOf(dir, '3', 'libc 2.41'), { ...libc, namespace: 'c' }), false);
    assert.equal(existsSync(join(dir, 'symfs/lib/libc.so.6')), false);
    assert.equal(await tree.place(await copyOf(dir, '4', 'libc 2.36'), { ...libc, namespace: 'd' }), false);
    assert.equal(existsSync(join(dir, 'symfs/lib/libc.so.6')), false);
  });

  it('refuses a path that is not absolute and plain', async (t) => {
    const dir = await scratch(t);
    const tree = createSymbolTree(join(dir, 'symfs'));
    for (const path of ['relative/x', '/a/../../etc/x', '/a/./x', '/a//x'])
      assert.equal(await tree.place(await copyOf(dir, 'c', 'x'), { path, namespace: 'a' }), false, path);
    assert.equal(existsSync(join(dir, 'symfs')), false);
  });
});

describe('whether perf can enter other mount namespaces', () => {
  it('reads CAP_SYS_ADMIN in the effective set', () => {
    assert.equal(entersMountNamespaces('Name:\tx\nCapEff:\t000001ffffffffff\n'), true);
    // The agent's set: PERFMON (38), SYS_PTRACE (19), SYSLOG (34), DAC_READ_SEARCH (2).
    const agent = (1n << 38n) | (1n << 19n) | (1n << 34n) | (1n << 2n);
    assert.equal(entersMountNamespaces(`CapEff:\t${agent.toString(16).padStart(16, '0')}\n`), false);
    assert.equal(entersMountNamespaces('no capabilities line'), false);
  });
});
