// profiler node through the real sidecar on a real Node.js 24 process started without any flag: its
// inspector is opened (SIGUSR1), V8's CPU profiler names the hot JavaScript functions with file and line at
// their share, and the inspector is closed again (its port no longer answers). auto chooses node for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { inspectorAt, loopbackPortsOf } from '../../sidecar/profilers/node/inspector-port.ts';
import { samplesOf } from '../harness/hot-program.ts';
import { startNodeHotProgram } from '../harness/node-hot-program.ts';
import { freePort } from '../harness/ports.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'node-profiler-secret';

describe('profiler node (real Node.js 24, real sidecar, fake registration server)', () => {
  it('names the hot JavaScript functions at their share, with file:line, and closes the inspector again', async (t) => {
    const program = await startNodeHotProgram(t, await workDir(t, 'node-profiler'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    assert.equal(await inspectorAt(program.inspectorPort), undefined, 'no inspector before the recording');

    const status = await sidecar.record({
      profiler: 'node',
      pid: program.process.pid,
      durationSeconds: 3,
      frequency: 499,
    });
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.profiler, 'node');
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    const heavy = samplesOf(folded, `furnaceJsHeavy (${program.path}:8)`);
    const light = samplesOf(folded, `furnaceJsLight (${program.path}:4)`);
    const total = totalSamples(parseFolded(folded));
    // V8 optimizes the two at different moments, so their ratio varies (4× the loop, 4–10× the samples).
    assert.ok(heavy >= 0.6 * total, `furnaceJsHeavy holds ${heavy} of ${total} samples:\n${folded}`);
    assert.ok(light > 0 && light < heavy, `furnaceJsLight holds ${light}`);

    assert.equal(
      await inspectorAt(program.inspectorPort),
      undefined,
      'the inspector is closed after the recording',
    );
    assert.deepEqual(await loopbackPortsOf(program.process.pid), [], 'the program listens on nothing');
    assert.match(program.process.output(), /Debugger listening on ws:\/\/127\.0\.0\.1:/);
  });

  it('records a sampling heap profile (profile heap): the bytes still live come from the function that keeps them', async (t) => {
    const program = await startNodeHotProgram(t, await workDir(t, 'node-heap'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const status = await sidecar.record({
      profiler: 'node',
      profile: 'heap',
      pid: program.process.pid,
      durationSeconds: 3,
    });
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.params.profile, 'heap');
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    const kept = samplesOf(folded, `furnaceJsRetain (${program.path}:21)`);
    const total = totalSamples(parseFolded(folded));
    assert.ok(kept >= 0.5 * total, `furnaceJsRetain holds ${kept} of ${total} bytes:\n${folded}`);
    assert.ok(total > 100_000, `${total} bytes live`);
    assert.equal(await inspectorAt(program.inspectorPort), undefined);
  });

  it('is what auto chooses for a Node.js target without pprof', async (t) => {
    const program = await startNodeHotProgram(t, await workDir(t, 'node-auto'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const status = await sidecar.record({
      profiler: 'auto',
      pid: program.process.pid,
      durationSeconds: 2,
      pprof: { port: await freePort() },
    });
    assert.equal(status.state, 'done', status.error);
    assert.equal(status.profiler, 'node');
    assert.match(status.warnings?.join('\n') ?? '', /auto chose node: no pprof endpoint answered/);
    assert.ok(
      samplesOf(await sidecar.artifact(status.id, 'stacks.folded'), `furnaceJsHeavy (${program.path}:8)`) > 0,
    );
    assert.equal(await inspectorAt(program.inspectorPort), undefined);
  });
});
