// A continuous window's perf script with the agent's copy of the kernel's symbols (`--kallsyms`, made by
// kernel-symbols.ts from the real /proc) prints exactly what it prints reading /proc/kallsyms itself. Real
// perf, recording a program that spends its time in the kernel (dd of one byte at a time), so that
// kernel frames are there to resolve.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { PERF_SCRIPT_FIELDS } from '../../sidecar/profilers/perf/perf-script.ts';
import { kernelSymbolsCopy } from '../../sidecar/continuous/kernel-symbols.ts';
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
      copy: (from, to) => pipeline(createReadStream(from), createWriteStream(to)),
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
    assert.ok(fromCopy === fromProc, 'the same text with the copy');
  });
});
