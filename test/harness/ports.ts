// Loopback ports for tests: a free one to hand to a process before it starts, and the one a
// server listening on port 0 was given.
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';

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
