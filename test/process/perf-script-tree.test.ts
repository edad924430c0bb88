// The perf profiler hands the compact flame tree over as soon as perf script and the collapser are done,
// before the folded stacks are joined: real perf records the hot program, then scriptRecording runs the
// sidecar's perf script into the collapser. The tree it writes first is the tree of the stacks it returns.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { decodeFlameTree, type CompactFlameTree } from '../../core/render/flame-tree-compact.ts';
import { buildFlameTree, type FlameNode } from '../../core/render/flame-tree.ts';
import { formatFolded } from '../../core/stacks/folded.ts';
import type { SpawnFn } from '../../sidecar/host/runtime.ts';
import { commandRunner } from '../../sidecar/symbols/image-symbols.ts';
import { scriptRecording } from '../../sidecar/profilers/perf/perf-script.ts';
import type { RecordingEvent } from '../../sidecar/recording-events.ts';
import { execFile, spawn } from '../harness/child-processes.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { workDir } from '../harness/temp-dirs.ts';

const run = promisify(execFile);

function shape(node: FlameNode): unknown {
  return [node.name, node.value, node.self, node.children.map(shape)];
}

describe('perf script into the collapser (scriptRecording)', () => {
  it('writes the tree of every sample before it joins the stacks, and the stacks are those of the tree', async (t) => {
    const dir = await workDir(t, 'perf-script-tree');
    const program = await buildHotProgram(dir);
    await run('perf', [
      'record',
      '-q',
      '-e',
      'cpu-clock',
      '-F',
      '499',
      '-g',
      '-o',
      join(dir, 'perf.data'),
      '--',
      program,
      '1',
    ]);
    const spawnChild = spawn as unknown as SpawnFn;
    const events: RecordingEvent[] = [];
    const trees: CompactFlameTree[] = [];
    const { stacks } = await scriptRecording(
      {
        spawn: spawnChild,
        run: commandRunner(spawnChild, process.env),
        report: (event) => events.push(event),
        budget: { free: () => Promise.resolve(1 << 30) },
        writeTree: (tree) => {
          trees.push(tree);
          // What the recording knew when the tree was handed over: perf.script is reported after it.
          events.push({ type: 'artifact', name: 'flame-tree.bin.gz' });
          return Promise.resolve();
        },
      },
      { perfPath: 'perf', dir, buildIdDir: join(dir, 'buildid') },
    );
    assert.equal(trees.length, 1);
    const folded = formatFolded(stacks);
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded);
    assert.deepEqual(shape(decodeFlameTree(trees[0] as CompactFlameTree)), shape(buildFlameTree(stacks)));
    const artifacts = events.flatMap((e) => (e.type === 'artifact' ? [e.name] : []));
    assert.deepEqual(artifacts, ['perf.data', 'flame-tree.bin.gz', 'perf.script']);
  });
});
