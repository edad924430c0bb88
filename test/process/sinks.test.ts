// Sinks against receivers on loopback: a fake OTLP receiver (test/fixtures/otlp-check in serve mode: the
// official OTLP Go bindings decode and check each push; not the Collector) and a fake Pyroscope (a Node
// HTTP server named as a fake), with a real server process whose catalog receives recordings as a
// sidecar uploads them. Asserted: the exact request Pyroscope's server API documents, what the OTLP
// receiver decoded, one push per recording and sink, and the delivery state on the catalog entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../core/contract/recording.ts';
import { exportProfile } from '../../core/export/profile-exports.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { mergedExportMeta } from '../../server/catalog/merged-export-meta.ts';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { startFakePyroscope } from '../harness/fake-pyroscope.ts';
import { startOtlpReceiver } from '../harness/otlp-receiver.ts';
import { registerRecorder, uploadFinished } from '../harness/recorder-uploads.ts';
import { SINK_TEST_SECRET, sinkServer } from '../harness/sink-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

const FOLDED = 'app;main;work 7\napp;main;rest 3\n';
const STARTED_AT = '2026-11-23T06:00:00.000Z';

describe('sinks: a finished recording pushed to OTLP and Pyroscope receivers', () => {
  it('sends each sink the documented request once and shows delivered on the entry', async (t) => {
    const dir = await tempDir(t, 'furnace-sinks-');
    const otlp = await startOtlpReceiver(t);
    const pyroscope = await startFakePyroscope(t);
    const server = await sinkServer(t, dir, {
      sinks: [
        { name: 'collector', type: 'otlp', url: otlp.url },
        {
          name: 'pyroscope',
          type: 'pyroscope',
          url: `${pyroscope.url}/base/`,
          tenant: 'team-a',
          application: 'shop',
        },
        { name: 'folded', type: 'pyroscope', url: pyroscope.url, format: 'folded', recordings: 'named' },
      ],
    });
    server.start();
    await server.ready();
    const link = await registerRecorder(server.recorderUrl, SINK_TEST_SECRET);
    await uploadFinished(
      link,
      {
        id: 'rec-named',
        folded: FOLDED,
        startedAt: STARTED_AT,
        durationSeconds: 5,
        params: { sinks: ['folded'] },
      },
      HOSTNAME,
    );
    await uploadFinished(
      link,
      { id: 'rec-plain', folded: FOLDED, startedAt: STARTED_AT, durationSeconds: 5 },
      HOSTNAME,
    );

    const delivered = async (id: string, sinks: string[]) => {
      const entry = await server.entry(id);
      const states = Object.fromEntries((entry.deliveries ?? []).map((d) => [d.sink, d.state]));
      return sinks.every((s) => states[s] === 'delivered') ? entry : undefined;
    };
    const named = await eventually(
      () => delivered('rec-named', ['collector', 'pyroscope', 'folded']),
      60_000,
      'rec-named delivered',
    );
    const plain = await eventually(
      () => delivered('rec-plain', ['collector', 'pyroscope']),
      60_000,
      'rec-plain delivered',
    );
    assert.deepEqual(
      plain.deliveries?.map((d) => d.sink).sort(),
      ['collector', 'pyroscope'],
      'the named-only sink takes only recordings naming it',
    );
    for (const d of [...(named.deliveries ?? []), ...(plain.deliveries ?? [])]) assert.equal(d.attempts, 1);

    // OTLP: decoded by the official bindings, the same stacks, the pod's attributes, once per recording.
    const pushes = otlp.received();
    assert.deepEqual(pushes.map((p) => p.recordingId).sort(), ['rec-named', 'rec-plain']);
    for (const push of pushes) {
      assert.equal(push.path, '/v1development/profiles');
      assert.equal(push.contentType, 'application/x-protobuf');
      assert.deepEqual(push.report.problems, []);
      assert.equal(push.report.folded, 'app;main;rest 3\napp;main;work 7\n');
      assert.deepEqual(push.report.resource, { 'k8s.namespace.name': 'local', 'k8s.pod.name': HOSTNAME });
    }

    // Pyroscope: POST /ingest with name, from, until, format, sampleRate; tenant in X-Scope-OrgID.
    const keyed = await server.keyed();
    // The server writes the pprof it pushes from its own entry and the recording's stacks
    // (server/sinks/recording-body.ts), never the bytes the sidecar uploaded.
    const stored = await fetch(`${server.baseUrl}/api/v1/recordings/rec-plain/artifacts/stacks.folded`, {
      headers: keyed,
    });
    const pprofBody = exportProfile(
      'profile.pb.gz',
      parseFolded(await stored.text()),
      mergedExportMeta([plain as unknown as CatalogEntry]),
    );
    const byPath = (format: string) => pyroscope.requests.filter((r) => r.query.get('format') === format);
    assert.equal(byPath('pprof').length, 2);
    const from = String(Date.parse(STARTED_AT) / 1000);
    for (const request of byPath('pprof')) {
      assert.equal(request.method, 'POST');
      assert.equal(request.path, '/base/ingest');
      assert.deepEqual([...request.query.keys()], ['name', 'from', 'until', 'format', 'sampleRate']);
      assert.equal(request.query.get('name'), `shop.cpu{namespace=local,pod=${HOSTNAME}}`);
      assert.equal(request.query.get('from'), from);
      assert.equal(request.query.get('until'), String(Number(from) + 5));
      assert.equal(request.query.get('sampleRate'), '99');
      assert.equal(request.headers['x-scope-orgid'], 'team-a');
      assert.equal(request.headers['content-type'], 'application/octet-stream');
      assert.equal(request.headers.authorization, undefined);
    }
    assert.deepEqual(
      byPath('pprof').find((r) => r.headers['x-furnace-recording-id'] === 'rec-plain')?.body,
      pprofBody,
    );
    const [folded, ...more] = byPath('folded');
    assert.equal(more.length, 0);
    assert.equal(folded?.headers['x-furnace-recording-id'], 'rec-named');
    assert.equal(folded?.body.toString(), 'app;main;rest 3\napp;main;work 7\n');
    assert.equal(folded?.headers['x-scope-orgid'], undefined);
    assert.match(folded?.query.get('name') ?? '', new RegExp(`^${HOSTNAME}\\.cpu\\{namespace=local,pod=`));

    const metrics = await (await fetch(`${server.baseUrl}/metrics`, { headers: keyed })).text();
    assert.match(metrics, /furnace_sink_pushes_total\{sink="collector",result="delivered"\} 2/);
    assert.match(metrics, /furnace_sink_queue_size 0/);
  });

  it('refuses a start that names a sink the server lacks, or an address instead of a name', async (t) => {
    const dir = await tempDir(t, 'furnace-sinks-');
    const server = await sinkServer(t, dir, {
      sinks: [
        {
          name: 'team',
          type: 'pyroscope',
          url: 'http://127.0.0.1:9',
          namespaces: ['shop'],
          recordings: 'named',
        },
      ],
    });
    server.start();
    await server.ready();
    await registerRecorder(server.recorderUrl, SINK_TEST_SECRET);
    const keyed = await server.keyed();
    const start = (sinks: unknown) =>
      fetchJson<{ code: string; message: string }>(`${server.baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...keyed },
        body: JSON.stringify({ durationSeconds: 1, sinks }),
      });
    const unknown = await start(['nope']);
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /sinks\[0\] "nope" is not a sink of this server \(its sinks: team\)/);
    const address = await start(['http://169.254.169.254/']);
    assert.equal(address.status, 400);
    assert.match(address.body.message, /sinks\[0\]/);
    const namespace = await start(['team']);
    assert.equal(namespace.status, 400);
    assert.match(namespace.body.message, /does not take recordings of namespace local/);
  });
});
