// The real sidecar recording a real Go program's allocs, mutex and block profiles (profile types, issue 46)
// through its net/http/pprof endpoint, each over the recording's duration (`?seconds=N`, Go's delta
// profile): the contended mutex (furnaceGoHoldLock, test/harness/go-pprof-program.ts) and the hot
// allocation site (furnaceGoAllocate) have most of the graph, and the kept profile.pb.gz opens in
// `go tool pprof` with its own sample type.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { goBinary, sharedGoPprofProgram, startGoPprofProgram } from '../harness/go-pprof-program.ts';
import { freePort } from '../harness/ports.ts';
import { run } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { servedArtifact, startRegisteredSidecar } from './sidecar-harness.ts';

// Go's delta of an allocs profile loses its default sample type (go tool pprof then shows inuse_space, all
// zero over a delta), so it is read with -sample_index=alloc_space, as docs/profilers.md says.
// The block profile also holds the pprof handler's own wait for the end of the delta (a select on a timer)
// and the HTTP server's goroutines, hence a lower share there.
const CASES = [
  { profile: 'mutex', frame: 'main.furnaceGoHoldLock', type: /Type: delay/, least: 0.8, flags: [] },
  { profile: 'block', frame: 'main.furnaceGoHoldLock', type: /Type: delay/, least: 0.6, flags: [] },
  {
    profile: 'allocs',
    frame: 'main.furnaceGoAllocate',
    type: /Type: alloc_space/,
    least: 0.8,
    flags: ['-sample_index=alloc_space'],
  },
] as const;

describe('sidecar with profiler pprof: Go allocs, mutex and block profiles', () => {
  it('records each over the duration; its graph names the contended lock or the allocation site', async (t) => {
    const port = await freePort();
    const program = await sharedGoPprofProgram();
    await startGoPprofProgram(t, program, { port });
    const { server, sidecar } = await startRegisteredSidecar(t, 'go-types-secret');
    const dir = await tempDir(t, 'pprof-go-types-');
    for (const { profile, frame, type, least, flags } of CASES) {
      const done = await sidecar.record({ profiler: 'pprof', profile, durationSeconds: 2, pprof: { port } });
      assert.equal(done.state, 'done', `${profile}: ${done.error}`);
      assert.equal(done.params.profile, profile);
      assert.equal(done.params.pprof?.kind, profile);
      assert.equal(done.params.pprof?.path, `/debug/pprof/${profile}`);
      const stacks = parseFolded(await servedArtifact(sidecar, done.id, 'stacks.folded'));
      let within = 0;
      for (const [stack, value] of stacks) if (stack.split(';').includes(frame)) within += value;
      const share = within / totalSamples(stacks);
      t.diagnostic(`${profile}: ${frame} ${(share * 100).toFixed(1)} % of ${totalSamples(stacks)}`);
      const top = [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 3);
      assert.ok(share > least, `${profile}: ${frame} has ${share} of the graph: ${JSON.stringify(top)}`);
      const uploaded = server.uploads.get(`/api/v1/recordings/${done.id}/artifacts/profile.pb.gz`);
      assert.ok(uploaded !== undefined, `${profile}: profile.pb.gz went to the catalog`);
      await writeFile(`${dir}/${profile}.pb.gz`, uploaded);
      const pprofTop = await run(await goBinary(), [
        'tool',
        'pprof',
        '-top',
        ...flags,
        program,
        `${dir}/${profile}.pb.gz`,
      ]);
      assert.match(pprofTop.stdout, type, pprofTop.stdout);
      assert.match(pprofTop.stdout, new RegExp(frame.replace('.', '\\.')), pprofTop.stdout);
    }
  });
});
