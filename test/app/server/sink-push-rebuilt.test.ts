// Issue "Edges and trust, round three", item 12: a push to a sink carried what the sidecar uploaded: its
// own OTLP resource attributes (any namespace, pod or service it liked) and, for a pprof recording, the
// target program's own profile bytes. Through the real catalog, delivery loop and HTTP push to a loopback
// sink that keeps every body: the sidecar's uploads name another tenant and other stacks, and the sinks
// get neither; they get what the server writes from its own entry and the recording's folded stacks.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { describe, it, type TestContext } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import type { ArtifactName } from '../../../core/contract/names.ts';
import { exportProfile } from '../../../core/export/profile-exports.ts';
import { ExportProfilesServiceRequestSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { DEFAULT_SINK_DELIVERY, type SinkConfig } from '../../../core/sinks/sink.ts';
import { parseFolded } from '../../../core/stacks/folded.ts';
import { openCatalog } from '../../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../../server/catalog/retention.ts';
import { sendPush } from '../../../server/sinks/push-http.ts';
import { startSinkDelivery } from '../../../server/sinks/sink-delivery.ts';
import { openDiskSinkQueue } from '../../../server/sinks/sink-queue.ts';
import { eventually } from '../../harness/eventually.ts';
import { portOf } from '../../harness/ports.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';

const owner = { namespace: 'shop', pod: 'web-7d9f8c6b5-x2k4q', podUid: 'uid-1' };
const FOLDED = 'main;serve;work 7\nmain;idle 3\n';
/** What a hostile sidecar (or target) puts in the exported profiles it uploads. */
const FORGED_META = {
  frequency: 1,
  startedAtMs: 0,
  durationMs: 1,
  subject: { namespace: 'payments', pod: 'ledger-0', service: 'ledger' },
};
const FORGED_STACKS = parseFolded('forged;frame 999\n');

async function sinkServer(t: TestContext): Promise<{ url: string; bodies: Map<string, Buffer> }> {
  const bodies = new Map<string, Buffer>();
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.set(new URL(request.url ?? '/', 'http://sink').pathname, Buffer.concat(chunks));
      response.writeHead(200).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${portOf(server)}`, bodies };
}

describe('what a recording’s push carries', () => {
  it('is written by the server from its entry and stacks, never the sidecar’s OTLP attributes or the target’s pprof bytes', async (t) => {
    const dir = await tempDir(t, 'furnace-sink-body-');
    const catalog = await openCatalog({
      dataDir: join(dir, 'data'),
      now: Date.now,
      retention: DEFAULT_RETENTION,
    });
    t.after(() => catalog.close());
    const artifacts: ArtifactName[] = ['stacks.folded', 'profile.otlp.pb', 'profile.pb.gz'];
    await catalog.putMetadata(finishedRecordingStatus('rec-1', { artifacts, profiler: 'pprof' }), owner);
    const upload = (name: string, body: string | Buffer) =>
      catalog.putArtifact('rec-1', name, Readable.from([Buffer.from(body)]), { owner, maxBytes: 1 << 20 });
    await upload('stacks.folded', FOLDED);
    await upload('profile.otlp.pb', exportProfile('profile.otlp.pb', FORGED_STACKS, FORGED_META));
    await upload('profile.pb.gz', exportProfile('profile.pb.gz', FORGED_STACKS, FORGED_META));

    const sink = await sinkServer(t);
    const base = { recordings: 'all', continuous: false, timeoutSeconds: 5 } as const;
    const sinks: SinkConfig[] = [
      { ...base, name: 'collector', type: 'otlp', url: sink.url, format: 'pprof' },
      { ...base, name: 'pyroscope', type: 'pyroscope', url: sink.url, format: 'pprof' },
    ];
    const queue = await openDiskSinkQueue({ dir: join(dir, 'queue'), maxQueued: 10 });
    const loop = startSinkDelivery({
      sinks,
      settings: DEFAULT_SINK_DELIVERY,
      queue,
      catalog,
      send: sendPush,
      now: Date.now,
    });
    t.after(() => loop.stop());
    await loop.consider('rec-1');
    await eventually(
      () => Promise.resolve(sink.bodies.size === 2 || undefined),
      10_000,
      'both sinks to be pushed',
    );

    const otlp = sink.bodies.get('/v1development/profiles') ?? Buffer.alloc(0);
    const request = fromBinary(ExportProfilesServiceRequestSchema, otlp);
    const attributes = Object.fromEntries(
      (request.resourceProfiles[0]?.resource?.attributes ?? []).map((a) => [
        a.key,
        a.value?.value.case === 'stringValue' ? a.value.value.value : undefined,
      ]),
    );
    assert.equal(attributes['k8s.namespace.name'], 'shop');
    assert.equal(attributes['k8s.pod.name'], owner.pod);
    assert.equal(attributes['service.name'], 'web');
    assert.ok(!otlp.includes('payments') && !otlp.includes('ledger'), 'none of the sidecar’s attributes');
    assert.ok(otlp.includes('work') && !otlp.includes('forged'), 'the recording’s own stacks');

    const pprof = gunzipSync(sink.bodies.get('/ingest') ?? Buffer.alloc(0));
    assert.ok(pprof.includes('shop') && pprof.includes(owner.pod), 'the entry’s namespace and pod');
    assert.ok(!pprof.includes('payments') && !pprof.includes('ledger'), 'none of the target’s labels');
    assert.ok(pprof.includes('work') && !pprof.includes('forged'), 'the recording’s own stacks');
  });
});
