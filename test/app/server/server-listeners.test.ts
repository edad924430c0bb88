// Issue 9 item 1: sidecars and users reach separate listeners, and auth mode `proxy` believes identity
// headers only where nothing but the oauth-proxy can send them, and still asks SubjectAccessReview.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createAccess } from '../../../server/auth/access.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';
import { fakeKubeGateway } from '../../harness/fake-kube-gateway.ts';
import { createCa, issueCertificate } from '../../harness/pki.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { bearer, postRegistration, putStatus } from '../../harness/server-calls.ts';
import { buildFixture, SECRET, startFakeSidecar } from './server-fixture.ts';

const masters = { 'x-forwarded-user': 'mallory', 'x-forwarded-groups': 'system:masters' };

describe('separate listeners for sidecars and users', () => {
  it('the recorder listener, which every pod reaches, serves no user route even with forged identity headers', async (t) => {
    const kube = fakeKubeGateway({ allows: () => true, allowsPath: () => true });
    const f = await buildFixture(t, { authMode: 'proxy', kube, registration: 'local' });
    const sidecar = await startFakeSidecar(t);
    const { uploadToken: token } = await f.registerLocal(sidecar.port);
    const put = await f.recorder.inject({
      method: 'PUT',
      url: '/api/v1/recordings/rec-1',
      headers: { authorization: `Bearer ${token}` },
      payload: recordingStatus('rec-1', { state: 'done' }),
    });
    assert.equal(put.statusCode, 200, 'uploads go to the recorder listener');
    const userCalls = [
      { method: 'POST' as const, url: '/proxy/local/test-host/recordings', payload: {} },
      { method: 'GET' as const, url: '/proxy/local/test-host/recordings' },
      { method: 'GET' as const, url: '/api/v1/sidecars' },
      { method: 'GET' as const, url: '/api/v1/recordings' },
      { method: 'GET' as const, url: '/api/v1/recordings/rec-1' },
      { method: 'DELETE' as const, url: '/api/v1/recordings/rec-1' },
      { method: 'GET' as const, url: '/metrics' },
    ];
    for (const call of userCalls) {
      const response = await f.recorder.inject({ ...call, headers: masters });
      assert.equal(response.statusCode, 404, `${call.method} ${call.url}: ${response.body}`);
    }
    assert.equal(sidecar.requests.length, 0, 'nothing reached the sidecar');
    assert.ok(f.catalog.get('rec-1'), 'nothing was deleted');
    assert.equal((await f.recorder.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  it('the user listener takes no registrations and no uploads', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken: token } = await f.registerLocal(4000);
    const register = await postRegistration(f.app, bearer(SECRET), { port: 4001 });
    assert.equal(register.statusCode, 404);
    const upload = await putStatus(f.app, token, recordingStatus('rec-1'));
    assert.equal(upload.statusCode, 404);
    assert.equal(f.catalog.get('rec-1'), undefined);
  });
});

describe('auth mode proxy', () => {
  it('asks SubjectAccessReview about the user the headers name: system:masters in a header grants nothing', async (t) => {
    const kube = fakeKubeGateway({ allows: (check) => check.user === 'alice' });
    const f = await buildFixture(t, { authMode: 'proxy', kube, registration: 'local' });
    const sidecar = await startFakeSidecar(t);
    await f.registerLocal(sidecar.port);
    const start = { method: 'POST' as const, url: '/proxy/local/test-host/recordings', payload: {} };
    const refused = await f.app.inject({ ...start, headers: masters });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.deepEqual(
      kube.checks.map((c) => [c.user, c.groups, c.verb, c.namespace]),
      [['mallory', ['system:masters'], 'create', 'local']],
    );
    assert.equal(sidecar.requests.length, 0);
    const allowed = await f.app.inject({ ...start, headers: { 'x-forwarded-user': 'alice' } });
    assert.equal(allowed.statusCode, 201, allowed.body);
  });

  it('refuses to run without a Kubernetes client instead of allowing everything', () => {
    assert.throws(
      () =>
        createAccess({
          mode: 'proxy',
          userHeader: 'x-forwarded-user',
          groupsHeader: 'x-forwarded-groups',
          now: () => 0,
        }),
      /auth mode proxy needs a Kubernetes client/,
    );
  });

  it("with a client CA, believes identity headers only over a connection with the oauth-proxy's certificate", async (t) => {
    const dir = await tempDir(t, 'furnace-trusted-proxy-');
    const serving = await generateDevCertificates();
    const proxyCa = await createCa(dir, 'proxy-ca', '/CN=oauth-proxy CA');
    const other = await createCa(dir, 'other-ca', '/CN=some other CA');
    const client = async (ca: typeof proxyCa, name: string) => {
      const issued = await issueCertificate(dir, ca, name, { subject: `/CN=${name}`, clientAuth: true });
      return { cert: await readFile(issued.certPath, 'utf8'), key: await readFile(issued.keyPath, 'utf8') };
    };
    const kube = fakeKubeGateway({ allows: () => true });
    const f = await buildFixture(t, {
      authMode: 'proxy',
      kube,
      registration: 'local',
      https: { cert: serving.certPem, key: serving.keyPem },
      trustedProxy: {
        ca: await readFile(join(dir, 'proxy-ca.crt'), 'utf8'),
        identityHeaders: ['x-forwarded-user', 'x-forwarded-groups'],
      },
    });
    await f.app.listen({ host: '127.0.0.1', port: 0 });
    const port = portOf(f.app.server);
    const get = (path: string, identity?: { cert: string; key: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path, ca: serving.caPem, headers: masters, ...identity },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
    assert.equal(await get('/api/v1/sidecars'), 401, 'no client certificate: the headers are not believed');
    assert.equal(
      await get('/api/v1/sidecars', await client(other, 'intruder')),
      401,
      'a certificate of another CA',
    );
    assert.equal(await get('/api/v1/sidecars', await client(proxyCa, 'oauth-proxy')), 200);
    assert.equal(await get('/healthz'), 200, 'probes need no certificate');
  });
});
