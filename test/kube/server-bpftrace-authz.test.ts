// Who may run a bpftrace program, decided by the real API server's SubjectAccessReview and RBAC: a user
// bound to ClusterRole furnace-recorder records with perf and is refused bpftrace; furnace-tracer may, but
// only bound cluster-wide: the same rules granted in one namespace are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { USER_ROLE_RULES } from '../../deploy/manifests/user-roles.ts';
import { createNamespace, createUser, useCluster } from '../harness/cluster.ts';
import { bindClusterRole } from '../harness/cluster-roles.ts';
import { recordingStatus } from '../harness/recording-status.ts';
import { buildKubeServer, registerPodSidecar, serveStandInSidecar } from './server-kube-fixture.ts';

const { kc } = await useCluster();
const PROGRAM = 'profile:hz:99 { @[ustack] = count(); }';

describe('bpftrace permission against a real API server (fake sidecar on loopback)', () => {
  it('refuses bpftrace to a furnace-recorder with 403 naming recordings/bpftrace, and forwards it for a furnace-tracer', async (t) => {
    const sidecar = Fastify();
    const bodies: unknown[] = [];
    sidecar.post('/recordings', (request, reply) => {
      bodies.push(request.body);
      return reply
        .code(202)
        .send(recordingStatus(`rec-${bodies.length}`, { startedAt: new Date().toISOString() }));
    });
    const server = await buildKubeServer(t, kc, { sidecarTls: await serveStandInSidecar(t, sidecar) });
    const namespace = await createNamespace(kc, { enabled: true });
    await registerPodSidecar(server, kc, namespace);
    const users: Record<string, { token: string }> = {};
    // The rules deploy/ installs for these ClusterRoles (bound here under run-scoped names).
    for (const [user, role] of [
      ['rita', 'recorder'],
      ['tess', 'tracer'],
    ] as const) {
      users[user] = await createUser(kc, { name: user, namespace, rules: [] });
      const rules = USER_ROLE_RULES[role];
      t.after(await bindClusterRole(kc, { name: `furnace-${role}`, namespace, serviceAccount: user, rules }));
    }
    const start = (user: string, payload: object) =>
      server.app.inject({
        method: 'POST',
        url: `/proxy/${namespace}/web/recordings`,
        headers: { authorization: `Bearer ${users[user]?.token ?? ''}` },
        payload,
      });
    const bpftrace = { profiler: 'bpftrace', durationSeconds: 5, bpftrace: { program: PROGRAM } };

    assert.equal((await start('rita', { durationSeconds: 5 })).statusCode, 202, 'rita may record with perf');
    const denied = await start('rita', bpftrace);
    assert.equal(denied.statusCode, 403, denied.body);
    assert.match(
      denied.json<{ message: string }>().message,
      /may not create recordings\/bpftrace .*ClusterRole furnace-tracer/,
    );
    assert.equal(bodies.length, 1, 'the bpftrace start never reached the sidecar');

    const allowed = await start('tess', bpftrace);
    assert.equal(allowed.statusCode, 202, allowed.body);
    assert.deepEqual((bodies[1] as { bpftrace?: unknown }).bpftrace, { program: PROGRAM });

    // The tracer's rules granted in this namespace only (a Role): a bpftrace program reads the whole
    // node's kernel memory, so a namespaced grant must not be enough.
    users.nina = await createUser(kc, { name: 'nina', namespace, rules: USER_ROLE_RULES.tracer });
    const namespaced = await start('nina', bpftrace);
    assert.equal(namespaced.statusCode, 403, namespaced.body);
    assert.match(
      namespaced.json<{ message: string }>().message,
      /cluster-wide.*RoleBinding in one namespace does not grant it/,
    );
    assert.equal(bodies.length, 2, 'the namespaced tracer never reached the sidecar');
  });
});
