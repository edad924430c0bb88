// Issue 13: `kubectl furnace record` against the real API server. The server runs on this machine,
// registered as the aggregated API profiling.furnace.hyperfoil.io/v1alpha1; the CLI runs as a process
// with a kubeconfig of a client-certificate user or a service-account token user, records a simulated
// pod whose injected sidecar is live, and writes the artifacts. Also list, download, the errors a user
// meets, and forged identity headers sent straight to the server.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import { AGGREGATED_PREFIX } from '../../core/contract/aggregated-api.ts';
import { SIDECAR_CONTAINER_NAME, TEST_RUN_LABEL } from '../../core/contract/names.ts';
import {
  AGGREGATED_SERVICE,
  AGGREGATED_RULE,
  RECORDINGS_RULE,
  registerAggregatedApi,
  reserveAggregatedAddress,
} from '../harness/aggregated-api.ts';
import { createNamespace, createUser, RUN_ID, useCluster } from '../harness/cluster.ts';
import { startClusterServer } from '../harness/cluster-server.ts';
import { writeKubeconfig } from '../harness/kubeconfig-files.ts';
import { eventually } from '../harness/eventually.ts';
import { buildHotProgram, samplesOf, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { httpsCall } from '../harness/http.ts';
import { visitKeyedUrl } from '../harness/keyed-visit.ts';
import { issueCertificate } from '../harness/pki.ts';
import { simulatePod } from '../harness/pod-sim.ts';
import { run, startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { registerScopedWebhook, waitUntilInjecting } from '../harness/scoped-webhook.ts';
import { workDir } from '../harness/temp-dirs.ts';

const { cp, kc } = await useCluster();
const SCOPE_LABEL = 'furnace-cli-scope';
const RECORDER = RECORDINGS_RULE;
const AGGREGATED = AGGREGATED_RULE;

/** A ClusterRole on the aggregated group for a user, removed after the test. */
async function bindClusterWide(t: TestContext, user: string): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `furnace-aggregated-${user}-${RUN_ID}`;
  const metadata = { name, labels: { [TEST_RUN_LABEL]: RUN_ID } };
  await rbac.createClusterRole({ body: { metadata, rules: [AGGREGATED] } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
    },
  });
  t.after(async () => {
    await rbac.deleteClusterRoleBinding({ name });
    await rbac.deleteClusterRole({ name });
  });
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node cli/bin.js ARGS` with KUBECONFIG, as `kubectl furnace ARGS` runs it. */
async function furnace(kubeconfig: string, args: string[], cwd: string): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run('node', [join(PROJECT_ROOT, 'cli', 'bin.js'), ...args], {
      cwd,
      env: { ...process.env, KUBECONFIG: kubeconfig },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A client-certificate user of the cluster CA, bound in namespace by a Role with rules. */
async function certificateUser(
  dir: string,
  namespace: string,
  name: string,
  rules: V1PolicyRule[],
): Promise<string> {
  const issued = await issueCertificate(
    dir,
    { certPath: cp.caPath, keyPath: join(cp.dir, 'pki', 'ca.key') },
    name,
    { subject: `/CN=${name}`, clientAuth: true },
  );
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const labels = { [TEST_RUN_LABEL]: RUN_ID };
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name, labels }, rules } });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name }],
    },
  });
  return writeKubeconfig(cp, join(dir, `${name}.kubeconfig`), {
    certPem: await readFile(issued.certPath, 'utf8'),
    keyPem: await readFile(issued.keyPath, 'utf8'),
  });
}

describe('kubectl furnace through the aggregated API', () => {
  it('records a live pod as a certificate user and as a token user, lists, downloads, and explains refusals', async (t) => {
    const dir = await workDir(t, 'cli-aggregated');
    const address = await reserveAggregatedAddress(t);
    const namespace = await createNamespace(kc, { enabled: true, labels: { [SCOPE_LABEL]: RUN_ID } });
    const cluster = await startClusterServer(t, dir, {
      kubeconfigPath: cp.kubeconfigPath,
      host: address,
      certificates: {
        dnsNames: [`${AGGREGATED_SERVICE}.${namespace}.svc`],
        ipAddresses: [address, '127.0.0.1'],
      },
      extra: { requestHeader: { clientCaFile: cp.frontProxyCaPath, allowedNames: ['front-proxy-client'] } },
    });
    const { base: direct, certs, process: server, port } = cluster;
    await registerAggregatedApi(t, kc, { namespace, address, port, caPem: certs.caPem });

    // The pod: injected by the real webhook (narrowed to this namespace), run by the simulated kubelet.
    await registerScopedWebhook(t, kc, cluster, SCOPE_LABEL, RUN_ID);
    await waitUntilInjecting(kc, namespace, 'the webhook configuration to take effect');
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'hot', labels: { furnace: 'enabled' } },
        spec: { containers: [{ name: 'app', image: 'registry.example/hot:1' }] },
      },
    });
    const program = await buildHotProgram(dir);
    const pod = await simulatePod(kc, namespace, 'hot', {
      commands: { app: [program, '300', String(SAMPLED_BUSY_PERCENT)] },
    });
    t.after(() => pod.stop());

    const alice = await certificateUser(dir, namespace, 'alice', [RECORDER, AGGREGATED]);
    const tokenUser = await createUser(kc, { name: 'profiler', namespace, rules: [RECORDER, AGGREGATED] });
    const bob = await writeKubeconfig(cp, join(dir, 'bob.kubeconfig'), { token: tokenUser.token });
    await eventually(
      async () =>
        (await furnace(alice, ['list', '--pods', '-n', namespace], dir)).stdout.includes('hot')
          ? true
          : undefined,
      30_000,
      `the sidecar to register (sidecar log: ${await pod.logs(SIDECAR_CONTAINER_NAME).catch(() => '')})`,
    );

    // A client-certificate user records; the artifacts land in the directory.
    const recorded = await furnace(
      alice,
      ['record', '-n', namespace, 'hot', '-c', 'app', '-d', '3s', '-o', 'alice-out'],
      dir,
    );
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.doesNotMatch(recorded.stderr, /\r/, 'no terminal: plain progress lines');
    assert.match(recorded.stderr, /recording \S+ of .*\/hot for 3s/);
    const files = (await readdir(join(dir, 'alice-out'))).sort();
    for (const name of [
      'flamegraph.svg',
      'flamegraph.html',
      'stacks.folded',
      'speedscope.json',
      'profile.pb.gz',
    ])
      assert.ok(files.includes(name), `${name} in ${files.join(', ')}`);
    const folded = await readFile(join(dir, 'alice-out', 'stacks.folded'), 'utf8');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, `the hot function was sampled:\n${folded}`);
    const id = /recording (\S+) of/.exec(recorded.stderr)?.[1] ?? '';

    // A token user records too; list and download read the catalog.
    const second = await furnace(bob, ['record', '-n', namespace, 'hot', '-d', '2s', '-o', 'bob-out'], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.ok((await readdir(join(dir, 'bob-out'))).includes('flamegraph.svg'));
    const listed = await eventually(
      async () => {
        const answer = await furnace(bob, ['list', '-n', namespace], dir);
        return answer.stdout.includes(id) ? answer : undefined;
      },
      30_000,
      'the recording in the catalog',
    );
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^ID\s+NAMESPACE\s+POD/);
    const downloaded = await furnace(
      bob,
      ['download', id, '-n', namespace, '--format', 'svg', '-o', 'dl'],
      dir,
    );
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.match(await readFile(join(dir, 'dl', `${id}-flamegraph.svg`), 'utf8'), /furnace_heavy/);

    // Refusals: exit code 1 and the words of whoever refused.
    const noPod = await furnace(alice, ['record', '-n', namespace, 'nope', '-d', '2s'], dir);
    assert.equal(noPod.code, 1);
    assert.match(noPod.stderr, new RegExp(`no sidecar is registered for pod ${namespace}/nope`));
    const otherNamespace = await furnace(alice, ['record', '-n', 'default', 'hot', '-d', '2s'], dir);
    assert.equal(otherNamespace.code, 1);
    assert.match(
      otherNamespace.stderr,
      /alice.*cannot create resource "pods\/recordings" in API group "profiling\.furnace\.hyperfoil\.io" in the namespace "default"/,
    );
    const viewer = await certificateUser(dir, namespace, 'carol', [AGGREGATED]);
    const refused = await furnace(viewer, ['record', '-n', namespace, 'hot', '-d', '2s'], dir);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(`carol may not create recordings\\.furnace\\.hyperfoil\\.io in namespace ${namespace}`),
    );

    // `ui`: the web UI's calls through the API server, as alice; nothing for another site's Host. The UI
    // also calls cluster-wide paths (session, its files, lists), so alice passes the API server's door
    // cluster-wide; what she may see is still Furnace's SubjectAccessReview per namespace.
    await bindClusterWide(t, 'alice');
    const ui = startProcess(
      t,
      process.execPath,
      [join(PROJECT_ROOT, 'cli', 'bin.js'), 'ui', '--no-browser'],
      {
        env: { KUBECONFIG: alice },
      },
    );
    const printed = await eventually(
      () =>
        Promise.resolve(
          /Furnace UI at (http:\/\/127\.0\.0\.1:(\d+))\/\?furnace-key=([\w-]+) /.exec(ui.output()) ??
            undefined,
        ),
      30_000,
      'the ui forwarder to listen',
    );
    const [, base, uiPort, key] = printed as unknown as [string, string, string, string];
    const withoutKey = await fetch(`${base}/api/v1/session`);
    assert.equal(withoutKey.status, 401, 'another local process without the key gets nothing');
    const { second: opened } = await visitKeyedUrl(`${base}/?furnace-key=${key}`);
    assert.equal(opened.status, 200);
    assert.match(opened.setCookie ?? '', new RegExp(`^furnace-ui-${uiPort}=${key}; .*HttpOnly`));
    const cookie = { cookie: `furnace-ui-${uiPort}=${key}` };
    const climbing = await fetch(
      `${base}/proxy/${namespace}/hot/recordings/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/api/v1/namespaces/kube-system/secrets`,
      { headers: cookie },
    );
    assert.equal(climbing.status, 404, 'a path that climbs out of the aggregated API is not forwarded');
    const session = (await (await fetch(`${base}/api/v1/session`, { headers: cookie })).json()) as {
      signedIn: boolean;
      user?: string;
    };
    assert.deepEqual([session.signedIn, session.user], [true, 'alice']);
    const history = await fetch(`${base}/api/v1/recordings?namespace=${namespace}`, { headers: cookie });
    assert.match(await history.text(), new RegExp(id));
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = httpGet(
        `${base}/api/v1/session`,
        { headers: { ...cookie, host: 'attacker.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
    });
    assert.equal(rebound, 403, 'a rebound DNS name is refused');
    await ui.stop();

    // Forged identity headers straight to the server: no front-proxy certificate, nobody.
    const forged = await httpsCall(
      `${direct}${AGGREGATED_PREFIX}/namespaces/${namespace}/recordings`,
      certs.caPem,
      {
        headers: { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' },
      },
    );
    assert.equal(forged.status, 401, forged.body);
    assert.equal(await server.stop(), 0);
  });
});
