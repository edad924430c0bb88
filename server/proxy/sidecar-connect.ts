// How the proxy opens connections to sidecars (the `connect` function of its undici pools). A sidecar that
// announced an HTTPS port and the pin of its serving key at registration is reached over TLS, and the
// connection is used only when the key the peer presents has that pin: nobody else on the pod network can
// read the proxy token or answer in the sidecar's place, not even a pod that later gets the same IP.
// The sidecar's certificate is self-signed; the pin, not a CA, is what is verified. Sidecars without a pin
// (none registered it) are reached over plain HTTP.
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

export interface SidecarConnectorDeps {
  /** The pin a registered sidecar announced for this HTTPS address, if any. */
  pinFor(host: string, port: number): string | undefined;
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
    const host = request.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = Number(request.port);
    const where = `${host}:${port}`;
    const secure = request.protocol === 'https:';
    const pin = secure ? deps.pinFor(host, port) : undefined;
    if (secure && pin === undefined) {
      callback(failure(`no sidecar registered a TLS key for ${where}`, 'ERR_SIDECAR_TLS_PIN'), null);
      return;
    }
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
          settle(checkPin(socket as TLSSocket, pin ?? '', where) ?? null, socket),
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
