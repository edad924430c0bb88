// The Kubernetes gateway against a fake API server on loopback (a real API server cannot be made to drop
// a connection on cue, nor to answer malformed reviews): a request whose connection drops is sent once
// more; an HTTP error is not; a TokenReview answer of the wrong shape authenticates no one. And the raw
// requests under it (kube/kube-request.ts) on a kept connection that the API server closes as the next
// request arrives: that request goes out once more on a new connection; one whose new connection drops
// is not sent again there (its caller decides).
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { createServer, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { createKubeRequest } from '../../../kube/kube-request.ts';
import { createClientGateway } from '../../../server/kube/client-gateway.ts';
import { generateDevCertificates } from '../../../server/webhook/tls.ts';
import { portOf } from '../../harness/ports.ts';

let server: Server;
let kc: KubeConfig;
const seen: string[] = [];
let dropNext = 0;
/** Close the next request that arrives on a connection that already served one, unanswered. */
let closeKeptNext = false;
const served = new WeakSet<Socket>();
const arrivedOn: Socket[] = [];
let malformedReview: unknown;

before(async () => {
  const certs = await generateDevCertificates();
  server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    arrivedOn.push(req.socket);
    if (closeKeptNext && served.has(req.socket)) {
      closeKeptNext = false;
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
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

describe('raw requests on a kept connection to a fake API server', () => {
  it('sends a request once more on a new connection when the kept one is closed as it arrives', async () => {
    const request = createKubeRequest(kc);
    const path = '/api/v1/namespaces/shop/pods/web';
    assert.equal((await request({ method: 'GET', path })).status, 200);
    assert.equal((await request({ method: 'GET', path })).status, 200);
    assert.equal(arrivedOn.at(-1), arrivedOn.at(-2), 'the second request came on the first one’s connection');
    seen.length = 0;
    arrivedOn.length = 0;
    closeKeptNext = true;
    const answer = await request({ method: 'POST', path: '/api/v1/namespaces/shop/events', body: { n: 1 } });
    assert.equal(answer.status, 200);
    assert.deepEqual(seen, ['POST /api/v1/namespaces/shop/events', 'POST /api/v1/namespaces/shop/events']);
    assert.notEqual(arrivedOn[0], arrivedOn[1], 'sent again on a new connection');
  });

  it('does not send again a request whose new connection drops', async () => {
    const request = createKubeRequest(kc);
    const path = '/api/v1/namespaces/shop/pods/web';
    assert.equal((await request({ method: 'GET', path })).status, 200);
    closeKeptNext = true;
    dropNext = 1;
    seen.length = 0;
    // The kept connection is closed as the request arrives; the new one drops it too: that is an error.
    await assert.rejects(request({ method: 'GET', path }), { code: 'ECONNRESET' });
    assert.equal(seen.length, 2);
    dropNext = 0;
  });
});
