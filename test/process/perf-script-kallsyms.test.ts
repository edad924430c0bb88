// perf script with the recorder's copy of the kernel's symbols (`--kallsyms`, made by kernel-symbols.ts
// from the real /proc, as recordings and continuous windows use it) prints what it prints reading
// /proc/kallsyms itself, but for a frame that /proc names as a function's padding (`__pfx_`, left out of
// the copy). Real perf, recording a program that spends its time in the kernel (dd of one byte at a
// time), so that kernel frames are there to resolve.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PERF_SCRIPT_FIELDS } from '../../sidecar/profilers/perf/perf-script.ts';
import { copyWithoutPadding, kernelSymbolsCopy } from '../../sidecar/symbols/kernel-symbols.ts';
import { execFile } from '../harness/child-processes.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);
const SCRIPT_OUTPUT_MAX = 256 << 20;

describe('perf script with the copy of the kernel symbols', () => {
  it('prints the same text as with /proc/kallsyms, kernel frames included', async (t) => {
    const dir = await workDir(t, 'continuous-kallsyms');
    const data = join(dir, 'perf.data');
    const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1', 'count=400000'];
    await run('perf', ['record', '--no-buildid-cache', '-g', '-F', '499', '-o', data, '--', ...dd]);
    const copy = kernelSymbolsCopy({
      readText: async (path, maxBytes) => (await readFile(path, 'utf8')).slice(0, maxBytes),
      copy: copyWithoutPadding,
      now: () => Date.now(),
      path: join(dir, 'kallsyms'),
    });
    const kallsyms = await copy();
    assert.ok(kallsyms !== undefined, 'this machine shows kernel addresses (kptr_restrict 0 or root)');
    const script = async (extra: string[]) =>
      (
        await run('perf', ['script', '-i', data, '-F', PERF_SCRIPT_FIELDS, ...extra], {
          maxBuffer: SCRIPT_OUTPUT_MAX,
        })
      ).stdout;
    const fromProc = await script([]);
    const fromCopy = await script(['--kallsyms', kallsyms]);
    assert.match(fromProc, /\(\[kernel\.kallsyms\]\)/, 'kernel frames were recorded');
    assert.doesNotMatch(fromProc, /\[unknown\] \(\[kernel\.kallsyms\]\)/, 'and resolved');
    const procLines = fromProc.split('\n');
    const copyLines = fromCopy.split('\n');
    assert.equal(copyLines.length, procLines.length);
    procLines.forEach((proc, i) => {
      const copy = copyLines[i] ?? '';
      if (copy === proc) return;
      // The same address, named by the function before the padding instead of the padding itself.
      assert.match(
        proc,
        /^\s+[0-9a-f]+ __pfx_\S+ \(\[kernel\.kallsyms\]\)$/,
        `only padding differs: ${proc}`,
      );
      assert.equal(copy.trim().split(' ')[0], proc.trim().split(' ')[0]);
      assert.doesNotMatch(copy, /__pfx_|\[unknown\]/);
    });
  });
});
