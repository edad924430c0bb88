// The README walk's install (readme-walk-simulated.test.ts): `kubectl apply -k deploy/overlays/kubernetes`, the
// operator as a process with its own service account's token, `deploy/samples/furnace.yaml`, and the server
// as a process on what the operator made; what the walk keeps of it, and the server's restart on a new
// configuration (agent mode), as the Deployment's config hash restarts it in a cluster.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { reserveAggregatedAddress } from '../harness/aggregated-api.ts';
import type { ControlPlane } from '../harness/control-plane.ts';
import { eventually } from '../harness/eventually.ts';
import { httpsCall } from '../harness/http.ts';
import { writeKubeconfig } from '../harness/kubeconfig-files.ts';
import { startOperatedServer, type OperatedServerOptions } from '../harness/operated-server.ts';
import { freePort } from '../harness/ports.ts';
import type { RunningProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { conditionOf, startOperator, waitForFurnace } from './operator-fixture.ts';
import { FURNACE_NAMESPACE as NS, kubectl, pointServiceAt, recorderAddress } from './readme-walk-fixture.ts';

export interface Walk {
  t: TestContext;
  cp: ControlPlane;
  kc: KubeConfig;
  dir: string;
  base: string;
  ca: string;
  /** The Service host in the injected FURNACE_SERVER_URL → the recorder listener's address. */
  hosts: Record<string, string>;
  server: OperatedServerOptions;
  /** The server process now running (agent mode restarts it). */
  running: RunningProcess;
}

export function call(walk: Walk, path: string, token: string) {
  return httpsCall(`${walk.base}${path}`, walk.ca, { headers: { authorization: `Bearer ${token}` } });
}

/** README: kubectl apply -k …, wait for the CRDs; the operator as its own service account; the sample Furnace. */
export async function install(
  t: TestContext,
  { cp, kc }: { cp: ControlPlane; kc: KubeConfig },
  dir: string,
): Promise<Walk> {
  await kubectl(cp, ['apply', '-k', join(PROJECT_ROOT, 'deploy/overlays/kubernetes')]);
  await kubectl(cp, ['wait', '--for=condition=Established', 'crd/furnaces.furnace.hyperfoil.io']);
  const operatorToken = (await kubectl(cp, ['create', 'token', 'furnace-operator', '-n', NS])).trim();
  const tokenPath = join(dir, 'operator-token');
  await writeFile(tokenPath, operatorToken, { mode: 0o600 });
  const address = await reserveAggregatedAddress(t);
  const [userPort, webhookPort] = [await freePort(), await freePort()];
  startOperator(t, cp, NS, {
    KUBECONFIG: await writeKubeconfig(cp, join(dir, 'operator.kubeconfig'), { token: operatorToken }),
    FURNACE_OPERATOR_SERVER_ADDRESS: `127.0.0.1:${userPort}`,
    FURNACE_OPERATOR_WEBHOOK_URL: `https://localhost:${webhookPort}/mutate`,
    FURNACE_OPERATOR_EXTRA_DNS_NAMES: 'localhost',
    FURNACE_OPERATOR_SERVER_URL: `https://localhost:${userPort}`,
    FURNACE_OPERATOR_TOKEN_PATH: tokenPath,
  });
  await kubectl(cp, ['apply', '-f', join(PROJECT_ROOT, 'deploy/samples/furnace.yaml')]);
  await waitForFurnace(
    cp,
    NS,
    (f) => conditionOf(f, 'WebhookReady')?.status === 'True',
    'the certificate and the webhook configuration',
  );
  const injection = parse(
    (await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ namespace: NS, name: 'furnace-config' }))
      .data?.['injection.yaml'] ?? '',
  ) as { serverUrl: string };
  const recorder = new URL(injection.serverUrl);
  const recorderHost = recorderAddress();
  const server: OperatedServerOptions = {
    namespace: NS,
    dir: join(dir, 'server'),
    user: { host: '0.0.0.0', port: userPort },
    recorder: { host: recorderHost, port: Number(recorder.port) },
    webhook: { host: '127.0.0.1', port: webhookPort },
    kubeconfigPath: cp.kubeconfigPath,
  };
  const started = await startOperatedServer(t, kc, server);
  await pointServiceAt(kc, {
    namespace: NS,
    service: 'furnace-api',
    portName: 'user',
    address,
    port: userPort,
  });
  await waitForFurnace(cp, NS, (f) => conditionOf(f, 'Ready')?.status === 'True', 'Ready', 90_000);
  const shown = await kubectl(cp, ['get', 'furnace', '-n', NS]);
  assert.match(shown, /^furnace\s+True\s+https:\/\/furnace-api\.furnace\.svc:8080\s/m, shown);
  const apiService = 'apiservice/v1alpha1.profiling.furnace.hyperfoil.io';
  await kubectl(cp, ['wait', '--for=condition=Available', '--timeout=60s', apiService]);
  return {
    t,
    cp,
    kc,
    dir,
    base: `https://localhost:${userPort}`,
    ca: started.caPem,
    hosts: { [recorder.hostname]: recorderHost },
    server,
    running: started.process,
  };
}

/** Until the user's pod list from the server has the pod (its recorder registered), in that mode. */
export function registered(walk: Walk, token: string, namespace: string, pod: string, mode: string) {
  return eventually(
    async () => {
      const answer = await call(walk, '/api/v1/sidecars', token);
      const items = (
        JSON.parse(answer.body) as { items?: { namespace: string; pod: string; mode: string }[] }
      ).items;
      return items?.some((i) => i.namespace === namespace && i.pod === pod && i.mode === mode) || undefined;
    },
    60_000,
    `${namespace}/${pod} registered (${mode})`,
    250,
  );
}

/** The server again on the operator's new configuration (the catalog stays: same directory). */
export async function restartServer(walk: Walk) {
  const { kc } = walk;
  const core = kc.makeApiClient(CoreV1Api);
  await eventually(
    async () => {
      const map = await core.readNamespacedConfigMap({ namespace: NS, name: 'furnace-config' });
      const config = parse(map.data?.['config.yaml'] ?? '') as { agent?: { enabled?: boolean } };
      return config.agent?.enabled === true || undefined;
    },
    30_000,
    'agent mode in the server configuration',
  );
  await walk.running.stop();
  walk.running = (await startOperatedServer(walk.t, kc, walk.server)).process;
  await eventually(
    async () => ((await httpsCall(`${walk.base}/readyz`, walk.ca, {})).status === 200 ? true : undefined),
    60_000,
    'the server on its new configuration to be ready',
    250,
  );
}
