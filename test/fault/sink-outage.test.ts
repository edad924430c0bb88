// Faults at the sinks' side: a sink down for 2 minutes while 20 recordings finish, and the server killed
// (SIGKILL) with pushes still queued. The sink is the fake OTLP receiver (test/fixtures/otlp-check in
// serve mode: the official Go bindings decode every push; not the Collector), taken down by stopping its
// process and brought back on the same port. Recordings reach the catalog as a sidecar uploads them.
// Asserted: no recording fails, every one is delivered exactly once after the sink returns (counted by
// the receiver per recording id), and the queue stays bounded; queue sizes are printed.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../harness/eventually.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../harness/otlp-receiver.ts';
import { freePort } from '../harness/ports.ts';
import { registerRecorder, uploadFinished, type RecorderLink } from '../harness/recorder-uploads.ts';
import { SINK_TEST_SECRET, sinkServer, type SinkServer } from '../harness/sink-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from '../process/server-processes.ts';

const OUTAGE_MS = 120_000;
const RECORDINGS = 20;
const MAX_QUEUED = 100;

async function setup(t: TestContext, dir: string): Promise<{ server: SinkServer; sinkPort: number }> {
  const sinkPort = await freePort();
  const server = await sinkServer(t, dir, {
    sinks: [{ name: 'collector', type: 'otlp', url: `http://127.0.0.1:${sinkPort}`, timeoutSeconds: 5 }],
    sinkDelivery: { initialBackoffSeconds: 1, maxBackoffSeconds: 4, concurrency: 2, maxQueued: MAX_QUEUED },
  });
  return { server, sinkPort };
}

async function queueSize(server: SinkServer): Promise<number> {
  const text = await (await fetch(`${server.baseUrl}/metrics`, { headers: await server.keyed() })).text();
  return Number(/^furnace_sink_queue_size (\d+)$/m.exec(text)?.[1] ?? NaN);
}

function upload(link: RecorderLink, index: number): Promise<void> {
  const id = `outage-${String(index).padStart(2, '0')}`;
  const folded = `app;main;work ${index + 1}\napp;main;rest 3\n`;
  const startedAt = new Date(Date.now() - 5000).toISOString();
  return uploadFinished(link, { id, folded, startedAt, durationSeconds: 5 }, HOSTNAME);
}

/** Every recording delivered, and the receiver's pushes per recording id. */
async function allDelivered(
  server: SinkServer,
  receiver: OtlpReceiver,
  ids: string[],
): Promise<Map<string, number>> {
  await eventually(
    async () => {
      for (const id of ids) {
        const entry = await server.entry(id);
        if (entry.deliveries?.find((d) => d.sink === 'collector')?.state !== 'delivered') return undefined;
      }
      return true;
    },
    120_000,
    'every recording delivered',
    250,
  );
  const counts = new Map<string, number>();
  for (const push of receiver.received())
    counts.set(push.recordingId, (counts.get(push.recordingId) ?? 0) + 1);
  return counts;
}

describe('sink faults', () => {
  it('a sink down for 2 minutes while 20 recordings finish: none fails, each delivered once when it returns', async (t) => {
    const dir = await tempDir(t, 'furnace-sink-outage-');
    const { server, sinkPort } = await setup(t, dir);
    server.start();
    await server.ready();
    const downAt = Date.now();
    const sizes: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < RECORDINGS; i++) {
      // Registered again each time, as a sidecar renews its lease.
      await upload(await registerRecorder(server.recorderUrl, SINK_TEST_SECRET), i);
      ids.push(`outage-${String(i).padStart(2, '0')}`);
      await sleep(OUTAGE_MS / RECORDINGS / 2);
      sizes.push(await queueSize(server));
    }
    while (Date.now() - downAt < OUTAGE_MS) {
      await sleep(5000);
      sizes.push(await queueSize(server));
    }
    const pending = await Promise.all(ids.map((id) => server.entry(id)));
    const attempts = pending.map((e) => e.deliveries?.[0]?.attempts ?? 0);
    assert.ok(
      pending.every((e) => e.deliveries?.[0]?.state === 'pending'),
      // Each delivery's state and last error, so that a failure says which left pending and why.
      `all pending while the sink is down: ${JSON.stringify(pending.map((e) => e.deliveries?.[0] ?? null))}`,
    );
    const receiver = await startOtlpReceiver(t, `127.0.0.1:${sinkPort}`);
    const counts = await allDelivered(server, receiver, ids);
    sizes.push(await queueSize(server));
    t.diagnostic(
      `queue size during the outage: ${sizes.join(' ')} (max ${Math.max(...sizes)}, bound ${MAX_QUEUED})`,
    );
    t.diagnostic(
      `attempts before the sink returned: min ${Math.min(...attempts)}, max ${Math.max(...attempts)}`,
    );
    t.diagnostic(
      `pushes received per recording: ${[...new Set(counts.values())].join(', ')} (${counts.size} recordings)`,
    );
    assert.deepEqual([...counts.keys()].sort(), ids, 'every recording reached the sink');
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      'none twice',
    );
    assert.ok(Math.max(...sizes) <= RECORDINGS, 'the queue holds at most one push per recording');
    assert.equal(sizes.at(-1), 0, 'the queue is empty after delivery');
    for (const id of ids) assert.equal((await server.entry(id)).deliveries?.length, 1);
    assert.ok(receiver.received().every((p) => p.report.problems.length === 0));
  });

  it('the server killed (SIGKILL) with pushes queued: after a restart each is delivered once', async (t) => {
    const dir = await tempDir(t, 'furnace-sink-kill-');
    const { server, sinkPort } = await setup(t, dir);
    const first = server.start();
    await server.ready();
    const link = await registerRecorder(server.recorderUrl, SINK_TEST_SECRET);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      await upload(link, i);
      ids.push(`outage-${String(i).padStart(2, '0')}`);
    }
    await eventually(
      async () => ((await queueSize(server)) === ids.length ? true : undefined),
      30_000,
      'all queued',
    );
    await eventually(
      async () => ((await server.entry(ids[0] as string)).deliveries?.[0]?.attempts ?? 0) >= 1 || undefined,
      30_000,
      'a failed attempt',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const receiver = await startOtlpReceiver(t, `127.0.0.1:${sinkPort}`);
    server.start();
    await server.ready();
    const counts = await allDelivered(server, receiver, ids);
    t.diagnostic(
      `queued at the kill: ${ids.length}; pushes received per recording: ${[...counts.values()].join(' ')}`,
    );
    assert.deepEqual([...counts.keys()].sort(), ids);
    assert.ok(
      [...counts.values()].every((n) => n === 1),
      'none twice',
    );
    assert.equal(await queueSize(server), 0);
  });
});
