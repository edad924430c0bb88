// A real node runs the test application as a user's cluster would: a Deployment of the hot program's image
// on a real kubelet, containerd and runc; kubectl logs and exec reach its containers through the kubelet; its
// cgroup has the kubelet's kubepods/<qos>/pod<uid>/<container> layout; and a privileged perf container in the
// same pod (shareProcessNamespace) sees the program and samples its hot function.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../harness/eventually.ts';
import { HOT_APP_IMAGE, PERF_IMAGE, buildHotAppImage, buildPerfImage } from '../harness/node/test-images.ts';
import { useNode } from '../harness/node/use-node.ts';

const node = await useNode();
const namespace = `node-pods-${randomBytes(3).toString('hex')}`;

interface PodJson {
  metadata: { name: string; uid: string };
  spec: { nodeName?: string };
  status: { phase?: string; containerStatuses?: { name: string; containerID?: string; ready: boolean }[] };
}

const app = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'hot', namespace },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'hot' } },
    template: {
      metadata: { labels: { app: 'hot' } },
      spec: {
        shareProcessNamespace: true,
        containers: [
          {
            name: 'app',
            image: HOT_APP_IMAGE,
            imagePullPolicy: 'Never',
            resources: { requests: { cpu: '10m' } },
          },
          {
            name: 'perf',
            image: PERF_IMAGE,
            imagePullPolicy: 'Never',
            securityContext: { privileged: true },
            env: [{ name: 'HOME', value: '/tmp' }],
            volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: {} }],
      },
    },
  },
};

async function appPod(): Promise<PodJson> {
  const list = JSON.parse(
    await node.kubectl(['get', 'pods', '-n', namespace, '-l', 'app=hot', '-o', 'json']),
  ) as {
    items: PodJson[];
  };
  const pod = list.items[0];
  if (!pod) throw new Error(`no pod of the Deployment in ${namespace}`);
  return pod;
}

function containerId(pod: PodJson, name: string): string {
  const id = pod.status.containerStatuses
    ?.find((c) => c.name === name)
    ?.containerID?.replace('containerd://', '');
  if (!id) throw new Error(`container ${name} of ${pod.metadata.name} has no ID`);
  return id;
}

describe('a real node', () => {
  let pod: PodJson;

  let dir = '';
  after(async () => {
    await node.kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'furnace-node-images-'));
    await node.importImage(await buildHotAppImage(dir));
    await node.importImage(await buildPerfImage(dir));
    await node.kubectl(['create', 'namespace', namespace]);
    await node.kubectl(['apply', '-f', '-'], JSON.stringify(app));
    await node.kubectl(['rollout', 'status', '-n', namespace, 'deployment/hot', '--timeout=120s']);
    pod = await appPod();
  });

  it('is Ready and runs the Deployment pod on it', async () => {
    const ready = await node.kubectl([
      'get',
      'node',
      node.nodeName,
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    assert.equal(ready, 'True');
    assert.equal(pod.spec.nodeName, node.nodeName);
    assert.equal(pod.status.phase, 'Running');
    assert.ok(pod.status.containerStatuses?.every((c) => c.ready));
  });

  it('answers kubectl logs and kubectl exec through the kubelet', async () => {
    const name = 'perf-version';
    await node.kubectl([
      'run',
      name,
      '-n',
      namespace,
      `--image=${PERF_IMAGE}`,
      '--image-pull-policy=Never',
      '--restart=Never',
      '--command',
      '--',
      '/usr/bin/perf',
      '--version',
    ]);
    await eventually(
      async () =>
        (await node.kubectl(['get', 'pod', name, '-n', namespace, '-o', 'jsonpath={.status.phase}'])) ===
        'Succeeded'
          ? true
          : undefined,
      60_000,
      `pod ${name} to finish`,
    );
    assert.match(await node.kubectl(['logs', '-n', namespace, name]), /^perf version \d/);
    const uname = await node.kubectl([
      'exec',
      '-n',
      namespace,
      pod.metadata.name,
      '-c',
      'perf',
      '--',
      '/usr/bin/perf',
      '--version',
    ]);
    assert.match(uname, /^perf version \d/);
  });

  it('puts the app container in the kubelet pod cgroup layout', async () => {
    const id = containerId(pod, 'app');
    const pid = await node.containerPid(id);
    const cgroups = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    const memory = cgroups
      .split('\n')
      .find((l) => /^\d+:memory:/.test(l))
      ?.split(':')[2];
    const uid = pod.metadata.uid;
    assert.equal(memory, `${node.cgroupRoot}/kubepods/burstable/pod${uid}/${id}`);
  });

  it('lets a privileged container of the pod record the app with perf and find its hot function', async () => {
    const hostPid = await node.containerPid(containerId(pod, 'app'));
    const status = await readFile(`/proc/${hostPid}/status`, 'utf8');
    const podPid = status
      .match(/^NSpid:\s+(.*)$/m)?.[1]
      ?.trim()
      .split(/\s+/)
      .at(-1);
    assert.ok(podPid, 'the app has a PID in the pod PID namespace');
    const exec = (args: string[]) =>
      node.kubectl(['exec', '-n', namespace, pod.metadata.name, '-c', 'perf', '--', ...args]);
    await exec([
      '/usr/bin/perf',
      'record',
      '-e',
      'cpu-clock',
      '-F',
      '199',
      '-p',
      podPid,
      '-o',
      '/tmp/perf.data',
      '--',
      '/usr/bin/sleep',
      '3',
    ]);
    const report = await exec([
      '/usr/bin/perf',
      'report',
      '-i',
      '/tmp/perf.data',
      '--stdio',
      '--sort',
      'sym',
    ]);
    const share = (fn: string) => Number(new RegExp(`([\\d.]+)%.*\\b${fn}\\b`).exec(report)?.[1] ?? 0);
    assert.ok(
      share('furnace_heavy') > share('furnace_light'),
      `furnace_heavy above furnace_light in:\n${report}`,
    );
    assert.ok(share('furnace_heavy') > 50, `furnace_heavy has most samples:\n${report}`);
  });
});
