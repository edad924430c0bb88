// A TCP relay on loopback in front of a local port, for tests that stand in for the network between two
// processes: each client connection gets its own connection to the target, and the test decides what
// passes between the two. Every socket is destroyed and the listener closed when the test ends.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { portOf } from './ports.ts';

/** Listens on 127.0.0.1 and hands each client, with its new connection to `target`, to `wire`; the port. */
export async function tcpRelay(
  t: TestContext,
  target: { host?: string; port: number },
  wire: (client: Socket, upstream: Socket) => void,
): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host ?? '127.0.0.1');
    sockets.add(client).add(upstream);
    wire(client, upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  return portOf(server);
}
