// Two server replicas (their apps, each with its own registry and catalog) and one pod: a start through
// replica B while a recording started through A runs is refused 409, naming the pod and the recording,
// and never reaches the recorder; once the recording's finished state reaches B (an upload), B frees the
// slots A took, and the next start through B goes on. A keyed start whose replica died before the
// recorder answered is taken over by its retry through B, which sends the recorder the key (hashed with
// the user), so a recorder that began it answers that recording. The slots are Leases on the real API server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import { createLeaseSlots } from '../../server/slots/lease-slots.ts';
import { startKeyOf } from '../../server/proxy/start-key.ts';
import {
  buildFixture,
  registerSidecar,
  startFakeSidecar,
  type FixtureOptions,
} from '../app/server/server-fixture.ts';
import { recordingStatus } from '../harness/recording-status.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';

const { kc } = await useCluster();
const request = createKubeRequest(kc);

function replicaOptions(namespace: string, identity: string): FixtureOptions {
  return {
    sharedSlots: (now) =>
      createLeaseSlots({
        leases: createLeaseClient(request, namespace),
        identity,
        slotSeconds: 30,
        now,
        log: { warn: () => undefined },
      }),
  };
}

describe('start slots of two server replicas', () => {
  it('refuses a start through B while A’s recording of the pod runs, until B sees it finish', async (t) => {
    const namespace = await createNamespace(kc);
    const a = await buildFixture(t, replicaOptions(namespace, 'replica-a'));
    const b = await buildFixture(t, replicaOptions(namespace, 'replica-b'));
    const sidecar = await startFakeSidecar(t);
    registerSidecar(a, 'team-a', 'web-1', sidecar.port);
    const { uploadToken } = registerSidecar(b, 'team-a', 'web-1', sidecar.port);
    const start = (f: typeof a) =>
      f.app.inject({ method: 'POST', url: '/proxy/team-a/web-1/recordings', payload: {} });

    const first = await start(a);
    assert.equal(first.statusCode, 201, first.body);
    const id = first.json<{ id: string }>().id;
    const refused = await start(b);
    assert.equal(refused.statusCode, 409, refused.body);
    const body = refused.json<{ code: string; message: string }>();
    assert.equal(body.code, 'ERR_RECORDING_RUNNING');
    assert.match(body.message, new RegExp(`pod team-a/web-1 already runs recording ${id}`));
    assert.equal(
      sidecar.requests.filter((r) => r.method === 'POST').length,
      1,
      'B sent nothing to the recorder',
    );

    // The recorder uploads the finished state through B (a load balancer's choice).
    const done = await b.recorder.inject({
      method: 'PUT',
      url: `/api/v1/recordings/${id}`,
      headers: { authorization: `Bearer ${uploadToken}` },
      payload: recordingStatus(id, { state: 'done', endedAt: '2026-03-01T12:00:05Z' }),
    });
    assert.equal(done.statusCode, 200, done.body);
    // B frees the slots in the background; the next start through B goes on once it has.
    let again = await start(b);
    for (let i = 0; again.statusCode === 409 && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      again = await start(b);
    }
    assert.equal(again.statusCode, 201, again.body);
  });

  it('lets the retry of a keyed start through B go on after the replica that took its slot died', async (t) => {
    const namespace = await createNamespace(kc);
    const b = await buildFixture(t, replicaOptions(namespace, 'replica-b'));
    const sidecar = await startFakeSidecar(t);
    registerSidecar(b, 'team-a', 'web-2', sidecar.port);
    // Replica A took the pod's slots for the start with this key, sent it on and died before the answer.
    const key = 'retry-after-a-died';
    const hashed = startKeyOf(key, 'anonymous') ?? '';
    const dead = createLeaseSlots({
      leases: createLeaseClient(request, namespace),
      identity: 'replica-a',
      slotSeconds: 30,
      now: () => Date.now(),
      log: { warn: () => undefined },
    });
    const took = await dead.take({
      namespace: 'team-a',
      pod: 'web-2',
      startedBy: 'anonymous',
      startKey: hashed,
      maxPerNamespace: 5,
      maxPerCluster: 10,
    });
    assert.ok(took.taken);
    await dead.stop();
    const start = (headers: Record<string, string>) =>
      b.app.inject({ method: 'POST', url: '/proxy/team-a/web-2/recordings', payload: {}, headers });

    const otherKey = await start({ 'idempotency-key': 'another-start' });
    assert.equal(otherKey.statusCode, 409, 'another start is refused while the slot holds');
    const retried = await start({ 'idempotency-key': key });
    assert.equal(retried.statusCode, 201, retried.body);
    const sent = sidecar.requests.filter((r) => r.method === 'POST');
    assert.equal(sent.length, 1, 'only the retry reached the recorder');
    assert.equal(
      sent[0]?.headers['idempotency-key'],
      hashed,
      'with the key hashed with the user, not as the caller sent it',
    );
  });
});
