// How the proxy opens connections to sidecars (the `connect` function of its undici pools). A sidecar that
// announced an HTTPS port and the pin of its serving key at registration is reached over TLS, and the
// connection is used only when the key the peer presents has that pin: nobody else on the pod network can
// read the proxy token or answer in the sidecar's place, not even a pod that later gets the same IP.
// The sidecar's certificate is self-signed; the pin, not a CA, is what is verified. The pin is the one of
// the registration the request was routed to, never one looked up by address: the upstream's host name is
// a handle of that registration's address and pin (pinned-upstreams.ts), so a stale registration at a
// reused pod IP lends its pin to nobody. Only local mode's loopback sidecars are reached over plain HTTP.
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { tlsPinOf } from '../../core/tls-pin.ts';

export interface ConnectRequest {
  hostname: string;
  port: string;
  protocol: string;
}

export type Connector = (
  request: ConnectRequest,
  callback: (...result: [null, Socket | TLSSocket] | [Error, null]) => void,
) => void;

/** Where a handle leads: the registered address and the pin its key must have. */
export interface PinnedTarget {
  host: string;
  port: number;
  pin: string;
}

export interface SidecarConnectorDeps {
  /** The target an HTTPS upstream's host name stands for (pinned-upstreams.ts), if any. */
  targetOf(hostname: string): PinnedTarget | undefined;
  timeoutMs: number;
}

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Checks the peer's key against the pin; undefined when it matches. */
function checkPin(socket: TLSSocket, pin: string, where: string): Error | undefined {
  const peer = socket.getPeerX509Certificate();
  if (peer && tlsPinOf(peer.publicKey) === pin) return undefined;
  return failure(
    `the sidecar at ${where} presented a TLS key other than the one it registered`,
    'ERR_SIDECAR_TLS_PIN',
  );
}

export function createSidecarConnector(deps: SidecarConnectorDeps): Connector {
  return (request, callback) => {
    const secure = request.protocol === 'https:';
    const target = secure
      ? deps.targetOf(request.hostname)
      : { host: request.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(request.port), pin: '' };
    if (!target) {
      callback(failure(`no registration stands behind ${request.hostname}`, 'ERR_SIDECAR_TLS_PIN'), null);
      return;
    }
    const { host, port, pin } = target;
    const where = `${host}:${port}`;
    let settled = false;
    const settle = (error: Error | null, socket: Socket | TLSSocket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      if (error) {
        socket.destroy();
        callback(error, null);
      } else {
        callback(null, socket);
      }
    };
    const onError = (error: Error): void => settle(error, socket);
    const socket: Socket | TLSSocket = secure
      ? connectTls({ host, port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () =>
          settle(checkPin(socket as TLSSocket, pin, where) ?? null, socket),
        )
      : connectTcp({ host, port }, () => settle(null, socket));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('error', onError);
    const timer = setTimeout(
      () => settle(failure(`connect timeout to ${where}`, 'UND_ERR_CONNECT_TIMEOUT'), socket),
      deps.timeoutMs,
    );
  };
}
