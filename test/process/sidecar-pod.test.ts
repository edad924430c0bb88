// The sidecar in pod mode: "containers" are processes with their own mount namespace, private /tmp and the
// kubelet's termination-log bind mount, as in a real pod. A Node target runs with --perf-basic-prof.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startContainer, startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'pod-test-secret';
const POD_UID = '6a1f3c2e-0b7d-4e59-9c11-5d2f8e7a4b30';

const NODE_PROGRAM = `
function furnaceJsHotLoop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.sqrt(i) * Math.sin(i);
  return s;
}
function furnaceJsOuter(end) {
  let total = 0;
  while (Date.now() < end) total += furnaceJsHotLoop(200000);
  return total;
}
furnaceJsOuter(Date.now() + Number(process.argv[2] ?? 60) * 1000);
`;

describe('sidecar in a pod (with a fake registration server)', () => {
  it("records the pod's containers by default, narrows to one by name, and resolves Node JIT frames", async (t) => {
    const dir = await workDir(t, 'pod');
    const hot = await buildHotProgram(dir);
    await writeFile(`${dir}/app.js`, NODE_PROGRAM);
    const node = await startContainer(t, dir, POD_UID, 'app', [
      process.execPath,
      '--perf-basic-prof',
      `${dir}/app.js`,
      '120',
    ]);
    const worker = await startContainer(t, dir, POD_UID, 'worker', [hot, '120']);
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_POD_NAMESPACE: 'shop',
      FURNACE_POD_NAME: 'web-0',
      FURNACE_TARGETS: JSON.stringify([
        { name: 'app', image: 'example/app:1' },
        { name: 'worker', image: 'example/worker:1' },
      ]),
    });

    // Default: every process of the pod's app containers, and nothing else of this machine.
    const allStatus = await sidecar.start({ durationSeconds: 1 });
    assert.deepEqual(
      allStatus.targets.map((p) => [p.pid, p.container]).sort(),
      [
        [node.pid, 'app'],
        [worker.pid, 'worker'],
      ].sort(),
    );
    assert.equal((await sidecar.waitFor(allStatus.id, finished)).state, 'done');

    const missing = await sidecar.call('POST', '/recordings', { container: 'db' });
    assert.equal(missing.status, 400);
    assert.match((missing.json as { message: string }).message, /container "db" in the containers of pod/);

    const status = await sidecar.start({
      container: 'app',
      durationSeconds: 4,
      frequency: 199,
    });
    // The process's own name as the kernel reports it (Node 24 names its main thread MainThread).
    const comm = (await readFile(`/proc/${node.pid}/comm`, 'utf8')).trim();
    assert.deepEqual(status.targets, [{ pid: node.pid, comm, container: 'app' }]);
    const done = await sidecar.waitFor(status.id, finished);
    assert.equal(done.state, 'done', done.error);
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    // V8 names JIT frames like `JS:*furnaceJsHotLoop /path/app.js:2:26`.
    const named = folded.split('\n').filter((line) => /;JS:\*?furnaceJs(HotLoop|Outer) /.test(line));
    assert.ok(named.length > 0, `JavaScript function names appear:\n${folded.slice(0, 3000)}`);
    assert.ok(samplesOf(folded, 'furnace_heavy') === 0, 'the other container was not recorded');
    // The map copied into the sidecar's /tmp for perf script is removed again.
    await assert.rejects(readFile(`/tmp/perf-${node.pid}.map`));
    const meta = JSON.parse(
      server.uploads.get(`/api/v1/recordings/${status.id}`)?.toString() ?? '{}',
    ) as Record<string, unknown>;
    // The upload names the container it recorded; the server takes namespace and pod from the token.
    const uploaded = meta as unknown as RecordingStatus;
    assert.equal(uploaded.params.container, 'app');
    assert.deepEqual([...new Set(uploaded.targets.map((target) => target.container))], ['app']);
    assert.equal(meta.namespace, undefined);
  });

  it('resolves the symbols of a container program that exits mid-recording, its files gone with it', async (t) => {
    const dir = await workDir(t, 'pod-exit');
    const hot = await buildHotProgram(dir, [`-DFURNACE_BUILD_TAG="${dir}"`]);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_POD_UID: POD_UID,
      FURNACE_TARGETS: JSON.stringify([{ name: 'app', image: '' }]),
    });
    // The program runs from the container's private /tmp, which vanishes when it exits.
    const target = await startContainer(t, dir, POD_UID, 'app', [
      'sh',
      '-c',
      `'cp ${hot} /tmp/furnace-hot-exiting && exec /tmp/furnace-hot-exiting 3'`,
    ]);
    const status = await sidecar.start({ durationSeconds: 300, frequency: 199 });
    assert.deepEqual(status.targets, [{ pid: target.pid, comm: 'furnace-hot-exi', container: 'app' }]);
    const done = await sidecar.waitFor(status.id, finished);
    assert.equal(done.state, 'done', done.error);
    assert.notEqual(target.child.exitCode, null, 'the target has exited');
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0 && samplesOf(folded, 'furnace_light') > 0, folded);
  });

  it('records a Node program in local mode by process pattern', async (t) => {
    const dir = await workDir(t, 'node-local');
    await writeFile(`${dir}/local-app.js`, NODE_PROGRAM);
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const node = startProcess(t, process.execPath, ['--perf-basic-prof', `${dir}/local-app.js`, '120'], {
      cwd: dir,
    });
    t.after(() => rm(`/tmp/perf-${node.pid}.map`, { force: true })); // Node leaves its map behind
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = await sidecar.start({
      processPattern: 'local-app\\.js',
      durationSeconds: 3,
    });
    assert.deepEqual(
      status.targets.map((p) => p.pid),
      [node.pid],
    );
    const done = await sidecar.waitFor(status.id, finished);
    assert.equal(done.state, 'done', done.error);
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    assert.match(folded, /furnaceJs(HotLoop|Outer)/);
  });
});
