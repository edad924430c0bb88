// Pods on the real node reach each other, Services by their cluster DNS names, and the node; nothing else.
// A pod's packet to the machine's default-route gateway or to a TEST-NET address is dropped by the node's
// FORWARD rule (its counter says so) and never answered.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../harness/eventually.ts';
import { run } from '../harness/processes.ts';
import { droppedPackets } from '../harness/node/pod-network.ts';
import { BUSYBOX_IMAGE, buildBusyboxImage } from '../harness/node/test-images.ts';
import { useNode } from '../harness/node/use-node.ts';

const node = await useNode();
const namespace = `node-isolation-${randomBytes(3).toString('hex')}`;

function pod(name: string, args: string[], labels: Record<string, string> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE, imagePullPolicy: 'Never', args }],
    },
  };
}

const server = pod(
  'web',
  ['sh', '-c', 'mkdir -p /www && echo furnace-web > /www/index.html && httpd -f -p 8080 -h /www'],
  {
    app: 'web',
  },
);
const client = pod('client', ['sleep', '3600']);
const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
};

/** Runs busybox in the client pod; resolves with its output or rejects with its error. */
function inClient(args: string[]): Promise<string> {
  return node.kubectl(['exec', '-n', namespace, 'client', '--', '/bin/busybox', ...args]);
}

/**
 * An HTTP/1.0 GET with busybox nc from the client pod (busybox's wget, static glibc in a scratch image,
 * crashes on its name-service lookups; nc to an address makes none).
 */
function httpGet(address: string, port: number | string): Promise<string> {
  const request = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 5 ${address} ${port}`;
  return inClient(['sh', '-c', request]);
}

/**
 * The address cluster DNS gives a name, looked up from the client pod with busybox nslookup. busybox asks
 * once over UDP, where a resolver of a real program asks again: a first query to a Service address can be
 * lost while its conntrack entry is made, so the lookup is repeated, as that resolver would, for 30 s.
 */
async function resolve(name: string): Promise<string> {
  return eventually(
    async () => {
      const answer = await inClient(['nslookup', name]).catch((error: unknown) => String(error));
      return [...answer.matchAll(/^Address: (\d+\.\d+\.\d+\.\d+)$/gm)].at(-1)?.[1];
    },
    30_000,
    `an address for ${name} from cluster DNS`,
    1000,
  );
}

async function defaultGateway(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'route', 'show', 'default']);
  const gateway = /via (\S+)/.exec(stdout)?.[1];
  if (!gateway) throw new Error(`this machine has no IPv4 default gateway: ${stdout}`);
  return gateway;
}

describe('pod network isolation on the real node', () => {
  let webIp = '';

  let dir = '';
  after(async () => {
    await node.kubectl(['delete', 'namespace', namespace, '--wait=false']);
    await rm(dir, { recursive: true, force: true });
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'furnace-node-busybox-'));
    await node.importImage(await buildBusyboxImage(dir));
    await node.kubectl(['create', 'namespace', namespace]);
    await node.kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [server, client, service] }),
    );
    await node.kubectl([
      'wait',
      '-n',
      namespace,
      '--for=condition=Ready',
      'pod/web',
      'pod/client',
      '--timeout=120s',
    ]);
    webIp = await node.kubectl(['get', 'pod', 'web', '-n', namespace, '-o', 'jsonpath={.status.podIP}']);
  });

  it('reaches another pod by its address', async () => {
    assert.match(await httpGet(webIp, 8080), /\r?\n\r?\nfurnace-web\n$/);
  });

  it('reaches a Service by its cluster DNS name', async () => {
    const serviceIp = await node.kubectl([
      'get',
      'service',
      'web',
      '-n',
      namespace,
      '-o',
      'jsonpath={.spec.clusterIP}',
    ]);
    assert.equal(await resolve(`web.${namespace}.svc.cluster.local`), serviceIp);
    // The first connection to a Service address can meet its rules still being written (kube-proxy's
    // sync) or a lost first packet, as the lookup can: a client connects again, so does the test, for 30 s.
    const page = await eventually(
      () => httpGet(serviceIp, 80).then((answer) => (/furnace-web\n$/.test(answer) ? answer : undefined)),
      30_000,
      `the web page through Service ${serviceIp}`,
      1000,
    );
    assert.match(page, /\r?\n\r?\nfurnace-web\n$/);
  });

  it('reaches the node', async () => {
    // The API server listens on the node's address (TLS); plain HTTP gets Go's 400 answer.
    const port = new URL(node.kubeConfig().getCurrentCluster()?.server ?? '').port;
    assert.match(await httpGet(node.nodeIp, port), /^HTTP\/1\.0 400 Bad Request/);
  });

  for (const [label, address] of [
    ['the machine default-route gateway', defaultGateway],
    ['a TEST-NET-3 address', () => Promise.resolve('203.0.113.7')],
  ] as const) {
    it(`cannot reach ${label}: the node's FORWARD rule drops the packets`, async () => {
      const target = await address();
      const droppedBefore = await droppedPackets(node);
      const outcome = await inClient(['nc', '-w', '3', target, '80']).then(
        () => 'connected',
        (error: Error) => error.message,
      );
      assert.notEqual(outcome, 'connected');
      const forwarding = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
      assert.ok(
        (await droppedPackets(node)) > droppedBefore,
        `no packet to ${target} was counted by the DROP rule (ip_forward is ${forwarding}; at 0 the kernel drops them before FORWARD)`,
      );
    });
  }
});
