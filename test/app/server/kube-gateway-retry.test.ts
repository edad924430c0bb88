// The Kubernetes gateway against a fake API server on loopback (a real API server cannot be made to drop
// a connection on cue, nor to answer malformed reviews): a request whose connection drops is sent once
// more; an HTTP error is not; a TokenReview answer of the wrong shape authenticates no one.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createClientGateway } from '../../../server/kube/client-gateway.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';
import { portOf } from '../../harness/ports.ts';

let server: Server;
let kc: KubeConfig;
const seen: string[] = [];
let dropNext = 0;
let malformedReview: unknown;

before(async () => {
  const certs = await generateDevCertificates();
  server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (dropNext > 0) {
      dropNext -= 1;
      req.socket.destroy();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('/tokenreviews')) {
      res.statusCode = 201;
      res.end(JSON.stringify({ kind: 'TokenReview', status: malformedReview }));
      return;
    }
    if (req.url?.includes('/pods/missing')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound' }));
      return;
    }
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', uid: 'u1' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = portOf(server);
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'fake',
        server: `https://127.0.0.1:${port}`,
        caData: Buffer.from(certs.caPem).toString('base64'),
      },
    ],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'fake', user: 'u' }],
    currentContext: 'c',
  });
});
after(() => {
  server.close();
});

describe('Kubernetes gateway with a fake API server', () => {
  it('reads a pod once more when the first connection drops', async () => {
    seen.length = 0;
    dropNext = 1;
    const pod = await createClientGateway(kc).readPod('shop', 'web');
    assert.equal(pod?.metadata?.uid, 'u1');
    assert.equal(seen.length, 2);
  });

  it('gives up with a 503 error after a second drop, and does not retry an HTTP answer', async () => {
    seen.length = 0;
    dropNext = 2;
    await assert.rejects(createClientGateway(kc).readPod('shop', 'web'), { code: 'ERR_UNAVAILABLE' });
    assert.equal(seen.length, 2);
    seen.length = 0;
    assert.equal(await createClientGateway(kc).readPod('shop', 'missing'), undefined);
    assert.equal(seen.length, 1);
  });

  it('authenticates no one from a TokenReview answer of the wrong shape, and names the field', async () => {
    const gateway = createClientGateway(kc);
    for (const [status, field] of [
      [{ authenticated: true, user: { username: 'alice', groups: 'system:masters' } }, 'user.groups'],
      [{ authenticated: true, user: { username: 42 } }, 'user.username'],
      [{ authenticated: true, user: { username: 'alice', extra: { scopes: 7 } } }, 'user.extra'],
      [{ authenticated: true, user: 'alice' }, 'user'],
      [{ authenticated: true }, 'user.username'],
      [{ authenticated: true, user: { username: 'alice' }, audiences: 'furnace' }, 'audiences'],
    ] as const) {
      malformedReview = status;
      const review = await gateway.reviewToken('t', undefined);
      assert.equal(review.authenticated, false, JSON.stringify(status));
      assert.equal(review.groups, undefined);
      assert.match(review.error ?? '', new RegExp(`malformed ${field.replace('.', '\\.')}\\b`));
    }
    malformedReview = {
      authenticated: true,
      user: { username: 'alice', groups: ['dev'] },
      audiences: ['furnace'],
    };
    const fine = await gateway.reviewToken('t', undefined);
    assert.equal(fine.authenticated, true);
    assert.deepEqual(fine.groups, ['dev']);
  });
});
