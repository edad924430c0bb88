// The copy of the kernel's symbols that each continuous window's perf script reads: made once, made again
// when the modules change or it is too old, and not used where the kernel hides its addresses. Files in
// a temporary directory stand in for /proc; the clock is the test's.
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { kernelSymbolsCopy, showsAddresses } from '../../sidecar/continuous/kernel-symbols.ts';
import { workDir } from '../harness/temp-dirs.ts';

const SYMBOLS = 'ffffffff81000000 T _stext\nffffffff81000010 t early_idt\n';
const HIDDEN = '0000000000000000 T _stext\n0000000000000000 t early_idt\n';

async function setUp(t: Parameters<typeof workDir>[0], kallsyms: string) {
  const proc = await workDir(t, 'continuous-kallsyms');
  await writeFile(join(proc, 'kallsyms'), kallsyms);
  await writeFile(join(proc, 'modules'), 'nf_tables 1 0 - Live 0x0\n');
  const clock = { now: 0, copies: 0 };
  const path = join(proc, 'copy');
  const next = kernelSymbolsCopy({
    readText: async (file, maxBytes) => (await readFile(file, 'utf8')).slice(0, maxBytes),
    copy: async (from, to) => {
      clock.copies += 1;
      await pipeline(createReadStream(from), createWriteStream(to));
    },
    now: () => clock.now,
    path,
    procRoot: proc,
  });
  return { proc, clock, path, next };
}

describe('the kernel symbols copy of continuous profiling', () => {
  it('is made once and kept while the modules stay and it is fresh', async (t) => {
    const { proc, clock, path, next } = await setUp(t, SYMBOLS);
    assert.equal(await next(), path);
    assert.equal(await readFile(path, 'utf8'), SYMBOLS);
    clock.now += 60_000;
    assert.equal(await next(), path);
    assert.equal(clock.copies, 1, 'not copied again for the next window');
    await writeFile(join(proc, 'modules'), 'xfs 1 0 - Live 0x0\nnf_tables 1 0 - Live 0x0\n');
    await writeFile(join(proc, 'kallsyms'), `${SYMBOLS}ffffffffc0000000 t xfs_init\t[xfs]\n`);
    assert.equal(await next(), path);
    assert.equal(clock.copies, 2, 'copied again once a module was loaded');
    assert.match(await readFile(path, 'utf8'), /xfs_init/);
    clock.now += 10 * 60_000;
    await next();
    assert.equal(clock.copies, 3, 'copied again once ten minutes old');
  });

  it('is not used where the kernel shows only zeros (kptr_restrict)', async (t) => {
    const { next } = await setUp(t, HIDDEN);
    assert.equal(await next(), undefined);
  });

  it('is not used when /proc/kallsyms cannot be read', async (t) => {
    const { proc, next } = await setUp(t, SYMBOLS);
    const missing = kernelSymbolsCopy({
      readText: (file) => readFile(file, 'utf8'),
      copy: () => Promise.reject(new Error('EACCES')),
      now: () => 0,
      path: join(proc, 'copy'),
      procRoot: proc,
    });
    assert.equal(await missing(), undefined);
    assert.equal(await next(), join(proc, 'copy'), 'another copy is unaffected');
  });

  it('showsAddresses', () => {
    assert.equal(showsAddresses(SYMBOLS), true);
    assert.equal(showsAddresses(HIDDEN), false);
    assert.equal(showsAddresses(''), false);
  });
});
