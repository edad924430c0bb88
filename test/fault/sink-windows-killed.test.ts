// The process exporting continuous windows (the leader's window export, server/sinks/window-export.ts, run
// as test/harness/window-export-child.ts over a real window store on disk) killed with SIGKILL mid-export
// and started again: every window reaches the sink, and none twice but for the one push in flight at the
// kill — pushed, and its 2xx perhaps taken, but not yet written into the sink's state; the X-Furnace-Window
// header (the window's key) lets a receiver drop that repeat. The sink is a fake Pyroscope (test/harness/
// fake-pyroscope.ts, not Pyroscope) that counts pushes by that header.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { filesystemWindows } from '../../server/continuous/window-store.ts';
import { stateName } from '../../server/sinks/sink-windows.ts';
import { writeWindows } from '../harness/continuous-windows.ts';
import { eventually } from '../harness/eventually.ts';
import { startFakePyroscope } from '../harness/fake-pyroscope.ts';
import { startProcess, type RunningProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { workDir } from '../harness/temp-dirs.ts';

const PODS = ['web-1', 'web-2', 'web-3', 'web-4'];
const PER_POD = 30;

function exportChild(t: TestContext, dataDir: string, url: string): RunningProcess {
  const child = join(PROJECT_ROOT, 'test/harness/window-export-child.ts');
  return startProcess(t, process.execPath, ['--import', 'tsx', child, dataDir, url, '1']);
}

describe('the window export killed mid-export', () => {
  it('delivers every window after a restart, none twice but the push in flight at the kill', async (t) => {
    const dataDir = await workDir(t, 'window-export-killed');
    const windows = filesystemWindows(dataDir);
    // 30 windows per pod, the newest ending now: all within the grace period of a new sink.
    const from = Math.floor(Date.now() / 15_000) * 15_000 - PER_POD * 15_000;
    await writeWindows(windows, PODS, from, PER_POD);
    const total = PODS.length * PER_POD;
    const fake = await startFakePyroscope(t);
    // A sink that takes 20 ms per push, so that the kill lands while pushes go on.
    fake.answer = (_request, response) => void setTimeout(() => response.writeHead(200).end(), 20);
    const first = exportChild(t, dataDir, fake.url);
    await eventually(() => Promise.resolve(fake.requests.length >= 40 || undefined), 60_000, '40 pushes');
    first.child.kill('SIGKILL');
    assert.equal(await first.exited, null, 'killed, not finished');
    const atKill = fake.requests.length;
    const stored = await windows.readState(stateName('pyro'));
    assert.ok(stored !== undefined, 'the state was written before the kill');

    const second = exportChild(t, dataDir, fake.url);
    const counts = new Map<string, number>();
    await eventually(
      () => {
        counts.clear();
        for (const request of fake.requests) {
          const key = String(request.headers['x-furnace-window']);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return Promise.resolve(counts.size === total || undefined);
      },
      120_000,
      `all ${total} windows pushed`,
    );
    await second.stop();
    const twice = [...counts].filter(([, n]) => n > 1);
    t.diagnostic(
      `${total} windows; ${atKill} pushes before the kill; ${fake.requests.length} in all; pushed twice: ${twice.length} (${twice.map(([k]) => k).join(', ')}); state after: ${(await windows.readState(stateName('pyro')))?.length} bytes`,
    );
    assert.ok(twice.length <= 1, 'at most the push in flight at the kill is repeated');
    assert.ok(twice.every(([, n]) => n === 2));
  });
});
