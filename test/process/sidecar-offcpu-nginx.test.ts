// Off-CPU profile of Debian's nginx under ApacheBench (`ab`), with the real sidecar and the real bpftrace: a
// worker serving keep-alive clients switches thousands of times a second and waits for them in
// epoll_wait(). A second nginx (a copy of the binary under another name, so its threads say `nginx-other`)
// under the same load waits in the same way beside it and is never chosen.
import assert from 'node:assert/strict';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseFolded, totalSamples, type FoldedStacks } from '../../core/stacks/folded.ts';
import { NGINX, startNginx } from '../harness/nginx.ts';
import { startProcess } from '../harness/processes.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

function shareOf(stacks: FoldedStacks, frame: RegExp): number {
  let within = 0;
  for (const [stack, value] of stacks) if (stack.split(';').some((f) => frame.test(f))) within += value;
  return (100 * within) / totalSamples(stacks);
}

/** Times a process has blocked so far (voluntary context switches, /proc/PID/status). */
async function blockedTimes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1] ?? NaN);
}

/** `ab` with keep-alive, 8 connections, gzip asked, for `seconds`. */
function ab(t: Parameters<typeof startProcess>[0], url: string, seconds: number) {
  const args = [
    '-k',
    '-c',
    '8',
    '-t',
    String(seconds),
    '-n',
    '100000000',
    '-H',
    'Accept-Encoding: gzip',
    url,
  ];
  return startProcess(t, '/usr/bin/ab', args);
}

describe('offcpu of nginx under ab (real bpftrace, fake registration server)', () => {
  it('the worker waits in epoll_wait; the other nginx under the same load and ab never appear', async (t) => {
    const dir = await workDir(t, 'offcpu-nginx');
    const other = join(dir, 'nginx-other');
    await copyFile(NGINX, other);
    const chosen = await startNginx(t, join(dir, 'chosen'));
    const unchosen = await startNginx(t, join(dir, 'unchosen'), undefined, other);
    const { sidecar } = await startRegisteredSidecar(t, 'offcpu-nginx-secret');
    // The load lasts until the recording is done, however long bpftrace takes to start on a loaded machine
    // (its 3 s count from its probes' attachment): a worker idle in epoll_wait for the whole window never
    // comes back, so nothing of it would be counted.
    const loads = [ab(t, chosen.url, 600), ab(t, unchosen.url, 600)];
    const before = await blockedTimes(unchosen.workerPid);
    const done = await sidecar.record({ profile: 'offcpu', pid: chosen.workerPid, durationSeconds: 3 });
    const switches = (await blockedTimes(unchosen.workerPid)) - before;
    await Promise.all(loads.map((load) => load.stop()));
    assert.equal(done.state, 'done', done.error);
    assert.ok(switches > 1000, `the other nginx blocked ${switches} times meanwhile`);
    const stacks = parseFolded(await sidecar.artifact(done.id, 'stacks.folded'));
    for (const stack of stacks.keys()) assert.match(stack, /^nginx;/, 'only the chosen worker');
    const epoll = shareOf(stacks, /^do_epoll_wait$/);
    const userEpoll = shareOf(stacks, /^(__GI_)?epoll_wait$/);
    t.diagnostic(`the other nginx blocked ${switches} times meanwhile`);
    t.diagnostic(
      `epoll_wait ${epoll.toFixed(1)} % (user frame ${userEpoll.toFixed(1)} %) of ${(totalSamples(stacks) / 1e9).toFixed(2)} s blocked in ${stacks.size} stacks`,
    );
    const top = [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 5);
    for (const [stack, ns] of top) t.diagnostic(`${(ns / 1e6).toFixed(1)} ms ${stack}`);
    assert.ok(epoll > 80, `the worker waits in epoll_wait: ${epoll} % of the time blocked`);
    assert.ok(userEpoll > 80, `its user stack names epoll_wait: ${userEpoll} %`);
  });
});
