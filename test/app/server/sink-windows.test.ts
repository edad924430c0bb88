// Continuous windows pushed to a sink that asks for them (server/sinks/window-export.ts), against a fake
// Pyroscope (test/harness/fake-pyroscope.ts: not Pyroscope, which this machine does not have) over real
// HTTP, with the real window store on disk. Asserted: the exact request of each window (path, query,
// headers, body), each window once, a sink that is down gets every window when it returns with the state
// bounded meanwhile, and windows compaction merged before they could be pushed are counted as dropped.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import type { SinkConfig } from '../../../core/sinks/sink.ts';
import { DEFAULT_SINK_DELIVERY } from '../../../core/sinks/sink.ts';
import { compactWindows } from '../../../server/continuous/compact-windows.ts';
import { watchRemovals } from '../../../server/continuous/removal-watch.ts';
import { parseWindowKey } from '../../../server/continuous/window-keys.ts';
import { filesystemWindows, type WindowStore } from '../../../server/continuous/window-store.ts';
import { sendPush } from '../../../server/sinks/push-http.ts';
import { stateName } from '../../../server/sinks/sink-windows.ts';
import { startWindowExport, type WindowExport } from '../../../server/sinks/window-export.ts';
import { createWindowSinkMetrics } from '../../../server/sinks/window-metrics.ts';
import { BASE, HOUR, WINDOW_MS, windowFolded, writeWindows } from '../../harness/continuous-windows.ts';
import { startFakePyroscope, type FakePyroscope } from '../../harness/fake-pyroscope.ts';
import { workDir } from '../../harness/temp-dirs.ts';

const PODS = ['web-1', 'web-2'];

interface Setup {
  windows: WindowStore;
  exporter: WindowExport;
  fake: FakePyroscope;
  clock: { now: number };
  registry: Registry;
}

async function setup(t: TestContext, sink: Partial<SinkConfig>, now: number): Promise<Setup> {
  const fake = await startFakePyroscope(t);
  const watched = watchRemovals(filesystemWindows(await workDir(t, 'sink-windows')));
  const clock = { now };
  const registry = new Registry();
  const config: SinkConfig = {
    name: 'pyro',
    type: 'pyroscope',
    url: `${fake.url}/base`,
    recordings: 'named',
    continuous: true,
    format: 'folded',
    timeoutSeconds: 5,
    ...sink,
  };
  const exporter =
    startWindowExport({
      sinks: [config],
      settings: {
        ...DEFAULT_SINK_DELIVERY,
        initialBackoffSeconds: 10,
        maxBackoffSeconds: 60,
        concurrency: 1,
      },
      windows: watched.store,
      onWindowsRemoved: (listener) => watched.onRemoved(listener),
      frequency: 19,
      send: sendPush,
      now: () => clock.now,
      random: () => 0.5,
      metrics: createWindowSinkMetrics(registry, ['pyro']),
      everyMs: 3_600_000, // passes run when the test says
      batch: 4,
    }) ?? assert.fail('a continuous sink starts the export');
  t.after(() => exporter.stop());
  return { windows: watched.store, exporter, fake, clock, registry };
}

const windowKeys = (fake: FakePyroscope): string[] =>
  fake.requests.map((r) => String(r.headers['x-furnace-window']));

async function metric(registry: Registry, name: string, labels = ''): Promise<number> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{sink="pyro"${labels}}`));
  return Number(line?.split(' ').at(-1));
}

describe('continuous windows pushed to a sink (fake Pyroscope)', () => {
  it('sends each window once, as Pyroscope’s ingest API takes it: folded, its range, labels, tenant, key', async (t) => {
    const now = BASE + 2 * 60_000;
    const s = await setup(t, { tenant: 'team-a', namespaces: ['shop'] }, now);
    await writeWindows(s.windows, PODS, BASE, 8);
    await s.windows.put(`other/2026112010/${BASE}~${BASE + WINDOW_MS}~node-1~x~app~Pod~x`, 'x;y 1\n');
    await s.exporter.passNow();
    assert.equal(s.fake.requests.length, 16, 'two pods × 8 windows, none of namespace other');
    const first = s.fake.requests[0] ?? assert.fail();
    assert.equal(first.method, 'POST');
    assert.equal(first.path, '/base/ingest');
    const key = String(first.headers['x-furnace-window']);
    const meta = parseWindowKey(key) ?? assert.fail(`a window key: ${key}`);
    assert.equal(meta.start, BASE, 'oldest first');
    assert.deepEqual(Object.fromEntries(first.query), {
      name: `web.cpu{namespace=shop,pod=${meta.pod},container=app,node=node-1,service_name=web}`,
      from: String(BASE / 1000),
      until: String(BASE / 1000 + 15),
      format: 'folded',
      sampleRate: '19',
    });
    assert.equal(first.headers['x-scope-orgid'], 'team-a');
    assert.equal(first.headers['content-type'], 'text/plain; charset=utf-8');
    assert.equal(first.body.toString('utf8'), windowFolded(meta.pod, 0));
    for (const request of s.fake.requests)
      assert.equal(
        request.body.toString('utf8'),
        await s.windows.get(String(request.headers['x-furnace-window'])),
      );
    s.clock.now += 60_000;
    await s.exporter.passNow();
    assert.equal(s.fake.requests.length, 16, 'none twice');
    assert.equal(new Set(windowKeys(s.fake)).size, 16);
    assert.equal(await metric(s.registry, 'furnace_sink_window_pushes_total', ',result="delivered"'), 16);
    const stored = JSON.parse((await s.windows.readState(stateName('pyro'))) ?? '{}') as { cursor: number };
    assert.equal(stored.cursor, s.clock.now - 600_000, 'the cursor is written into the window store');
  });

  it('sends a window’s pprof as its body with format pprof', async (t) => {
    const s = await setup(t, { format: 'pprof' }, BASE + 60_000);
    await writeWindows(s.windows, ['web-1'], BASE, 2);
    await s.exporter.passNow();
    assert.equal(s.fake.requests.length, 2);
    for (const request of s.fake.requests) {
      assert.equal(request.query.get('format'), 'pprof');
      assert.equal(request.headers['content-type'], 'application/octet-stream');
      const pprof = await s.windows.getProfile(String(request.headers['x-furnace-window']));
      assert.ok(pprof && pprof.equals(request.body), 'the stored profile.pb.gz, byte for byte');
    }
  });

  it('a sink down while windows arrive gets each of them once when it returns; the state stays small', async (t) => {
    const s = await setup(t, {}, BASE + 30_000);
    s.fake.answer = (_request, response) => response.writeHead(503).end('restarting');
    const sizes: number[] = [];
    // 20 minutes down, a window per pod every 15 s, a pass every 15 s.
    for (let i = 0; i < 80; i++) {
      await writeWindows(s.windows, PODS, BASE + i * WINDOW_MS, 1);
      s.clock.now = BASE + (i + 1) * WINDOW_MS + 5000;
      await s.exporter.passNow();
      sizes.push(s.exporter.state('pyro')?.settled.length ?? 0);
    }
    const attempts = s.fake.requests.length;
    assert.ok(attempts < 80, `backed off: ${attempts} attempts in 80 passes`);
    assert.equal(s.exporter.state('pyro')?.cursor, BASE, 'held at the first window owed');
    assert.ok(
      s.fake.requests.every(
        (r) => r.headers['x-furnace-window'] === s.fake.requests[0]?.headers['x-furnace-window'],
      ),
      'only the oldest window is tried while the sink is down',
    );
    s.fake.answer = (_request, response) => response.writeHead(200).end();
    s.clock.now += 60_000; // past the longest backoff
    s.fake.requests.length = 0;
    await s.exporter.passNow();
    const keys = windowKeys(s.fake);
    t.diagnostic(
      `state keys per pass while down: max ${Math.max(...sizes)}; after: ${s.exporter.state('pyro')?.settled.length}; ${attempts} attempts while down`,
    );
    assert.equal(keys.length, 160, 'every window once');
    assert.equal(new Set(keys).size, 160);
    assert.ok(Math.max(...sizes) === 0, 'nothing remembered while nothing was pushed');
    assert.ok((s.exporter.state('pyro')?.settled.length ?? 0) <= 2 * (600_000 / WINDOW_MS));
  });

  it('counts the windows compaction merged before they were pushed as dropped, and pushes the rest', async (t) => {
    const s = await setup(t, {}, BASE + 60_000);
    s.fake.answer = (_request, response) => response.writeHead(503).end();
    await writeWindows(s.windows, ['web-1'], BASE, 8);
    await s.exporter.passNow();
    assert.ok((s.exporter.state('pyro')?.cursor ?? Infinity) <= BASE);
    // Down for three hours: compaction merges the first hour's windows into a 1-minute one.
    s.clock.now = BASE + 3 * HOUR;
    await writeWindows(s.windows, ['web-1'], s.clock.now - 60_000, 2);
    await compactWindows({
      windows: s.windows,
      levels: [{ resolution: 60, afterMs: HOUR }],
      frequency: 19,
      now: s.clock.now,
    });
    assert.equal(await metric(s.registry, 'furnace_sink_windows_dropped_total'), 8);
    s.fake.answer = (_request, response) => response.writeHead(200).end();
    s.fake.requests.length = 0;
    await s.exporter.passNow();
    assert.equal(s.fake.requests.length, 2, 'only the two windows still in the store, no compacted one');
    assert.ok(windowKeys(s.fake).every((key) => parseWindowKey(key)?.resolution === undefined));
    assert.equal(await metric(s.registry, 'furnace_sink_windows_dropped_total'), 8, 'counted once');
  });

  it('a new leader takes up the state the old one wrote: every window once across the change', async (t) => {
    const fake = await startFakePyroscope(t);
    const store = filesystemWindows(await workDir(t, 'sink-windows-leaders'));
    const clock = { now: BASE + 60_000 };
    let leader: 'a' | 'b' = 'a';
    const replica = (name: 'a' | 'b'): WindowExport => {
      const exporter =
        startWindowExport({
          sinks: [
            {
              name: 'pyro',
              type: 'pyroscope',
              url: fake.url,
              recordings: 'named',
              continuous: true,
              format: 'folded',
              timeoutSeconds: 5,
            },
          ],
          settings: DEFAULT_SINK_DELIVERY,
          windows: store,
          frequency: 19,
          send: sendPush,
          now: () => clock.now,
          isLeader: () => leader === name,
          everyMs: 3_600_000,
          batch: 4,
        }) ?? assert.fail();
      t.after(() => exporter.stop());
      return exporter;
    };
    const [a, b] = [replica('a'), replica('b')];
    await writeWindows(store, PODS, BASE, 4);
    await Promise.all([a.passNow(), b.passNow()]);
    assert.equal(fake.requests.length, 8, 'only the leader pushed');
    assert.equal(b.state('pyro'), undefined, 'the follower holds no state');
    leader = 'b';
    clock.now += 60_000;
    await writeWindows(store, PODS, BASE + 4 * WINDOW_MS, 4);
    await Promise.all([a.passNow(), b.passNow()]);
    const keys = windowKeys(fake);
    assert.equal(keys.length, 16);
    assert.equal(new Set(keys).size, 16, 'none twice after the change');
    assert.equal(a.state('pyro'), undefined, 'the old leader dropped its copy');
  });
});
