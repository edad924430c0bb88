// Three namespaces filling the whole catalog: the newest recording of each grows past its namespace's
// quota, uploads started together each take the whole remaining allowance, and an upload that never
// finishes holds its share for ever. Each namespace must stay within its own quota, so that another
// namespace can still upload.
// The suite runs on each artifact store (test/harness/catalog-stores.ts).
import type { StoreUnderTest } from '../harness/catalog-stores.ts';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ARTIFACT_NAMES } from '../../core/contract/names.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { buildFixture, registerSidecar, type Fixture } from '../app/server/server-fixture.ts';
import { bearer, putStatus } from '../harness/server-calls.ts';
import { portOf } from '../harness/ports.ts';

// A catalog scaled down: four namespaces' quotas fill the ceiling; one artifact is half a quota.
const RETENTION = { maxBytes: 4000, namespaceMaxBytes: 1000, maxCount: 40, namespaceMaxCount: 10 };
const ARTIFACT = 500;

function uploadOf(f: Fixture, token: string, id: string, name: string, body: string | PassThrough) {
  return f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${id}/artifacts/${name}`,
    headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
    payload: body,
  });
}

async function newestRecording(f: Fixture, namespace: string) {
  const { uploadToken } = registerSidecar(f, namespace, 'web', 1);
  const id = `${namespace}-1`;
  assert.equal((await putStatus(f.recorder, uploadToken, finishedRecordingStatus(id))).statusCode, 200);
  return { token: uploadToken, id };
}

function storedBytes(f: Fixture, namespace: string): number {
  return f.catalog
    .list({ namespace })
    .flatMap((entry) => entry.artifacts)
    .reduce((sum, artifact) => sum + artifact.bytes, 0);
}

export function catalogFillSuite(store: StoreUnderTest): void {
  describe(`three namespaces filling the catalog (${store.name} store)`, () => {
    it("caps a namespace's newest recording at the namespace quota, so other namespaces still fit", async (t) => {
      const f = await buildFixture(t, {
        store,
        retention: RETENTION,
        limits: { maxArtifactBytes: ARTIFACT },
      });
      for (const namespace of ['team-a', 'team-b', 'team-c']) {
        const { token, id } = await newestRecording(f, namespace);
        const statuses: number[] = [];
        for (const name of ARTIFACT_NAMES)
          statuses.push((await uploadOf(f, token, id, name, 'x'.repeat(ARTIFACT))).statusCode);
        assert.deepEqual(statuses.slice(0, 2), [201, 201]);
        assert.ok(
          statuses.slice(2).every((status) => status === 507),
          `${namespace}: ${statuses.join()}`,
        );
        assert.ok(storedBytes(f, namespace) <= RETENTION.namespaceMaxBytes);
      }
      const refused = await uploadOf(
        f,
        (await newestRecording(f, 'team-a')).token,
        'team-a-1',
        'perf.data',
        'x',
      );
      assert.match(refused.json<{ message: string }>().message, /retention\.namespaceMaxBytes/);
      const victim = await newestRecording(f, 'team-d');
      const own = await uploadOf(f, victim.token, victim.id, 'flamegraph.svg', 'x'.repeat(ARTIFACT));
      assert.equal(own.statusCode, 201, own.body);
    });

    it('reserves bytes when an upload starts: uploads started together share the quota', async (t) => {
      const f = await buildFixture(t, {
        store,
        retention: RETENTION,
        limits: { maxArtifactBytes: ARTIFACT },
      });
      const { token, id } = await newestRecording(f, 'team-a');
      const bodies = ARTIFACT_NAMES.map(() => new PassThrough());
      const answers = ARTIFACT_NAMES.map((name, i) => uploadOf(f, token, id, name, bodies[i] as PassThrough));
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const body of bodies) body.end('x'.repeat(ARTIFACT));
      const statuses = (await Promise.all(answers)).map((answer) => answer.statusCode);
      assert.equal(statuses.filter((status) => status === 201).length, 2, statuses.join());
      assert.equal(statuses.filter((status) => status === 507).length, ARTIFACT_NAMES.length - 2);
      assert.ok(storedBytes(f, 'team-a') <= RETENTION.namespaceMaxBytes);
      const victim = await newestRecording(f, 'team-b');
      assert.equal(
        (await uploadOf(f, victim.token, victim.id, 'perf.data', 'x'.repeat(ARTIFACT))).statusCode,
        201,
      );
    });

    it('ends an upload whose body stalls past the upload timeout with 408 naming it, and frees its bytes', async (t) => {
      const f = await buildFixture(t, {
        store,
        retention: RETENTION,
        limits: { maxArtifactBytes: ARTIFACT * 2 },
        uploadTimeoutSeconds: 1,
      });
      const { token, id } = await newestRecording(f, 'team-a');
      await f.recorder.listen({ host: '127.0.0.1', port: 0 });
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const upload = request({
          host: '127.0.0.1',
          port: portOf(f.recorder.server),
          method: 'PUT',
          path: `/api/v1/recordings/${id}/artifacts/perf.data`,
          headers: {
            ...bearer(token),
            'content-type': 'application/octet-stream',
            'transfer-encoding': 'chunked',
          },
        });
        const guard = setTimeout(() => {
          upload.destroy();
          reject(new Error('no answer 5 s after the upload stalled'));
        }, 5000);
        upload.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            clearTimeout(guard);
            resolve({ status: response.statusCode ?? 0, body });
          });
        });
        upload.on('error', (error) => {
          clearTimeout(guard);
          reject(error);
        });
        upload.write('x'.repeat(10)); // and never more
      });
      assert.equal(answer.status, 408, answer.body);
      assert.match(answer.body, /recorder\.uploadTimeoutSeconds/);
      const again = await uploadOf(f, token, id, 'perf.data', 'x'.repeat(ARTIFACT * 2));
      assert.equal(again.statusCode, 201, 'the stalled upload no longer holds its reservation');
    });
  });
}
