// A rolling update of two server replicas while the API server keeps admitting pods: HAProxy in front of
// both replicas' webhook listeners (health-checked on /readyz, and leaving a draining replica's
// connections alone, as a Service's endpoints do), the generated MutatingWebhookConfiguration pointing at
// it with both replicas' CAs, and pods created through the real API server without pause while each
// replica in turn gets SIGTERM (by PID), drains for `shutdown.drainSeconds` (5, what the operator sets
// with several replicas), exits and is started again. Asserted, as a user of the cluster would check:
// every create succeeded and every pod that opted in got the sidecar (the webhook's failurePolicy would
// otherwise refuse the create or, with Ignore, let the pod through without one). With drainSeconds 0 the
// same run let 2 of 142 pods through without the sidecar.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { startHaproxy, troubledConnections } from '../harness/haproxy.ts';
import { replicaReady, startReplicas, type ReplicaServer } from '../harness/replica-servers.ts';
import { hasSidecar, registerScopedWebhook, testPod, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { KUBE_SIDECAR_IMAGE } from './server-kube-fixture.ts';

const { cp, kc } = await useCluster();
const core = kc.makeApiClient(CoreV1Api);

/** Pods created per second during the rollout. */
const CREATES_PER_SECOND = 5;

interface Creates {
  created: number;
  withoutSidecar: string[];
  failed: string[];
}

/** Creates opted-in pods in `namespace` at CREATES_PER_SECOND until `done` says stop. */
async function createPods(namespace: string, done: () => boolean): Promise<Creates> {
  const result: Creates = { created: 0, withoutSidecar: [], failed: [] };
  const inFlight: Promise<void>[] = [];
  for (let index = 0; !done(); index++) {
    const name = `roll-${index}-${randomBytes(2).toString('hex')}`;
    inFlight.push(
      core
        .createNamespacedPod({ namespace, body: testPod(name, { labels: { furnace: 'enabled' } }) })
        .then((pod) => {
          result.created++;
          if (!hasSidecar(pod))
            result.withoutSidecar.push(`${name} (created at ${new Date().toISOString()})`);
        })
        .catch((error: unknown) => {
          const body = (error as { body?: unknown }).body;
          result.failed.push(`${name}: ${typeof body === 'string' ? body.slice(0, 300) : String(error)}`);
        }),
    );
    await sleep(1000 / CREATES_PER_SECOND);
  }
  await Promise.all(inFlight);
  return result;
}

/** SIGTERM (by PID), wait for the exit, start again, wait until ready; the other replica serves meanwhile. */
async function roll(replica: ReplicaServer): Promise<void> {
  process.kill(replica.process.pid, 'SIGTERM');
  await replica.process.exited;
  replica.restart();
  await replicaReady(replica);
}

describe('a rolling update of two replicas while pods are admitted', () => {
  it('admits every pod with its sidecar while each replica in turn drains and restarts', async (t) => {
    const leases = await createNamespace(kc, { prefix: 'furnace' });
    const replicas = await startReplicas(t, {
      kubeconfigPath: cp.kubeconfigPath,
      namespace: leases,
      env: { FURNACE_INJECT_IMAGE: KUBE_SIDECAR_IMAGE },
      extra: { shutdown: { drainSeconds: 5 } },
    });
    const haproxy = await startHaproxy(t, [
      {
        name: 'webhook',
        servers: replicas.map((r) => ({ name: r.name, port: r.webhookPort, readyPort: r.port })),
      },
    ]);
    const webhook = await registerScopedWebhook(
      t,
      kc,
      {
        webhookUrl: `https://127.0.0.1:${haproxy.ports.webhook}/mutate`,
        certs: { caPem: replicas.map((r) => r.certs.caPem).join('\n') },
      },
      'furnace-rollout',
    );
    const namespace = await webhook.namespace();
    await waitUntilInjecting(kc, namespace);

    let rolled = false;
    const creating = createPods(namespace, () => rolled);
    await sleep(2000);
    const rolls: string[] = [];
    for (const replica of replicas) {
      const began = new Date().toISOString();
      await roll(replica);
      rolls.push(`${replica.name} from ${began} to ${new Date().toISOString()}`);
    }
    await sleep(2000);
    rolled = true;
    const creates = await creating;

    process.stdout.write(
      `rollout: ${creates.created} pods created, ${creates.failed.length} creates failed, ${creates.withoutSidecar.length} admitted without the sidecar\n`,
    );
    assert.ok(creates.created >= 20, `pods were created throughout the rollout (${creates.created})`);
    assert.deepEqual(creates.failed, [], 'no create failed');
    assert.deepEqual(
      creates.withoutSidecar,
      [],
      `every opted-in pod got the sidecar (rolled ${rolls.join(', ')}); connections HAProxy saw end badly:\n${troubledConnections(haproxy).join('\n')}`,
    );
  });
});
