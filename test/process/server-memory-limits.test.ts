// Where a server refuses new requests comes from its own process: V8's heap limit (the image's
// NODE_OPTIONS) and the memory limit of the cgroup it runs in (the pod's limit), read in a real process
// started inside a real cgroup v1 memory group, as a container runtime would start it.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { spawnWithMemoryLimit } from '../harness/memory-limit.ts';

const MiB = 1024 * 1024;
const PRINT_LIMITS = [
  "import { pressureLimitsOfProcess } from './server/operations/load-shedding.ts';",
  'console.log(JSON.stringify(pressureLimitsOfProcess()));',
].join('\n');

async function limitsUnder(limitBytes: number, nodeOptions: string) {
  const { child, group } = spawnWithMemoryLimit(
    limitBytes,
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', PRINT_LIMITS],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: nodeOptions } },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const [code] = (await once(child, 'exit')) as [number | null];
  group.remove();
  assert.equal(code, 0, out);
  return JSON.parse(out) as { maxLiveHeapBytes: number; maxAnonBytes: number };
}

describe('the server’s load-shedding limits in a container', () => {
  it('refuses past 90 % of the pod’s memory limit and 85 % of the heap the image allows', async () => {
    const imageOptions =
      /ENV NODE_OPTIONS="([^"]+)"/.exec(readFileSync('Dockerfile.server', 'utf8'))?.[1] ?? '';
    assert.ok(
      imageOptions.includes('--max-old-space-size=128'),
      `Dockerfile.server NODE_OPTIONS: ${imageOptions}`,
    );
    const limits = await limitsUnder(256 * MiB, imageOptions);
    assert.equal(limits.maxAnonBytes, Math.floor(256 * MiB * 0.9));
    // V8's heap limit is the old space it was given plus its young generation.
    assert.ok(limits.maxLiveHeapBytes >= 0.85 * 128 * MiB, `heap limit ${limits.maxLiveHeapBytes}`);
    assert.ok(limits.maxLiveHeapBytes <= 0.85 * 160 * MiB, `heap limit ${limits.maxLiveHeapBytes}`);
  });
});
