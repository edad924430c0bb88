// Continuous windows pushed to a sink end to end: the real API server, the real server process and node
// agent with real perf, and a fake Pyroscope (test/harness/fake-pyroscope.ts; Pyroscope itself is not on
// this machine) that takes the sink's pushes. One pod of two is selected. The server is killed (SIGKILL)
// while windows flow and started again (with one replica its selections are in memory, so the selection
// is switched on again). Asserted: every window
// stored for the namespace reaches the sink with its folded text as the body; none twice but windows of
// the batch whose state the killed server had not yet written (server/sinks/sink-windows.ts: the state
// goes to the store after each batch), each of those once more at most and first pushed before the kill
// (the X-Furnace-Window header lets a receiver drop the repeat); and nothing of the pod not selected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_GROUP } from '../../core/contract/names.ts';
import { parseWindowKey } from '../../server/continuous/window-keys.ts';
import { filesystemWindows, type WindowStore } from '../../server/continuous/window-store.ts';
import { createUser, useCluster } from '../harness/cluster.ts';
import { startContinuousCluster } from '../harness/continuous-cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { startFakePyroscope, type FakePyroscope } from '../harness/fake-pyroscope.ts';
import { bearerCall as call } from '../harness/http.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { kc, cp } = await useCluster();
const WINDOW_SECONDS = 3;

async function storedKeys(windows: WindowStore, namespace: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const { namespace: ns, hour } of windows.hours())
    if (ns === namespace) for await (const key of windows.list(`${ns}/${hour}/`)) keys.push(key);
  return keys.sort();
}

function pushCounts(fake: FakePyroscope): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of fake.requests) {
    const key = String(request.headers['x-furnace-window']);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe('continuous windows to a sink (fake Pyroscope), the server killed midway', () => {
  it('delivers every stored window once, with its folded text, and nothing of the pod not selected', async (t) => {
    const dir = await workDir(t, 'continuous-sink');
    const fake = await startFakePyroscope(t);
    const { server, ca, agent, namespace } = await startContinuousCluster(t, {
      cluster: { kc, cp },
      dir,
      windowSeconds: WINDOW_SECONDS,
      pods: [
        { name: 'hot-a', selected: true },
        { name: 'hot-b', selected: false },
      ],
      extra: (podsNamespace) => ({
        sinks: [
          {
            name: 'pyro',
            type: 'pyroscope',
            url: fake.url,
            namespaces: [podsNamespace],
            continuous: true,
            recordings: 'named',
            format: 'folded',
          },
        ],
        sinkDelivery: { windowGraceSeconds: 120 },
      }),
    });
    const rules = [
      { apiGroups: [API_GROUP], resources: ['recordings'], verbs: ['create', 'get'] },
      { apiGroups: [API_GROUP], resources: ['recordings/continuous'], verbs: ['create'] },
    ];
    const owner = await createUser(kc, { name: 'owner', namespace, rules });
    const selection = `${server.base}/api/v1/continuous/${namespace}/always`;
    const on = await call(selection, ca, owner.token, 'PUT', {
      selector: { matchLabels: { profile: 'always' } },
    });
    assert.equal(on.status, 200, on.body);
    const outputs = () => `agent:\n${agent.process.output()}\nserver:\n${server.process.output()}`;

    await eventually(
      () => Promise.resolve(pushCounts(fake).size >= 4 || undefined),
      120_000,
      '4 windows pushed',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${outputs()}`);
    });
    server.process.child.kill('SIGKILL');
    assert.equal(await server.process.exited, null);
    const atKill = fake.requests.length;
    const keysAtKill = new Set(pushCounts(fake).keys());
    await sleep(WINDOW_SECONDS * 3 * 1000); // the agent holds its windows meanwhile
    const restarted = await server.restart();
    // With one replica, selections live in the server's memory: switched on again after the restart.
    const again = await call(selection, ca, owner.token, 'PUT', {
      selector: { matchLabels: { profile: 'always' } },
    });
    assert.equal(again.status, 200, again.body);
    await eventually(
      () => Promise.resolve(pushCounts(fake).size >= keysAtKill.size + 6 || undefined),
      120_000,
      '6 more windows after the restart',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nserver after the restart:\n${restarted.output()}`);
    });
    const off = await call(selection, ca, owner.token, 'DELETE');
    assert.equal(off.status, 204, off.body);
    await sleep(WINDOW_SECONDS * 3 * 1000);

    const windows = filesystemWindows(`${dir}/data`);
    const stored = await storedKeys(windows, namespace);
    const counts = await eventually(
      () => {
        const pushed = pushCounts(fake);
        return Promise.resolve(stored.every((key) => pushed.has(key)) ? pushed : undefined);
      },
      60_000,
      'every stored window pushed',
    );
    const twice = [...counts].filter(([, n]) => n > 1);
    t.diagnostic(
      `${stored.length} windows stored; ${atKill} pushes before the kill; ${fake.requests.length} in all; twice: ${twice.length}`,
    );
    assert.ok(stored.length >= 10, `${stored.length} windows`);
    assert.deepEqual([...counts.keys()].sort(), stored, 'exactly the stored windows');
    for (const [key, n] of twice) {
      assert.equal(n, 2, `${key} pushed ${n} times`);
      assert.ok(keysAtKill.has(key), `${key} pushed twice, though first pushed after the restart`);
    }
    for (const request of fake.requests) {
      const key = String(request.headers['x-furnace-window']);
      assert.equal(parseWindowKey(key)?.pod, 'hot-a', 'only the selected pod');
      assert.equal(request.body.toString('utf8'), await windows.get(key));
      assert.equal(request.query.get('name')?.startsWith('hot-a.cpu{'), true);
    }
  });
});
