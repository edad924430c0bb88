// The copy of the kernel's symbols that a recorder's perf script reads (recordings and continuous windows):
// made once, made again when the modules change or it is too old, never two at once, without the padding
// symbols, and not used where the kernel hides its addresses. Files in a temporary directory stand in for
// /proc; the clock is the test's.
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import {
  copyWithoutPadding,
  kernelSymbolsCopy,
  showsAddresses,
  withoutPaddingSymbols,
} from '../../../sidecar/symbols/kernel-symbols.ts';
import { workDir } from '../../harness/temp-dirs.ts';

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

describe('the kernel symbols copy', () => {
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

  it('is made by one call at a time: a call while another copies waits for it', async (t) => {
    const proc = await workDir(t, 'kallsyms-serial');
    await writeFile(join(proc, 'kallsyms'), SYMBOLS);
    await writeFile(join(proc, 'modules'), '');
    let copying = 0;
    let overlapped = false;
    const next = kernelSymbolsCopy(
      {
        readText: async (file, maxBytes) => (await readFile(file, 'utf8')).slice(0, maxBytes),
        copy: async (from, to) => {
          copying += 1;
          overlapped ||= copying > 1;
          await new Promise((done) => setTimeout(done, 20));
          await pipeline(createReadStream(from), createWriteStream(to));
          copying -= 1;
        },
        now: () => 0,
        path: join(proc, 'copy'),
        procRoot: proc,
        // Every call copies, as after a module change each time.
      },
      -1,
    );
    const paths = await Promise.all([next(), next(), next()]);
    assert.deepEqual(paths, [join(proc, 'copy'), join(proc, 'copy'), join(proc, 'copy')]);
    assert.equal(overlapped, false);
  });

  it('leaves out the padding symbols (__pfx_), whole lines, across chunk boundaries', async (t) => {
    const dir = await workDir(t, 'kallsyms-padding');
    const kept = ['ffffffff81000000 T _stext', 'ffffffffc0000010 t xfs_init\t[xfs]'];
    const lines: string[] = [];
    // Past the copy's 64 KiB reads and 1 MiB writes, so that lines are cut between reads.
    for (let i = 0; lines.length < 60_000; i++) {
      const at = (0xffffffff81001000 + i * 32).toString(16);
      lines.push(`${at} t __pfx_fn_${i}`, `${at} T fn_${i}`);
    }
    const text = `${kept[0]}\n${lines.join('\n')}\n${kept[1]}\nffffffffc0000000 t __pfx_xfs_init\t[xfs]`;
    await writeFile(join(dir, 'kallsyms'), text);
    await copyWithoutPadding(join(dir, 'kallsyms'), join(dir, 'copy'));
    const copy = await readFile(join(dir, 'copy'), 'utf8');
    assert.equal(copy, withoutPaddingSymbols(`${text}\n`));
    assert.equal(copy.includes('__pfx_'), false);
    assert.equal(copy.split('\n').length - 1, 30_000 + 2, 'every other line kept, and the two others');
    assert.match(copy, /^ffffffff81000000 T _stext\n/);
    assert.match(copy, /T fn_29999\nffffffffc0000010 t xfs_init\t\[xfs\]\n$/);
  });

  it('showsAddresses', () => {
    assert.equal(showsAddresses(SYMBOLS), true);
    assert.equal(showsAddresses(HIDDEN), false);
    assert.equal(showsAddresses(''), false);
  });
});
