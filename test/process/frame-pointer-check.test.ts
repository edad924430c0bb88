// The frame-pointer check on real binaries: one C program built with gcc with and without frame pointers
// (and stripped: the unwind table it reads survives stripping), Debian's nginx and the libcrypto it loads,
// and a Go program built stripped (-s -w).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkBinary } from '../../sidecar/profilers/perf/call-graph/frame-pointers.ts';
import { goBinary } from '../harness/go-pprof-program.ts';
import { buildHotProgram } from '../harness/hot-program.ts';
import { run } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

const SHARE = /^(\d+) % of \d+ sampled functions set up a frame pointer$/;

describe('frame-pointer check on real binaries', () => {
  it('tells gcc builds with frame pointers from builds without, stripped or not', async (t) => {
    const dir = await tempDir(t, 'furnace-fp-check-');
    const builds: [string[], string, 'yes' | 'no'][] = [
      [['-O2', '-fno-omit-frame-pointer'], 'o2-fp', 'yes'],
      [['-O2', '-fno-omit-frame-pointer', '-s'], 'o2-fp-stripped', 'yes'],
      [['-O0'], 'o0', 'yes'],
      [['-O2', '-fomit-frame-pointer'], 'o2-nofp', 'no'],
      [['-O2', '-fomit-frame-pointer', '-s'], 'o2-nofp-stripped', 'no'],
    ];
    for (const [flags, name, expected] of builds) {
      const verdict = await checkBinary('/', await buildHotProgram(dir, flags, name));
      assert.equal(verdict.framePointers, expected, `${name}: ${verdict.why}`);
      assert.equal(verdict.name, name);
      assert.match(verdict.why, SHARE);
    }
  });

  it("says Debian's nginx and libcrypto have none (0–2 % of their functions set one up)", async () => {
    for (const path of ['/usr/sbin/nginx', '/usr/lib/x86_64-linux-gnu/libcrypto.so.3']) {
      const verdict = await checkBinary('/', path);
      assert.equal(verdict.framePointers, 'no', `${path}: ${verdict.why}`);
      assert.ok(Number(SHARE.exec(verdict.why)?.[1]) <= 5, verdict.why);
    }
  });

  it('says a Go program has them, stripped with -s -w, by its build-id note', async (t) => {
    const dir = await tempDir(t, 'furnace-fp-go-');
    await writeFile(join(dir, 'main.go'), 'package main\n\nfunc main() { println("hi") }\n');
    await writeFile(join(dir, 'go.mod'), 'module furnace/fp\n\ngo 1.21\n');
    const path = join(dir, 'furnace-go-stripped');
    await run(await goBinary(), ['build', '-ldflags=-s -w', '-o', path, '.'], {
      cwd: dir,
      env: { ...process.env, CGO_ENABLED: '0' },
    });
    assert.deepEqual(await checkBinary('/', path), {
      name: 'furnace-go-stripped',
      framePointers: 'yes',
      why: 'a Go program (Go keeps frame pointers)',
    });
  });
});
