import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import Fastify from 'fastify';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { finishedRecordingStatus, recordingStatus } from '../harness/recording-status.ts';
import { buildKubeServer, registerPodSidecar, serveStandInSidecar } from './server-kube-fixture.ts';
import { getSidecars } from '../harness/server-calls.ts';

const { kc } = await useCluster();

async function waitForEvent(
  core: CoreV1Api,
  namespace: string,
  reason: string,
): Promise<CoreV1Event | undefined> {
  for (let i = 0; i < 50; i++) {
    const events = await core.listNamespacedEvent({ namespace });
    const found = events.items.find((event) => event.reason === reason);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Finished just now, so that the catalog's retention keeps it. */
function finishedNow(id: string) {
  const now = new Date().toISOString();
  return finishedRecordingStatus(id, { startedAt: now, endedAt: now });
}

describe('server user authorization against a real API server (fake sidecar on loopback)', () => {
  it('lets a user bound by a RoleBinding record in namespace A, refuses B with 403, and shows only A', async (t) => {
    const sidecar = Fastify();
    let connections = 0;
    sidecar.addHook('onRequest', (_request, _reply, done) => {
      connections += 1;
      done();
    });
    sidecar.post('/recordings', (_request, reply) =>
      reply.code(202).send(recordingStatus('rec-a', { startedAt: new Date().toISOString() })),
    );
    const sidecarTls = await serveStandInSidecar(t, sidecar);
    const server = await buildKubeServer(t, kc, { sidecarTls });
    const nsA = await createNamespace(kc, { enabled: true });
    const nsB = await createNamespace(kc, { enabled: true });
    const uploadTokens: Record<string, string> = {};
    for (const namespace of [nsA, nsB]) {
      uploadTokens[namespace] = (await registerPodSidecar(server, kc, namespace)).uploadToken;
    }
    const alice = await createUser(kc, {
      name: 'alice',
      namespace: nsA,
      rules: [
        { apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['create', 'get', 'list'] },
      ],
    });
    const asAlice = { authorization: `Bearer ${alice.token}` };

    const sidecars = await getSidecars(server.app, asAlice);
    assert.deepEqual(
      sidecars.json<{ items: { namespace: string }[] }>().items.map((i) => i.namespace),
      [nsA],
    );

    const allowed = await server.app.inject({
      method: 'POST',
      url: `/proxy/${nsA}/web/recordings`,
      headers: asAlice,
      payload: { durationSeconds: 5 },
    });
    assert.equal(allowed.statusCode, 202, allowed.body);
    assert.equal(connections, 1);
    const core = kc.makeApiClient(CoreV1Api);
    const started = await waitForEvent(core, nsA, 'FurnaceRecordingStarted');
    assert.equal(started?.involvedObject.name, 'web');
    assert.match(started?.message ?? '', new RegExp(`rec-a started by ${alice.username}`));

    const denied = await server.app.inject({
      method: 'POST',
      url: `/proxy/${nsB}/web/recordings`,
      headers: asAlice,
      payload: { durationSeconds: 5 },
    });
    assert.equal(denied.statusCode, 403);
    assert.equal(connections, 1, 'a refused request never reaches the sidecar');

    for (const namespace of [nsA, nsB]) {
      const put = await server.recorder.inject({
        method: 'PUT',
        url: `/api/v1/recordings/rec-${namespace}`,
        headers: { authorization: `Bearer ${uploadTokens[namespace]}` },
        payload: finishedNow(`rec-${namespace}`),
      });
      assert.equal(put.statusCode, 200, put.body);
    }
    const catalog = await server.app.inject({ method: 'GET', url: '/api/v1/recordings', headers: asAlice });
    assert.deepEqual(
      catalog.json<{ items: { namespace: string }[] }>().items.map((e) => e.namespace),
      [nsA],
    );
    const other = await server.app.inject({
      method: 'GET',
      url: `/api/v1/recordings/rec-${nsB}`,
      headers: asAlice,
    });
    assert.equal(other.statusCode, 404, 'a recording alice may not get answers like a missing one');
    assert.ok(
      await waitForEvent(core, nsA, 'FurnaceRecordingFinished'),
      'an Event when the recording is catalogued as done',
    );
    const deleteOwn = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/recordings/rec-${nsA}`,
      headers: asAlice,
    });
    assert.equal(deleteOwn.statusCode, 403, 'the role does not grant delete');

    const nobody = await getSidecars(server.app, { authorization: 'Bearer not-a-token' });
    assert.equal(nobody.statusCode, 401);
  });

  it('lets only a user granted create on recordings/system-wide start a whole-node recording', async (t) => {
    const sidecar = Fastify();
    let starts = 0;
    sidecar.post('/recordings', (_request, reply) => {
      starts += 1;
      return reply.code(202).send(recordingStatus(`rec-${starts}`, { startedAt: new Date().toISOString() }));
    });
    const server = await buildKubeServer(t, kc, {
      sidecarTls: await serveStandInSidecar(t, sidecar),
      allowSystemWide: true,
    });
    const namespace = await createNamespace(kc, { enabled: true });
    await registerPodSidecar(server, kc, namespace);
    const recorder = await createUser(kc, {
      name: 'rita',
      namespace,
      rules: [{ apiGroups: ['furnace.hyperfoil.io'], resources: ['recordings'], verbs: ['create', 'get'] }],
    });
    const nodeProfiler = await createUser(kc, {
      name: 'nora',
      namespace,
      rules: [
        {
          apiGroups: ['furnace.hyperfoil.io'],
          resources: ['recordings', 'recordings/system-wide'],
          verbs: ['create', 'get'],
        },
      ],
    });
    const start = (token: string, payload: object) =>
      server.app.inject({
        method: 'POST',
        url: `/proxy/${namespace}/web/recordings`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
    assert.equal((await start(recorder.token, { durationSeconds: 5 })).statusCode, 202, 'rita may record');
    const denied = await start(recorder.token, { durationSeconds: 5, systemWide: true });
    assert.equal(denied.statusCode, 403, denied.body);
    assert.match(denied.json<{ message: string }>().message, /may not create recordings\/system-wide/);
    assert.equal(starts, 1, 'the whole-node start never reached the sidecar');
    const allowed = await start(nodeProfiler.token, { durationSeconds: 5, systemWide: true });
    assert.equal(allowed.statusCode, 202, allowed.body);
    assert.equal(starts, 2);
  });
});
