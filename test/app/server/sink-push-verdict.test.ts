// A recording a rollout watch compared carries the watch's verdict on its version as a label of its pushes:
// furnace_regression in Pyroscope's series name and the pprof samples, furnace.regression among the OTLP
// resource attributes. Real catalog, delivery loop and HTTP pushes to a loopback sink; the Recordings come
// from a fake API server's list (the app tier has none), read through the server's watched-recordings reader.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, it, type TestContext } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { ExportProfilesServiceRequestSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { DEFAULT_SINK_DELIVERY, type SinkConfig } from '../../../core/sinks/sink.ts';
import { openCatalog } from '../../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../../server/catalog/retention.ts';
import { READ_EVERY_MS, watchedRecordings } from '../../../server/regressions/watched-recordings.ts';
import { sendPush } from '../../../server/sinks/push-http.ts';
import { startSinkDelivery, VERDICT_WAIT_MS } from '../../../server/sinks/sink-delivery.ts';
import { openDiskSinkQueue } from '../../../server/sinks/sink-queue.ts';
import { eventually } from '../../harness/eventually.ts';
import { portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const owner = { namespace: 'shop', pod: 'web-7d9f8c6b5-x2k4q', podUid: 'uid-1' };

interface Sink {
  url: string;
  pushes: { url: URL; body: Buffer }[];
}

async function sinkServer(t: TestContext): Promise<Sink> {
  const pushes: Sink['pushes'] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      pushes.push({ url: new URL(request.url ?? '/', 'http://sink'), body: Buffer.concat(chunks) });
      response.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${portOf(server)}`, pushes };
}

/** The Recording `web-rollouts` while it records version v2 (rec-1 done, not compared yet), or after. */
function rolloutRecording(compared: boolean): object {
  const v1 = {
    version: 'v1',
    recordedAt: '2026-11-26T05:00:00Z',
    recordings: [{ pod: 'web-old', recordingId: 'rec-0' }],
    samples: 900,
  };
  const v2 = {
    version: 'v2',
    recordedAt: '2026-11-26T05:10:00Z',
    recordings: [{ pod: owner.pod, recordingId: 'rec-1' }],
    samples: 950,
  };
  return {
    metadata: { namespace: 'shop', name: 'web-rollouts' },
    spec: { durationSeconds: 10, watch: { kind: 'Deployment', name: 'web' } },
    status: {
      results: [{ pod: owner.pod, recordingId: 'rec-1', state: 'done' }],
      watch: {
        recording: 'v2',
        versions: compared ? [v2, v1] : [v1],
        comparisons: compared ? [{ from: 'v1', to: 'v2', verdict: 'regressed', changes: [] }] : [],
      },
    },
  };
}

async function setUp(t: TestContext) {
  const dir = await tempDir(t, 'furnace-sink-verdict-');
  const catalog = await openCatalog({
    dataDir: join(dir, 'data'),
    now: Date.now,
    retention: DEFAULT_RETENTION,
  });
  t.after(() => catalog.close());
  await catalog.putMetadata(finishedRecordingStatus('rec-1', { artifacts: ['stacks.folded'] }), owner);
  await catalog.putArtifact(
    'rec-1',
    'stacks.folded',
    Readable.from([Buffer.from('main;work 7\nmain;idle 3\n')]),
    { owner, maxBytes: 1 << 20 },
  );
  const sink = await sinkServer(t);
  const base = { recordings: 'all', continuous: false, timeoutSeconds: 5 } as const;
  const sinks: SinkConfig[] = [
    { ...base, name: 'collector', type: 'otlp', url: sink.url, format: 'pprof' },
    { ...base, name: 'pyroscope', type: 'pyroscope', url: sink.url, format: 'pprof' },
  ];
  const state = { now: Date.now(), compared: false, lists: 0 };
  const watched = watchedRecordings({
    listRecordings: () => {
      state.lists += 1;
      return Promise.resolve([rolloutRecording(state.compared)]);
    },
    now: () => state.now,
    log: { warn: () => undefined },
  });
  const loop = startSinkDelivery({
    sinks,
    settings: DEFAULT_SINK_DELIVERY,
    queue: await openDiskSinkQueue({ dir: join(dir, 'queue'), maxQueued: 10 }),
    catalog,
    send: sendPush,
    now: () => state.now,
    verdictOf: (id) => watched.verdictOf(id),
  });
  t.after(() => loop.stop());
  return { sink, state, loop };
}

function otlpRegression(body: Buffer): string | undefined {
  const request = fromBinary(ExportProfilesServiceRequestSchema, body);
  const attribute = (request.resourceProfiles[0]?.resource?.attributes ?? []).find(
    (a) => a.key === 'furnace.regression',
  );
  return attribute?.value?.value.case === 'stringValue' ? attribute.value.value.value : undefined;
}

describe('a rollout watch’s verdict on pushed profiles (Recordings from a fake API server)', () => {
  it('waits while the watch compares, then labels every push with the verdict', async (t) => {
    const { sink, state, loop } = await setUp(t);
    await loop.consider('rec-1');
    await eventually(
      () => Promise.resolve(state.lists > 0 || undefined),
      10_000,
      'the Recordings to be listed',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(sink.pushes.length, 0, 'nothing pushed while the version is not compared');

    state.compared = true;
    state.now += READ_EVERY_MS;
    loop.kick();
    await eventually(() => Promise.resolve(sink.pushes.length === 2 || undefined), 10_000, 'both pushes');
    const pyroscope = sink.pushes.find((p) => p.url.pathname === '/ingest');
    assert.match(pyroscope?.url.searchParams.get('name') ?? '', /,furnace_regression=regressed\}$/);
    const pprof = gunzipSync(pyroscope?.body ?? Buffer.alloc(0));
    assert.ok(pprof.includes('furnace_regression') && pprof.includes('regressed'), 'a pprof label');
    const otlp = sink.pushes.find((p) => p.url.pathname === '/v1development/profiles');
    assert.equal(otlpRegression(otlp?.body ?? Buffer.alloc(0)), 'regressed');
  });

  it('pushes without the label once the verdict is VERDICT_WAIT_MS late', async (t) => {
    const { sink, state, loop } = await setUp(t);
    await loop.consider('rec-1');
    await eventually(
      () => Promise.resolve(state.lists > 0 || undefined),
      10_000,
      'the Recordings to be listed',
    );
    state.now += VERDICT_WAIT_MS;
    loop.kick();
    await eventually(() => Promise.resolve(sink.pushes.length === 2 || undefined), 10_000, 'both pushes');
    const pyroscope = sink.pushes.find((p) => p.url.pathname === '/ingest');
    assert.doesNotMatch(pyroscope?.url.searchParams.get('name') ?? '', /furnace_regression/);
    assert.ok(!gunzipSync(pyroscope?.body ?? Buffer.alloc(0)).includes('furnace_regression'));
    const otlp = sink.pushes.find((p) => p.url.pathname === '/v1development/profiles');
    assert.equal(otlpRegression(otlp?.body ?? Buffer.alloc(0)), undefined);
  });
});
