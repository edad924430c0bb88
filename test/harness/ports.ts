// Loopback ports for tests: a free one to hand to a process before it starts, one held for a test that
// counts who connects, and the one a server listening on port 0 was given.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';

interface Listening {
  address(): AddressInfo | string | null;
}

/** The TCP port a listening server is bound to; throws when it is not listening on one. */
export function portOf(server: Listening): number {
  const address = server.address();
  if (address === null || typeof address !== 'object') {
    throw new Error(`the server is not listening on a TCP port (address: ${String(address)})`);
  }
  return address.port;
}

/**
 * A loopback port that nothing listens on right now: for a process that must be told its port, or as
 * an address that refuses connections.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = portOf(server);
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A loopback port held open for the rest of the test, closing every connection at once and counting them:
 * a process given it cannot listen on it, and a test sees whether anything called it.
 */
export async function heldPort(
  t: Pick<TestContext, 'after'>,
): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  return { port: portOf(server), connections: () => connections };
}
