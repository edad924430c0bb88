// Issue 13: the user API served as the aggregated API profiling.furnace.hyperfoil.io/v1alpha1. Over real
// TLS: identity headers count only with a client certificate the request-header CA issued (and an
// allowed common name); forged headers get nothing; aggregated paths run the user API's routes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { describe, it, type TestContext } from 'node:test';
import { AGGREGATED_PREFIX } from '../../../core/contract/aggregated-api.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';
import { fakeKubeGateway, type FakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { createCa, issueCertificate, type IssuedCertificate } from '../../harness/pki.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { buildFixture, startFakeSidecar, type Fixture } from './server-fixture.ts';

interface ClientCert {
  cert: string;
  key: string;
}

interface Answer {
  status: number;
  body: string;
}

interface Setup {
  f: Fixture;
  kube: FakeKubeGateway;
  frontProxy: ClientCert;
  send: (
    method: string,
    path: string,
    headers: OutgoingHttpHeaders,
    client?: ClientCert,
    body?: string,
  ) => Promise<Answer>;
  issue: (ca: IssuedCertificate, name: string) => Promise<ClientCert>;
  frontProxyCa: IssuedCertificate;
}

const ALICE = {
  'x-remote-user': 'alice',
  'x-remote-group': ['dev', 'system:authenticated'],
  'x-remote-extra-scopes': 'user:full',
};

async function setUp(
  t: TestContext,
  allowedNames = ['front-proxy-client'],
  fixture: Partial<Parameters<typeof buildFixture>[1]> = {},
): Promise<Setup> {
  const dir = await tempDir(t, 'furnace-aggregated-');
  const serving = await generateDevCertificates();
  const frontProxyCa = await createCa(dir, 'front-proxy-ca', '/CN=front-proxy-ca');
  const issue = async (ca: IssuedCertificate, name: string): Promise<ClientCert> => {
    const issued = await issueCertificate(dir, ca, name, { subject: `/CN=${name}`, clientAuth: true });
    return { cert: await readFile(issued.certPath, 'utf8'), key: await readFile(issued.keyPath, 'utf8') };
  };
  const kube = fakeKubeGateway({
    allows: (check) => check.user === 'alice' || check.user === 'system:kube-aggregator',
    reviews: { 'bob-token': { authenticated: true, username: 'bob', groups: ['system:authenticated'] } },
  });
  const f = await buildFixture(t, {
    authMode: 'kubernetes',
    kube,
    registration: 'local',
    https: { cert: serving.certPem, key: serving.keyPem },
    frontProxy: { ca: await readFile(frontProxyCa.certPath, 'utf8'), allowedNames },
    ...fixture,
  });
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const port = portOf(f.app.server);
  const send: Setup['send'] = (method, path, headers, client, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, method, path, ca: serving.caPem, headers, ...client },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { f, kube, send, issue, frontProxyCa, frontProxy: await issue(frontProxyCa, 'front-proxy-client') };
}

describe('aggregated API: identity from the API server', () => {
  it('believes X-Remote-* headers over the front-proxy certificate and asks SubjectAccessReview about that user', async (t) => {
    const s = await setUp(t);
    const sidecar = await startFakeSidecar(t);
    await s.f.registerLocal(sidecar.port);
    const answer = await s.send('GET', `${AGGREGATED_PREFIX}/namespaces/local/pods`, ALICE, s.frontProxy);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(
      (JSON.parse(answer.body) as { items: { pod: string }[] }).items.map((item) => item.pod),
      ['test-host'],
    );
    assert.deepEqual(s.kube.checks.at(-1), {
      user: 'alice',
      groups: ['dev', 'system:authenticated'],
      extra: { scopes: ['user:full'] },
      verb: 'get',
      namespace: 'local',
      group: 'furnace.hyperfoil.io',
      resource: 'recordings',
    });
    assert.equal(s.kube.calls.length, 0, 'no TokenReview: the API server authenticated the user');
  });

  it('refuses forged identity headers sent straight to the server', async (t) => {
    const s = await setUp(t);
    await s.f.registerLocal((await startFakeSidecar(t)).port);
    const path = `${AGGREGATED_PREFIX}/namespaces/local/pods`;
    const forged = {
      ...ALICE,
      'x-remote-user': 'system:kube-aggregator',
      'x-remote-group': 'system:masters',
    };
    assert.equal((await s.send('GET', path, forged)).status, 401, 'no client certificate');
    const other = await createCa(await tempDir(t, 'furnace-other-ca-'), 'other', '/CN=front-proxy-ca');
    assert.equal(
      (await s.send('GET', path, forged, await s.issue(other, 'front-proxy-client'))).status,
      401,
      'a certificate of another CA with the same names',
    );
    assert.equal(
      (await s.send('GET', path, forged, await s.issue(s.frontProxyCa, 'someone-else'))).status,
      401,
      'the right CA, a common name that is not allowed',
    );
    assert.equal(s.kube.checks.length, 0, 'nobody was authorized');
    const withToken = await s.send('GET', path, { ...forged, authorization: 'Bearer bob-token' });
    assert.equal(withToken.status, 200, 'a bearer token is its own identity');
    assert.deepEqual(JSON.parse(withToken.body), { items: [] }, 'bob may not see the pod');
    assert.deepEqual(
      s.kube.checks.map((check) => [check.user, check.groups]),
      [['bob', ['system:authenticated']]],
      'the forged headers were ignored',
    );
  });

  it("in mode proxy beside it, the API server's certificate cannot pose as the oauth-proxy", async (t) => {
    // Both CAs verify at the TLS layer; only the oauth-proxy's own may carry its identity headers.
    const dir = await tempDir(t, 'furnace-oauth-proxy-ca-');
    const proxyCa = await createCa(dir, 'proxy-ca', '/CN=oauth-proxy CA');
    const s = await setUp(t, ['front-proxy-client'], {
      authMode: 'proxy',
      trustedProxy: {
        ca: await readFile(proxyCa.certPath, 'utf8'),
        identityHeaders: ['x-forwarded-user', 'x-forwarded-groups'],
      },
    });
    await s.f.registerLocal((await startFakeSidecar(t)).port);
    const posing = { 'x-forwarded-user': 'alice', 'x-forwarded-groups': 'system:masters' };
    const answer = await s.send('GET', '/api/v1/sidecars', posing, s.frontProxy);
    assert.equal(answer.status, 401, answer.body);
    assert.equal(s.kube.checks.length, 0, 'nobody was authorized as the posed user');
    const oauthProxy = await s.issue(proxyCa, 'oauth-proxy');
    assert.equal((await s.send('GET', '/api/v1/sidecars', posing, oauthProxy)).status, 200);
  });

  it('takes any certificate of the CA when no names are allowed, and the aggregator without a user gets 401', async (t) => {
    const s = await setUp(t, []);
    const path = `${AGGREGATED_PREFIX}/namespaces/local/pods`;
    const any = await s.issue(s.frontProxyCa, 'any-name');
    assert.equal((await s.send('GET', path, ALICE, any)).status, 200);
    assert.equal((await s.send('GET', path, {}, any)).status, 401);
  });

  it('serves discovery to the aggregator and runs the user routes under aggregated paths', async (t) => {
    const s = await setUp(t);
    const discovery = await s.send('GET', AGGREGATED_PREFIX, {}, s.frontProxy);
    assert.equal(discovery.status, 200);
    const list = JSON.parse(discovery.body) as { kind: string; groupVersion: string; resources: unknown[] };
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, 'profiling.furnace.hyperfoil.io/v1alpha1');
    const sidecar = await startFakeSidecar(t);
    const { proxyToken } = await s.f.registerLocal(sidecar.port);
    const start = await s.send(
      'POST',
      `${AGGREGATED_PREFIX}/namespaces/local/pods/test-host/recordings`,
      { ...ALICE, 'content-type': 'application/json' },
      s.frontProxy,
      JSON.stringify({ processPattern: 'hot', durationSeconds: 5 }),
    );
    assert.equal(start.status, 201, start.body);
    const forwarded = sidecar.requests.at(-1);
    assert.equal(forwarded?.url, '/recordings');
    assert.equal(forwarded.headers.authorization, `Bearer ${proxyToken}`);
    assert.deepEqual(
      Object.keys(forwarded.headers).filter((name) => name.startsWith('x-remote-')),
      [],
      'the identity headers stay with the server',
    );
    const audit = s.f
      .logLines()
      .find((line) => (line.audit as { action?: string } | undefined)?.action === 'start');
    assert.equal((audit?.audit as { user?: string } | undefined)?.user, 'alice', JSON.stringify(audit));
  });
});

describe('aggregated API: paths', () => {
  it('a recording read under another namespace answers like a missing one', async (t) => {
    const s = await setUp(t);
    const { uploadToken } = await s.f.registerLocal((await startFakeSidecar(t)).port);
    const put = await s.f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers: { authorization: `Bearer ${uploadToken}` },
      payload: recordingStatus('rec-1', { state: 'done' }),
    });
    assert.equal(put.statusCode, 200, put.body);
    const own = await s.send(
      'GET',
      `${AGGREGATED_PREFIX}/namespaces/local/recordings/rec-1`,
      ALICE,
      s.frontProxy,
    );
    assert.equal(own.status, 200, own.body);
    assert.equal((JSON.parse(own.body) as { id: string }).id, 'rec-1');
    const elsewhere = await s.send(
      'GET',
      `${AGGREGATED_PREFIX}/namespaces/other/recordings/rec-1`,
      ALICE,
      s.frontProxy,
    );
    assert.equal(elsewhere.status, 404);
    assert.match(elsewhere.body, /recording rec-1 is not in the catalog/);
    const listed = await s.send(
      'GET',
      `${AGGREGATED_PREFIX}/namespaces/local/recordings`,
      ALICE,
      s.frontProxy,
    );
    assert.deepEqual(
      (JSON.parse(listed.body) as { items: { id: string }[] }).items.map((e) => e.id),
      ['rec-1'],
    );
  });

  it("pins and unpins a baseline and reads the regression under the recording's namespace, and nowhere else", async (t) => {
    const s = await setUp(t);
    const { uploadToken } = await s.f.registerLocal((await startFakeSidecar(t)).port);
    const put = await s.f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers: { authorization: `Bearer ${uploadToken}` },
      payload: recordingStatus('rec-1', { state: 'done' }),
    });
    assert.equal(put.statusCode, 200, put.body);
    const json = { ...ALICE, 'content-type': 'application/json' };
    const pin = JSON.stringify({ workload: 'deployment/test' });
    const baseline = (ns: string): string =>
      `${AGGREGATED_PREFIX}/namespaces/${ns}/recordings/rec-1/baseline`;
    const elsewhere = await s.send('PUT', baseline('other'), json, s.frontProxy, pin);
    assert.equal(elsewhere.status, 404, elsewhere.body);
    assert.equal(s.f.catalog.get('rec-1')?.baselineOf, undefined, 'nothing pinned from another namespace');
    const pinned = await s.send('PUT', baseline('local'), json, s.frontProxy, pin);
    assert.equal(pinned.status, 200, pinned.body);
    assert.equal((JSON.parse(pinned.body) as { baselineOf?: string }).baselineOf, 'deployment/test');
    const regression = (ns: string): string =>
      `${AGGREGATED_PREFIX}/namespaces/${ns}/recordings/rec-1/regression`;
    assert.equal((await s.send('GET', regression('other'), ALICE, s.frontProxy)).status, 404);
    const read = await s.send('GET', regression('local'), ALICE, s.frontProxy);
    assert.equal(read.status, 200, read.body);
    assert.equal((JSON.parse(read.body) as { id: string }).id, 'rec-1');
    assert.equal((await s.send('DELETE', baseline('other'), ALICE, s.frontProxy)).status, 404);
    const unpinned = await s.send('DELETE', baseline('local'), ALICE, s.frontProxy);
    assert.equal(unpinned.status, 204, unpinned.body);
    assert.equal(s.f.catalog.get('rec-1')?.baselineOf, undefined);
  });
});
