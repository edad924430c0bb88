// Issue "Trust, round two", item 2: `kubectl furnace ui` holds the user's kubeconfig credentials on a
// loopback port. Any local process could send it `../` paths and have the CLI fetch Secrets from the API
// server with the user's token. Played against a FAKE API server (a loopback stand-in that records every
// path the forwarder sends it), so the test can see what would have reached the real one.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it, type TestContext } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createFurnaceApi } from '../../../cli/kube-api.ts';
import { startUiForwarder } from '../../../cli/ui-forwarder.ts';
import { AGGREGATED_PREFIX } from '../../../core/contract/aggregated-api.ts';
import { keyHost } from '../../../core/contract/run-key.ts';
import { visitKeyedUrl } from '../../harness/keyed-visit.ts';
import { portOf } from '../../harness/ports.ts';

async function startFakeApiServer(t: TestContext): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    paths.push(req.url ?? '');
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":["secret-data"]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return { url: `http://127.0.0.1:${portOf(server)}`, paths };
}

async function startForwarder(t: TestContext, apiServer: string) {
  const KubeConfigImpl = class extends KubeConfig {
    override loadFromDefault(): void {
      this.loadFromOptions({
        clusters: [{ name: 'fake', server: apiServer, skipTLSVerify: true }],
        users: [{ name: 'user', token: 'the-users-token' }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'user' }],
        currentContext: 'fake',
      });
    }
  };
  // KUBECONFIG names a file, as a user's would; loadFromDefault above reads the fake instead.
  const api = createFurnaceApi({ env: { KUBECONFIG: '/fake/kubeconfig' } }, KubeConfigImpl);
  const forwarder = await startUiForwarder(api, 0);
  t.after(() => {
    forwarder.server.closeAllConnections();
    forwarder.server.close();
  });
  return forwarder;
}

const ATTACKS = [
  '/proxy/a/b/recordings/../../../../../../../api/v1/namespaces/kube-system/secrets',
  '/proxy/a/b/recordings/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/api/v1/namespaces/kube-system/secrets',
  '/proxy/a/b/recordings/x%2f..%2f..%2f..%2fapi',
  '/api/v1/limits?namespace=..%2F..%2F..%2Fapi%2Fv1',
];

describe('kubectl furnace ui forwarder', () => {
  it('forwards nothing for a local process that does not have the key', async (t) => {
    const fake = await startFakeApiServer(t);
    const forwarder = await startForwarder(t, fake.url);
    for (const path of ['/api/v1/session', ...ATTACKS]) {
      const answer = await fetch(`${forwarder.url}${path}`);
      assert.equal(answer.status, 401, path);
    }
    assert.deepEqual(fake.paths, []);
  });

  it('with the key, forwards no path that climbs out of the aggregated API', async (t) => {
    const fake = await startFakeApiServer(t);
    const forwarder = await startForwarder(t, fake.url);
    const headers = { cookie: `${forwarder.key.cookie}=${forwarder.key.value}` };
    for (const path of ATTACKS) {
      const answer = await fetch(`${forwarder.url}${path}`, { headers });
      assert.equal(answer.status, 404, path);
      assert.doesNotMatch(await answer.text(), /secret-data/);
    }
    const fine = await fetch(`${forwarder.url}/api/v1/session`, { headers });
    assert.equal(fine.status, 200);
    assert.deepEqual(fake.paths, [`${AGGREGATED_PREFIX}/session`]);
  });

  it("turns the printed URL into an HttpOnly cookie on the key's own host and takes the key out of the address", async (t) => {
    const fake = await startFakeApiServer(t);
    const forwarder = await startForwarder(t, fake.url);
    const { first, second, keyHost: host } = await visitKeyedUrl(forwarder.withKey('/recordings/rec-1'));
    const port = new URL(forwarder.url).port;
    assert.equal(host, `${keyHost(forwarder.key)}:${port}`);
    assert.deepEqual(first, {
      status: 303,
      location: `http://${host}/recordings/rec-1?furnace-key=${forwarder.key.value}`,
      setCookie: undefined,
      moveTo: undefined,
    });
    assert.deepEqual(second, {
      status: 200,
      location: undefined,
      moveTo: '/recordings/rec-1',
      setCookie: `${forwarder.key.cookie}=${forwarder.key.value}; Path=/; HttpOnly; SameSite=Strict`,
    });
    const wrong = await fetch(`${forwarder.url}/?furnace-key=guess`, { redirect: 'manual' });
    assert.equal(wrong.status, 401);
  });
});
