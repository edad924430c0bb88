// Whether the server answers: GET /readyz on its user listener (or the address the operator's
// environment names instead), over TLS checked against the Furnace's CA bundle and the Service's name.
import { request } from 'node:https';

export interface ReadinessProbe {
  /** The URL as the cluster knows it (`https://furnace-api.furnace.svc:8080`). */
  url: string;
  /** Connect here instead (`host:port`); the certificate is still checked for the URL's host. */
  address?: string;
  caPem: string;
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  message: string;
}

function splitAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

export function checkReadiness(probe: ReadinessProbe): Promise<Readiness> {
  const url = new URL('/readyz', probe.url);
  const target = probe.address
    ? splitAddress(probe.address)
    : { host: url.hostname, port: Number(url.port || 443) };
  const where = `${url.href}${probe.address ? ` (at ${probe.address})` : ''}`;
  if (probe.caPem === '')
    return Promise.resolve({ ready: false, message: `no CA known yet to check ${where}` });
  return new Promise((resolve) => {
    const req = request(
      {
        host: target.host,
        port: target.port,
        path: url.pathname,
        method: 'GET',
        servername: url.hostname,
        ca: probe.caPem,
        timeout: probe.timeoutMs ?? 5000,
        agent: false,
      },
      (res) => {
        res.resume();
        const ok = res.statusCode === 200;
        resolve({
          ready: ok,
          message: ok ? `${where} answers 200` : `${where} answers ${res.statusCode ?? 0}`,
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (error) => resolve({ ready: false, message: `${where}: ${error.message}` }));
    req.end();
  });
}
