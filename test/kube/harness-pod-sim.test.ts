// Proves the pod simulation: containers share one new PID namespace, get the environment and the projected
// token their spec asks for, and carry the kubelet-style mount that names their container.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { getControlPlane } from '../harness/control-plane.ts';
import { createNamespace, deleteRunObjects, reviewToken } from '../harness/cluster.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import type { SimulatedPod } from '../harness/pod-sim.ts';
import { eventually } from '../harness/eventually.ts';
import { isAlive } from '../harness/processes.ts';
import { CGROUP2_ROOT } from '../harness/pod-cgroups.ts';
import { access, readFile } from 'node:fs/promises';

const REPORT = [
  'echo "pid=$$"',
  `echo "procs=$(ls /proc | grep -c '^[0-9]')"`,
  'echo "name=$MY_POD_NAME ip=$MY_POD_IP uid=$MY_POD_UID greeting=$GREETING"',
  `echo "token=$(cat /var/run/furnace-test/token)"`,
  `grep -o '/pods/[^ ]*/containers/[^ ]*' /proc/self/mountinfo | sed 's/^/mount=/'`,
  'echo done',
  'exec sleep 300',
].join('; ');

function field(log: string, key: string): string {
  const match = new RegExp(`^${key}=(.*)$`, 'm').exec(log);
  assert.ok(match, `${key}= in container output:\n${log}`);
  return match[1] ?? '';
}

let kc: KubeConfig;
let pod: SimulatedPod | undefined;

before(async () => {
  kc = (await getControlPlane()).kubeConfig();
});
after(async () => {
  await pod?.stop();
  await deleteRunObjects(kc);
});

describe('pod simulation', () => {
  it('runs a stored pod as processes in their own PID namespace with the spec environment', async () => {
    const namespace = await createNamespace(kc);
    const core = kc.makeApiClient(CoreV1Api);
    const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'sim' },
        spec: {
          shareProcessNamespace: true,
          containers: [
            { name: 'app', image: 'example/app' },
            {
              name: 'reporter',
              image: 'example/reporter',
              env: [
                fieldEnv('MY_POD_NAME', 'metadata.name'),
                fieldEnv('MY_POD_IP', 'status.podIP'),
                fieldEnv('MY_POD_UID', 'metadata.uid'),
                { name: 'GREETING', value: 'hello $(MY_POD_NAME)' },
              ],
              volumeMounts: [{ name: 'token', mountPath: '/var/run/furnace-test', readOnly: true }],
            },
          ],
          volumes: [
            {
              name: 'token',
              projected: {
                sources: [
                  { serviceAccountToken: { audience: 'furnace', expirationSeconds: 600, path: 'token' } },
                ],
              },
            },
          ],
        },
      },
    });
    pod = await simulatePod(kc, namespace, 'sim', {
      commands: { app: ['sleep', '300'], reporter: ['/bin/sh', '-c', REPORT] },
    });
    const sim = pod;
    const log = await eventually(
      async () => {
        const text = await sim.logs('reporter').catch(() => '');
        return text.includes('done') ? text : undefined;
      },
      10_000,
      'the reporter container to print its report',
    );

    const uid = sim.pod.metadata?.uid ?? '';
    assert.equal(field(log, 'name'), `sim ip=${sim.ip} uid=${uid} greeting=hello sim`);
    const nsPid = Number(field(log, 'pid'));
    const hostPid = await sim.containerPid('reporter');
    assert.ok(nsPid < 10, `PID inside the pod is small (${nsPid})`);
    assert.notEqual(nsPid, hostPid, 'the pod has its own PID namespace');
    // Its own: the two containers' processes and the report's own (the shell, the command substitution's
    // subshell, ls and grep) — a dozen at most, where the machine's /proc lists hundreds.
    assert.ok(
      Number(field(log, 'procs')) <= 12,
      `the pod sees only its own processes (${field(log, 'procs')})`,
    );
    assert.equal(field(log, 'mount'), `/pods/${uid}/containers/reporter/0`);
    assert.notEqual(await sim.containerPid('app'), hostPid);

    const review = await reviewToken(kc, field(log, 'token'), ['furnace']);
    assert.equal(review.authenticated, true);
    assert.deepEqual(review.user?.extra?.['authentication.kubernetes.io/pod-name'], ['sim']);
    assert.deepEqual(review.user?.extra?.['authentication.kubernetes.io/pod-uid'], [uid]);

    const stored = await core.readNamespacedPod({ namespace, name: 'sim' });
    assert.equal(stored.status?.podIP, sim.ip);
    assert.ok(stored.spec?.nodeName, 'bound to the simulated node');

    const pids = await sim.hostPids();
    await sim.stop();
    pod = undefined;
    assert.deepEqual(pids.filter(isAlive), [], 'stop() leaves no process of the pod behind');
  });

  it('puts each container in its own containerd cgroup and lists the container IDs in the status', async () => {
    const namespace = await createNamespace(kc);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'cg' },
        spec: {
          containers: [
            { name: 'one', image: 'example/one' },
            { name: 'two', image: 'example/two' },
          ],
        },
      },
    });
    for (const driver of ['systemd', 'cgroupfs'] as const) {
      const sim = await simulatePod(kc, namespace, 'cg', {
        commands: { one: ['sleep', '300'], two: ['sleep', '300'] },
        cgroupDriver: driver,
      });
      pod = sim;
      const uid = sim.pod.metadata?.uid ?? '';
      const stored = await core.readNamespacedPod({ namespace, name: 'cg' });
      const statuses = Object.fromEntries(
        (stored.status?.containerStatuses ?? []).map((s) => [s.name, s.containerID]),
      );
      const ids = sim.containerIds;
      assert.match(ids.one ?? '', /^[0-9a-f]{64}$/);
      assert.notEqual(ids.one, ids.two);
      assert.deepEqual(statuses, { one: `containerd://${ids.one}`, two: `containerd://${ids.two}` });
      const lineOf = async (container: string) =>
        (await readFile(`/proc/${await sim.containerPid(container)}/cgroup`, 'utf8'))
          .split('\n')
          .find((line) => line.startsWith('0::'));
      const podPart =
        driver === 'systemd'
          ? `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice`
          : `/kubepods/besteffort/pod${uid}`;
      const leaf = (id: string | undefined) => (driver === 'systemd' ? `cri-containerd-${id}.scope` : id);
      for (const name of ['one', 'two'] as const) {
        // The container's shell forks short-lived helpers (mount) before it execs its program: wait for that.
        const expected = `0::${podPart}/${leaf(ids[name])}`;
        const line = await eventually(
          async () => ((await lineOf(name)) === expected ? expected : undefined),
          5000,
          `container ${name} in its cgroup (last seen: ${await lineOf(name)})`,
        );
        assert.equal(line, expected);
      }
      await sim.stop();
      pod = undefined;
      await assert.rejects(access(`${CGROUP2_ROOT}${podPart}`), 'stop() removes the pod cgroup');
    }
  });
});
