import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { finishedRecordingStatus, recordingStatus } from '../harness/recording-status.ts';
import { bearer, putStatus } from '../harness/server-calls.ts';
import { buildFixture, registerSidecar, SECRET } from '../app/server/server-fixture.ts';

async function withUpload(t: Parameters<typeof buildFixture>[0], store: StoreUnderTest) {
  const f = await buildFixture(t, { store });
  const { uploadToken: token } = await f.registerLocal(4000);
  const put = (id: string, overrides = {}, auth = token) =>
    f.recorder.inject({
      method: 'PUT',
      url: `/api/v1/recordings/${id}`,
      headers: { authorization: `Bearer ${auth}` },
      payload: {
        ...recordingStatus(id, { state: 'done', endedAt: '2026-03-01T12:00:05Z', ...overrides }),
        namespace: 'ignored',
        pod: 'ignored',
      },
    });
  const upload = (id: string, name: string, body: string | Buffer, auth = token) =>
    f.recorder.inject({
      method: 'PUT',
      url: `/api/v1/recordings/${id}/artifacts/${name}`,
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'image/svg+xml' },
      payload: body,
    });
  return { f, token, put, upload };
}

export function serverCatalogSuite(store: StoreUnderTest): void {
  describe(`server catalog (${store.name} store)`, () => {
    it('takes metadata from the registered sidecar under its own namespace and pod', async (t) => {
      const { f, put } = await withUpload(t, store);
      const response = await put('rec-1');
      assert.equal(response.statusCode, 200, response.body);
      const entry = response.json<{ namespace: string; pod: string; state: string }>();
      assert.deepEqual([entry.namespace, entry.pod, entry.state], ['local', 'test-host', 'done']);
      const read = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-1' });
      assert.equal(read.json<{ id: string }>().id, 'rec-1');
    });

    it('refuses uploads without an upload token (401) and from another sidecar (403)', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      assert.equal((await put('rec-1', {}, 'nope')).statusCode, 401);
      assert.equal((await put('rec-1', {}, SECRET)).statusCode, 401);
      assert.equal((await put('rec-1')).statusCode, 200);
      const other = registerSidecar(f, 'local', 'other', 1);
      assert.equal((await put('rec-1', {}, other.uploadToken)).statusCode, 403);
      assert.equal((await upload('rec-1', 'flamegraph.svg', '<svg/>', other.uploadToken)).statusCode, 403);
    });

    it('refuses the proxy token for uploads: whoever sees server-to-sidecar traffic cannot write the catalog', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      const { proxyToken } = await f.registerLocal(4000);
      const refused = await put('rec-1', {}, proxyToken);
      assert.equal(refused.statusCode, 401, refused.body);
      assert.match(refused.json<{ message: string }>().message, /upload token/);
      assert.equal((await upload('rec-1', 'flamegraph.svg', '<svg/>', proxyToken)).statusCode, 401);
      assert.equal(f.catalog.get('rec-1'), undefined, 'nothing was catalogued');
    });

    it('refuses a body whose id differs from the path, and bad states', async (t) => {
      const { f, token } = await withUpload(t, store);
      const mismatch = await f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/recordings/rec-1',
        headers: { authorization: `Bearer ${token}` },
        payload: recordingStatus('rec-2'),
      });
      assert.equal(mismatch.statusCode, 400);
      const badState = await f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/recordings/rec-1',
        headers: { authorization: `Bearer ${token}` },
        payload: { ...recordingStatus('rec-1'), state: 'exploded' },
      });
      assert.equal(badState.statusCode, 400);
    });

    it('stores an artifact and serves it with its content type and as an attachment', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      await put('rec-1');
      const stored = await upload('rec-1', 'flamegraph.svg', '<svg>hot_loop</svg>');
      assert.equal(stored.statusCode, 201, stored.body);
      const download = await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings/rec-1/artifacts/flamegraph.svg',
      });
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-type'], 'image/svg+xml');
      assert.equal(download.headers['content-disposition'], 'attachment; filename="rec-1-flamegraph.svg"');
      assert.equal(download.body, '<svg>hot_loop</svg>');
      const entry = (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-1' })).json<{
        artifacts: unknown[];
      }>();
      assert.deepEqual(entry.artifacts, [{ name: 'flamegraph.svg', bytes: 19 }]);
      const audit = f.logLines().find((line) => line.audit)?.audit as { action: string; artifact: string };
      assert.deepEqual([audit.action, audit.artifact], ['download', 'flamegraph.svg']);
    });

    it('keeps a pprof recording’s profile.pb.gz byte for byte, with the profiler that ran, and serves it as gzip', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      const params = { ...recordingStatus('p').params, profiler: 'auto' as const };
      assert.equal((await put('rec-pprof', { profiler: 'pprof', params })).statusCode, 200);
      const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00, 0x01]);
      assert.equal((await upload('rec-pprof', 'profile.pb.gz', gzip)).statusCode, 201);
      const download = await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings/rec-pprof/artifacts/profile.pb.gz',
        // A browser's or fetch's accept-encoding: the file must still arrive as the gzip file it is.
        headers: { 'accept-encoding': 'gzip, deflate, br' },
      });
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-type'], 'application/gzip');
      assert.equal(download.headers['content-encoding'], undefined);
      assert.deepEqual(download.rawPayload, gzip);
      const entry = (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-pprof' })).json<{
        profiler?: string;
      }>();
      assert.equal(entry.profiler, 'pprof');
    });

    it('sends the gzipped flame tree gzip-encoded to a client that takes gzip (the same bytes), as a file otherwise', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      await put('rec-1');
      const file = gzipSync('the tree');
      assert.equal((await upload('rec-1', 'flame-tree.bin.gz', file)).statusCode, 201);
      const url = '/api/v1/recordings/rec-1/artifacts/flame-tree.bin.gz';
      const encoded = await f.app.inject({ url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
      assert.equal(encoded.headers['content-encoding'], 'gzip');
      assert.equal(encoded.headers['content-type'], 'application/octet-stream');
      assert.deepEqual(encoded.rawPayload, file);
      const plain = await f.app.inject({ url, headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(plain.headers['content-type'], 'application/gzip');
      assert.deepEqual(plain.rawPayload, file);
      const svg = await f.app.inject({
        url: '/api/v1/recordings/rec-1/artifacts/flamegraph.svg',
        headers: { 'accept-encoding': 'gzip' },
      });
      assert.equal(svg.headers['content-encoding'], undefined, 'other downloads are unchanged');
    });

    it('refuses artifact names outside the fixed set with 400', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      await put('rec-1');
      assert.equal((await upload('rec-1', '..%2F..%2Fetc%2Fpasswd', 'x')).statusCode, 400);
      assert.equal((await upload('rec-1', 'notes.txt', 'x')).statusCode, 400);
      const get = await f.app.inject({
        method: 'GET',
        url: '/api/v1/recordings/rec-1/artifacts/..%2F..%2Fetc%2Fpasswd',
      });
      assert.equal(get.statusCode, 400);
    });

    it('answers 404 for unknown recordings and artifacts not uploaded', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      assert.equal((await f.app.inject({ method: 'GET', url: '/api/v1/recordings/nope' })).statusCode, 404);
      assert.equal((await upload('nope', 'flamegraph.svg', 'x')).statusCode, 404);
      await put('rec-1');
      assert.equal(
        (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-1/artifacts/perf.data' }))
          .statusCode,
        404,
      );
    });

    it('keeps the warnings of a final status PUT after the artifacts, and the artifacts with them', async (t) => {
      const { f, put, upload } = await withUpload(t, store);
      assert.equal((await put('rec-1')).statusCode, 200);
      assert.equal((await upload('rec-1', 'flamegraph.svg', '<svg/>')).statusCode, 201);
      const warning = 'perf.data was not kept: 74 MB over the 8 KB limit (maxArtifactBytes)';
      assert.equal((await put('rec-1', { warnings: [warning] })).statusCode, 200);
      const entry = (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-1' })).json<{
        warnings?: string[];
        artifacts: { name: string }[];
      }>();
      assert.deepEqual(entry.warnings, [warning]);
      assert.deepEqual(
        entry.artifacts.map((a) => a.name),
        ['flamegraph.svg'],
      );
    });

    it('caps artifact size at maxArtifactBytes with 413', async (t) => {
      const f = await buildFixture(t, { store, limits: { maxArtifactBytes: 1000 } });
      const { uploadToken: token } = await f.registerLocal(4000);
      await putStatus(f.recorder, token, finishedRecordingStatus('rec-1'));
      const response = await f.recorder.inject({
        method: 'PUT',
        url: '/api/v1/recordings/rec-1/artifacts/perf.data',
        headers: { authorization: `Bearer ${token}` },
        payload: Buffer.alloc(5000),
      });
      assert.equal(response.statusCode, 413);
    });

    it('holds uploads to the namespace limit: namespaceLimits.<ns>.maxArtifactBytes over the global one', async (t) => {
      const f = await buildFixture(t, {
        store,
        limits: { maxArtifactBytes: 10_000 },
        namespaceLimits: { small: { maxArtifactBytes: 1000 } },
      });
      const uploadIn = async (namespace: string) => {
        const { uploadToken } = registerSidecar(f, namespace, 'web-0', 1);
        const id = `rec-${namespace}`;
        const put = await putStatus(f.recorder, uploadToken, finishedRecordingStatus(id));
        assert.equal(put.statusCode, 200, put.body);
        return f.recorder.inject({
          method: 'PUT',
          url: `/api/v1/recordings/${id}/artifacts/perf.data`,
          headers: bearer(uploadToken),
          payload: Buffer.alloc(5000),
        });
      };
      const refused = await uploadIn('small');
      assert.equal(refused.statusCode, 413);
      const body = refused.json<{ code: string; message: string; details: Record<string, unknown> }>();
      assert.equal(body.code, 'ERR_PAYLOAD_TOO_LARGE');
      assert.match(body.message, /limit of 1000 bytes \(maxArtifactBytes\)/);
      assert.deepEqual(body.details, { field: 'maxArtifactBytes', limit: 1000 });
      const accepted = await uploadIn('big');
      assert.equal(accepted.statusCode, 201, accepted.body);
      assert.deepEqual(accepted.json(), { name: 'perf.data', bytes: 5000 });
      const listed = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/rec-small' });
      assert.deepEqual(
        listed.json<{ artifacts: unknown[] }>().artifacts,
        [],
        'the refused upload left nothing',
      );
    });

    it('lists with filters and pages, and deletes', async (t) => {
      const { f, put } = await withUpload(t, store);
      for (let i = 1; i <= 5; i++) await put(`rec-${i}`, { startedAt: `2026-02-0${i}T00:00:00Z` });
      const first = await f.app.inject({ method: 'GET', url: '/api/v1/recordings?limit=2' });
      const page = first.json<{ items: { id: string }[]; continue: string }>();
      assert.deepEqual(
        page.items.map((e) => e.id),
        ['rec-5', 'rec-4'],
      );
      const next = await f.app.inject({
        method: 'GET',
        url: `/api/v1/recordings?limit=2&continue=${page.continue}`,
      });
      assert.deepEqual(
        next.json<{ items: { id: string }[] }>().items.map((e) => e.id),
        ['rec-3', 'rec-2'],
      );
      assert.equal(
        (await f.app.inject({ method: 'GET', url: '/api/v1/recordings?namespace=other' })).json<{
          items: [];
        }>().items.length,
        0,
      );
      assert.equal(
        (await f.app.inject({ method: 'GET', url: '/api/v1/recordings?pod=test-host' })).json<{ items: [] }>()
          .items.length,
        5,
      );
      assert.equal(
        (await f.app.inject({ method: 'GET', url: '/api/v1/recordings?limit=0' })).statusCode,
        400,
      );
      assert.equal(
        (await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/rec-1' })).statusCode,
        204,
      );
      assert.equal(
        (await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/rec-1' })).statusCode,
        404,
      );
      assert.equal(
        (await f.app.inject({ method: 'GET', url: '/api/v1/recordings' })).json<{ items: [] }>().items.length,
        4,
      );
    });
  });
}
