// The pprof decoder on profiles a real Go program serves (net/http/pprof): CPU, heap and goroutines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { decodeProfile } from '../../core/pprof/profile.ts';
import { pprofToFolded } from '../../core/pprof/pprof-folded.ts';
import { samplesOf } from '../harness/hot-program.ts';
import { sharedGoPprofProgram, startGoPprofProgram } from '../harness/go-pprof-program.ts';
import { freePort } from '../harness/ports.ts';

async function fetchProfile(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return gunzipSync(Buffer.from(await response.arrayBuffer()));
}

describe('pprof profiles from a Go program', () => {
  it('decodes CPU, heap and goroutine profiles into stacks that name the program’s functions', async (t) => {
    const program = await sharedGoPprofProgram();
    const port = await freePort();
    await startGoPprofProgram(t, program, { port });
    const base = `http://127.0.0.1:${port}/debug/pprof`;

    const cpu = pprofToFolded(decodeProfile(await fetchProfile(`${base}/profile?seconds=2`)), 'profile');
    assert.deepEqual(cpu.value, { type: 'samples', unit: 'count' });
    const hot = samplesOf(
      [...cpu.stacks].map(([stack, count]) => `${stack} ${count}`).join('\n'),
      'main.furnaceGoHot',
    );
    const total = [...cpu.stacks.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`furnaceGoHot ${hot} of ${total} samples`);
    assert.ok(hot > 0.5 * total, `the hot function has most samples: ${hot} of ${total}`);
    const hotStack = [...cpu.stacks.keys()].find((s) => s.endsWith('main.furnaceGoHot'));
    assert.match(hotStack ?? '', /^furnace-go-hot;.*main\.main\.func\d+;main\.furnaceGoHot$/);

    const heap = pprofToFolded(decodeProfile(await fetchProfile(`${base}/heap`)), 'heap');
    assert.deepEqual(heap.value, { type: 'inuse_space', unit: 'bytes' });
    const retained = [...heap.stacks]
      .filter(([stack]) => stack.includes('main.furnaceGoRetain'))
      .reduce((sum, [, bytes]) => sum + bytes, 0);
    // 64 × 256 KiB are kept; the heap profile samples allocations, so about that much, not exactly.
    assert.ok(retained > 8 * 1024 * 1024, `furnaceGoRetain holds ${retained} bytes in use`);

    const goroutines = pprofToFolded(decodeProfile(await fetchProfile(`${base}/goroutine`)), 'goroutine');
    assert.equal(goroutines.value.type, 'goroutine');
    const parked = [...goroutines.stacks]
      .filter(([stack]) => stack.includes('main.furnaceGoPark'))
      .reduce((sum, [, count]) => sum + count, 0);
    assert.equal(parked, 7);
  });
});
