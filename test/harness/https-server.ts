// A Fastify app served over HTTPS with a given key on a loopback port, for stand-ins of a sidecar or an
// agent that the server calls with a pinned key.
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { portOf } from './ports.ts';

/**
 * Serves app over HTTPS with this key and certificate until the test ends, then closes app; the port.
 * `at` binds another address or a fixed port (a pod's IP and the sidecar's 12381) instead of a free loopback port.
 */
export async function serveOverHttps(
  t: TestContext,
  app: FastifyInstance,
  identity: { keyPem: string; certPem: string },
  at: { host?: string; port?: number } = {},
): Promise<number> {
  await app.ready();
  const server = createServer({ key: identity.keyPem, cert: identity.certPem }, (request, response) =>
    app.routing(request, response),
  );
  server.listen(at.port ?? 0, at.host ?? '127.0.0.1');
  await once(server, 'listening');
  t.after(async () => {
    server.closeAllConnections();
    server.close();
    await app.close();
  });
  return portOf(server);
}
