// A bad setting of the operator stops it at start-up: exit 1 with one line naming the variable, the value
// and what is allowed, before it talks to the API server (the kubeconfig names a port this test holds and
// counts connections to). Before, FURNACE_OPERATOR_WORKERS took any number (-1 reconciled nothing), an
// unknown log level threw pino's own stack trace, a controller's setting (the CA lifetime) was read only
// once the replica had won its lease, where a bad one was an unhandled rejection, and the server's URL and
// CA Secret were read at each reconcile, where a bad one failed every Recording.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../harness/eventually.ts';
import { heldPort } from '../harness/ports.ts';
import { startFurnace } from '../harness/processes.ts';
import { tempDir } from '../harness/temp-dirs.ts';

/** A stand-in API server address: a port held by this test that counts the connections it gets. */
async function heldApiServer(t: TestContext): Promise<{ kubeconfig: string; connections: () => number }> {
  const { port, connections } = await heldPort(t);
  const dir = await tempDir(t, 'furnace-operator-config-');
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: held, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: u, user: {token: not-a-token}}]',
      'contexts: [{name: c, context: {cluster: held, user: u}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return { kubeconfig, connections };
}

/** The operator's exit code and output, or `running` when it is still up after 30 s. */
async function startOperator(t: TestContext, kubeconfig: string, env: Record<string, string>) {
  const operator = startFurnace(t, ['operator/main.ts'], { KUBECONFIG: kubeconfig, ...env });
  const code = await Promise.race([operator.exited, sleep(30_000).then(() => 'running' as const)]);
  return { code, output: operator.output() };
}

const REFUSED: { env: Record<string, string>; line: string }[] = [
  {
    env: { FURNACE_OPERATOR_WORKERS: '-1' },
    line: 'FURNACE_OPERATOR_WORKERS = "-1"; allowed: an integer from 1 to 64',
  },
  {
    env: { FURNACE_OPERATOR_WORKERS: 'two' },
    line: 'FURNACE_OPERATOR_WORKERS = "two"; allowed: an integer from 1 to 64',
  },
  {
    env: { FURNACE_OPERATOR_LOG_LEVEL: 'loud' },
    line: 'FURNACE_OPERATOR_LOG_LEVEL = "loud"; allowed: fatal, error, warn, info, debug, trace, silent',
  },
  {
    env: { FURNACE_OPERATOR_SERVER_CA_SECRET: 'furnace-tls' },
    line: 'FURNACE_OPERATOR_SERVER_CA_SECRET = "furnace-tls"; allowed: namespace/name of a Secret (lower-case DNS names), e.g. furnace/furnace-tls',
  },
  {
    env: { FURNACE_OPERATOR_SERVER_URL: 'furnace-api:8080' },
    line: 'FURNACE_OPERATOR_SERVER_URL = "furnace-api:8080"; allowed: an http(s) URL, e.g. https://localhost:8443',
  },
  {
    env: { FURNACE_OPERATOR_CA_LIFETIME_SECONDS: '5' },
    line: 'FURNACE_OPERATOR_CA_LIFETIME_SECONDS = "5"; allowed: an integer from 60 to 946080000',
  },
];

describe('operator configuration errors stop start-up before it calls the API server', () => {
  for (const { env, line } of REFUSED) {
    const [name] = Object.keys(env);
    it(`${name}=${env[name ?? '']}: exit 1, one line naming it`, async (t) => {
      const api = await heldApiServer(t);
      const { code, output } = await startOperator(t, api.kubeconfig, env);
      assert.equal(output, `furnace-operator: invalid configuration in ${name}: ${line}\n`);
      assert.equal(code, 1);
      assert.equal(api.connections(), 0, 'the API server was not called');
    });
  }

  it('valid settings: the operator starts and calls the API server (its leader election)', async (t) => {
    const api = await heldApiServer(t);
    const operator = startFurnace(t, ['operator/main.ts'], {
      KUBECONFIG: api.kubeconfig,
      FURNACE_OPERATOR_SERVER_URL: 'https://localhost:8443',
      FURNACE_OPERATOR_SERVER_CA_SECRET: 'profiling/furnace-tls',
      FURNACE_OPERATOR_WORKERS: '4',
      FURNACE_OPERATOR_LOG_LEVEL: 'debug',
      FURNACE_OPERATOR_CA_LIFETIME_SECONDS: '86400',
    });
    let exited = false;
    void operator.exited.then(() => (exited = true));
    await eventually(
      () => Promise.resolve(api.connections() > 0 || exited ? true : undefined),
      30_000,
      'the operator to call the API server',
    );
    assert.equal(exited, false, operator.output());
    assert.match(operator.output(), /"msg":"operator started"/);
  });
});
