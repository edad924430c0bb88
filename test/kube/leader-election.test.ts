// Leader election against the real API server: candidates are processes (test/harness/lease-candidate.ts)
// campaigning for one Lease; the one that leads runs the chores, a killed leader (SIGKILL: its renewals
// just stop) is replaced within the lease duration, a stopped one (SIGTERM) hands over at once, and a
// leader whose Lease someone else took stops its chores. Also the operator process: of two, one runs
// the controllers.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { OPERATOR_LEADER_LEASE } from '../../operator/leadership.ts';
import { createKubeRequest } from '../../kube/kube-request.ts';
import { createLeaseClient } from '../../kube/leases/lease-client.ts';
import { microTime } from '../../kube/leases/lease-record.ts';
import { createNamespace, useCluster } from '../harness/cluster.ts';
import { eventually } from '../harness/eventually.ts';
import { startFurnace, type RunningProcess } from '../harness/processes.ts';

const { cp, kc } = await useCluster();
const leases = kc.makeApiClient(CoordinationV1Api);

/** Short enough for a test: a dead leader is replaced within about three seconds. */
const CANDIDATE_TIMING = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 1 };
const CHORE_EVERY_MS = 200;

function candidate(t: TestContext, namespace: string, identity: string): RunningProcess {
  return startFurnace(t, ['test/harness/lease-candidate.ts'], {
    KUBECONFIG: cp.kubeconfigPath,
    LEASE_NAMESPACE: namespace,
    LEASE_NAME: 'chores',
    LEASE_IDENTITY: identity,
    LEASE_TIMING: JSON.stringify(CANDIDATE_TIMING),
    CHORE_EVERY_MS: String(CHORE_EVERY_MS),
  });
}

const choreRuns = (p: RunningProcess, identity: string): number =>
  p
    .output()
    .split('\n')
    .filter((line) => line === `chore ${identity}`).length;
const lines = (p: RunningProcess, line: string): number =>
  p
    .output()
    .split('\n')
    .filter((l) => l === line).length;

async function holderOf(namespace: string, name = 'chores'): Promise<string | undefined> {
  const lease = await leases.readNamespacedLease({ namespace, name });
  return lease.spec?.holderIdentity || undefined;
}

/** Waits until `p` has run its chore `more` more times than it had. */
async function moreRuns(p: RunningProcess, identity: string, more: number): Promise<void> {
  const target = choreRuns(p, identity) + more;
  await eventually(
    () => Promise.resolve(choreRuns(p, identity) >= target ? true : undefined),
    30_000,
    `${identity} running its chore ${more} more times`,
  );
}

/** The whole lease duration, two rounds of the new candidate and a margin for a loaded machine. */
const TAKE_OVER_MS =
  (CANDIDATE_TIMING.leaseDurationSeconds + 2 * CANDIDATE_TIMING.retryPeriodSeconds * 1.2) * 1000;
const MARGIN_MS = 5000;

describe('leader election on a Lease', () => {
  it('one candidate runs the chores; a killed leader is replaced within the lease duration', async (t) => {
    const namespace = await createNamespace(kc);
    const a = candidate(t, namespace, 'a');
    await eventually(() => Promise.resolve(lines(a, 'leading') > 0 || undefined), 30_000, 'a leading');
    const b = candidate(t, namespace, 'b');
    await eventually(() => Promise.resolve(lines(b, 'started') > 0 || undefined), 30_000, 'b started');
    await moreRuns(a, 'a', 10);
    assert.equal(choreRuns(b, 'b'), 0, 'the follower ran no chore while a led');
    assert.equal(await holderOf(namespace), 'a');

    const runsOfA = choreRuns(a, 'a');
    a.child.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    await eventually(
      () => Promise.resolve(lines(b, 'leading') > 0 || undefined),
      TAKE_OVER_MS + MARGIN_MS,
      'b taking over',
    );
    const tookMs = Date.now() - killedAt;
    process.stdout.write(
      `# take-over after SIGKILL: ${tookMs} ms (lease ${CANDIDATE_TIMING.leaseDurationSeconds} s)\n`,
    );
    assert.equal(await holderOf(namespace), 'b');
    await moreRuns(b, 'b', 5);
    assert.equal(choreRuns(a, 'a'), runsOfA, 'the killed leader ran nothing more');
    const lease = await leases.readNamespacedLease({ namespace, name: 'chores' });
    assert.equal(lease.spec?.leaseTransitions, 1);
  });

  it('a stopped leader releases the Lease and the next candidate takes it at its next round', async (t) => {
    const namespace = await createNamespace(kc);
    const a = candidate(t, namespace, 'a');
    await eventually(() => Promise.resolve(lines(a, 'leading') > 0 || undefined), 30_000, 'a leading');
    const b = candidate(t, namespace, 'b');
    await eventually(() => Promise.resolve(lines(b, 'started') > 0 || undefined), 30_000, 'b started');
    assert.equal(await a.stop(), 0);
    assert.match(a.output(), /^released$/m);
    await eventually(() => Promise.resolve(lines(b, 'leading') > 0 || undefined), 30_000, 'b taking over');
    assert.equal(await holderOf(namespace), 'b');
    await moreRuns(b, 'b', 3);
  });

  it('a leader whose Lease another holder took stops its chores', async (t) => {
    const namespace = await createNamespace(kc);
    const a = candidate(t, namespace, 'a');
    await eventually(() => Promise.resolve(lines(a, 'leading') > 0 || undefined), 30_000, 'a leading');
    await moreRuns(a, 'a', 3);
    // Someone else writes the Lease (as a candidate that took it over would): a must step down.
    const ours = createLeaseClient(createKubeRequest(kc), namespace);
    const lease = await ours.get('chores');
    assert.ok(lease);
    const taken = await ours.replace({
      ...lease,
      holder: 'intruder',
      durationSeconds: 3600,
      renewTime: microTime(Date.now()),
    });
    assert.notEqual(taken, 'conflict');
    await eventually(
      () => Promise.resolve(lines(a, 'following') > 0 || undefined),
      30_000,
      'a stepping down',
    );
    const runs = choreRuns(a, 'a');
    // Several chore periods later a still ran nothing (the intruder's long lease keeps it following).
    await new Promise((resolve) => setTimeout(resolve, 5 * CHORE_EVERY_MS));
    assert.equal(choreRuns(a, 'a'), runs);
    assert.equal(await holderOf(namespace), 'intruder');
  });
});

describe('the operator elects its leader', () => {
  it('of two operator processes one runs the controllers; the other takes over when it dies', async (t) => {
    const namespace = await createNamespace(kc);
    const env = {
      KUBECONFIG: cp.kubeconfigPath,
      FURNACE_OPERATOR_PLATFORM: 'kubernetes',
      FURNACE_OPERATOR_NAMESPACE: namespace,
    };
    const first = startFurnace(t, ['operator/main.ts'], env);
    await eventually(
      () => Promise.resolve(/controllers started/.test(first.output()) || undefined),
      60_000,
      'the first operator leading',
    );
    const second = startFurnace(t, ['operator/main.ts'], env);
    await eventually(
      () => Promise.resolve(/operator started/.test(second.output()) || undefined),
      60_000,
      'the second operator started',
    );
    const holder = await holderOf(namespace, OPERATOR_LEADER_LEASE);
    assert.ok(holder, 'the operator holds its Lease');
    assert.doesNotMatch(second.output(), /controllers started/);
    first.child.kill('SIGKILL');
    await first.exited;
    // The default lease duration (15 s) and a margin.
    await eventually(
      () => Promise.resolve(/controllers started/.test(second.output()) || undefined),
      40_000,
      'the second operator taking over',
    );
    assert.notEqual(await holderOf(namespace, OPERATOR_LEADER_LEASE), holder);
  });
});
