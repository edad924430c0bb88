// The recorder's start-up probe of `perf record --buildid-mmap`, which a new recorder's first recording waits
// for: it goes without BPF events, whose side-band thread's one-second poll would make it take about 1.1 s
// rather than 0.1 s (measured with perf 6.1 on this project's test machine). A fake perf at the boundary.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildLike, SpawnFn } from '../../../sidecar/host/runtime.ts';
import { probeBuildIdMmap } from '../../../sidecar/profilers/perf/perf-runner.ts';

function fakePerfExiting(code: number): { spawn: SpawnFn; calls: string[][] } {
  const calls: string[][] = [];
  const spawn: SpawnFn = (_command, args) => {
    calls.push([...args]);
    const child = Object.assign(new EventEmitter(), {
      pid: 4242,
      stdout: null,
      stderr: new PassThrough(),
      kill: () => true,
    }) as unknown as ChildLike;
    setImmediate(() => (child as unknown as EventEmitter).emit('close', code, null));
    return child;
  };
  return { spawn, calls };
}

describe('the --buildid-mmap probe', () => {
  it('records `true` with --buildid-mmap and without BPF events, and answers by the exit code', async () => {
    const works = fakePerfExiting(0);
    assert.equal(await probeBuildIdMmap(works.spawn, 'perf', '/tmp/probe.data'), true);
    const args = works.calls[0] ?? [];
    assert.ok(args.includes('--buildid-mmap'), args.join(' '));
    assert.ok(args.includes('--no-bpf-event'), args.join(' '));
    assert.deepEqual(args.slice(args.indexOf('--')), ['--', 'true']);
    const refused = fakePerfExiting(129);
    assert.equal(await probeBuildIdMmap(refused.spawn, 'perf', '/tmp/probe.data'), false);
  });
});
