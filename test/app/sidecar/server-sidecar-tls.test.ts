// Item 12 of issue 9: the proxy token travelled to sidecars in clear text. A sidecar that registers an
// HTTPS port and the pin of its key is reached only over TLS with that key. The network between server
// and sidecar is stood in for by TCP relays that record every byte the server sends.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import Fastify from 'fastify';
import { createServingIdentity, type ServingIdentity } from '../../../sidecar/api/self-signed-certificate.ts';
import { serveOverHttps } from '../../harness/https-server.ts';
import { portOf } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import { tcpRelay } from '../../harness/tcp-relay.ts';
import { bearer, postRegistration } from '../../harness/server-calls.ts';
import { buildFixture, HOST, SECRET, type Fixture } from '../server/server-fixture.ts';

/** A stand-in sidecar API served over plain HTTP and over HTTPS with `identity`; it notes who called. */
async function standInSidecar(t: TestContext, identity: ServingIdentity) {
  const app = Fastify();
  const seen: string[] = [];
  app.get('/recordings/:id', (request) => {
    seen.push(`${request.protocol} ${String(request.headers.authorization)}`);
    return recordingStatus((request.params as { id: string }).id);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const tlsPort = await serveOverHttps(t, app, identity);
  return { seen, port: portOf(app.server), tlsPort };
}

/** A TCP relay to 127.0.0.1:target that keeps every byte sent through it towards the target. */
async function relay(t: TestContext, target: number) {
  const sent: Buffer[] = [];
  const port = await tcpRelay(t, { port: target }, (client, upstream) => {
    client.on('data', (chunk: Buffer) => sent.push(chunk));
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return { port, wire: () => Buffer.concat(sent).toString('latin1') };
}

async function register(f: Fixture, body: object): Promise<{ proxyToken: string }> {
  const response = await postRegistration(f.recorder, bearer(SECRET), body);
  assert.equal(response.statusCode, 200, response.body);
  return response.json<{ proxyToken: string }>();
}

describe('server to sidecar over TLS with the key pinned at registration', () => {
  it('never puts the proxy token or the request on the wire in clear text', async (t) => {
    const f = await buildFixture(t);
    const identity = await createServingIdentity();
    const sidecar = await standInSidecar(t, identity);
    const [plainWire, tlsWire] = [await relay(t, sidecar.port), await relay(t, sidecar.tlsPort)];
    const { proxyToken } = await register(f, {
      port: plainWire.port,
      tlsPort: tlsWire.port,
      tlsPin: identity.pin,
    });
    const response = await f.app.inject({
      method: 'GET',
      url: `/proxy/local/${HOST}/recordings/rec-secret-7`,
    });
    assert.equal(response.statusCode, 200, response.body);
    const wire = plainWire.wire() + tlsWire.wire();
    assert.ok(wire.length > 0, 'the call went through a relay');
    assert.equal(wire.includes(proxyToken), false, 'the proxy token is not readable on the wire');
    assert.equal(wire.includes('rec-secret-7'), false, 'nor is the request');
    assert.deepEqual(sidecar.seen, [`https Bearer ${proxyToken}`], 'the sidecar got the call over TLS');
  });

  it('refuses to talk to whoever answers at the address with another key, such as a pod that took over the IP', async (t) => {
    const f = await buildFixture(t);
    const registered = await createServingIdentity();
    const impostor = await standInSidecar(t, await createServingIdentity());
    await register(f, { port: impostor.port, tlsPort: impostor.tlsPort, tlsPin: registered.pin });
    const response = await f.app.inject({ method: 'GET', url: `/proxy/local/${HOST}/recordings/rec-1` });
    assert.equal(response.statusCode, 502, response.body);
    assert.equal(response.json<{ code: string }>().code, 'ERR_UPSTREAM_FAILED');
    assert.match(response.json<{ message: string }>().message, /ERR_SIDECAR_TLS_PIN|TLS key other than/);
    assert.deepEqual(impostor.seen, [], 'no request, so no proxy token, reached the impostor');
  });

  it('refuses a registration with a TLS port but no pin, or a malformed pin', async (t) => {
    const f = await buildFixture(t);
    for (const payload of [
      { port: 4000, tlsPort: 4001 },
      { port: 4000, tlsPort: 4001, tlsPin: 'short' },
    ]) {
      const response = await postRegistration(f.recorder, bearer(SECRET), payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
    }
  });
});
