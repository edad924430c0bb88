// Fake recorders for the proxy's app tests (a boundary: the answers a sidecar could give, refusals and
// hostile ones included), and a call through a new server to one of them with the audit lines it left.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { TestContext } from 'node:test';
import { describeLogRecord } from '../../../server/operations/log-text.ts';
import { eventually } from '../../harness/eventually.ts';
import { portOf } from '../../harness/ports.ts';
import { buildFixture, HOST } from './server-fixture.ts';

/** The proxy's path of the fixture's pod. */
export const POD_PROXY = `/proxy/local/${HOST}`;

/** When a fake recorder answers, and what it does as a call reaches it. */
export interface Answering {
  /** How long after a call reached it the recorder answers. */
  delayMs?: number;
  /** Called as each call reaches the recorder (a test's client hangs up then, say). */
  onAsked?: () => void;
}

/**
 * A fake recorder that answers every request with this status and JSON body (`undefined`: no body nor
 * content type); its port.
 */
export async function startRecorderAnswering(
  t: TestContext,
  status: number,
  body: unknown,
  { delayMs = 0, onAsked }: Answering = {},
): Promise<number> {
  const answering = createServer((request, response) => {
    request.resume();
    onAsked?.();
    setTimeout(() => {
      if (body === undefined) {
        response.writeHead(status).end();
        return;
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    }, delayMs);
  });
  answering.listen(0, '127.0.0.1');
  await once(answering, 'listening');
  t.after(() => answering.close());
  return portOf(answering);
}

/** A fake recorder that refuses every request as the real sidecar words a refusal; its port. */
export function startRefusingRecorder(t: TestContext, status: number, code: string): Promise<number> {
  return startRecorderAnswering(t, status, { code, message: `refused with ${code}` });
}

export interface AuditedCall {
  /** The answer's status. */
  status: number;
  /** The call's audit lines as the text log tells them. */
  logged: string[];
  /** The call's audit records, as the JSON log has them. */
  audits: Record<string, unknown>[];
}

/**
 * POSTs `body` to `path` of a new server whose pod's recorder listens on sidecarPort (through real
 * listeners: inject() rejects when the proxy cannot connect for a request with a body), and waits until the
 * server has finished the request (its `request completed` line, written after every onResponse hook): the
 * answer's status and the `action` audit lines the call left.
 */
export async function auditedThrough(
  t: TestContext,
  sidecarPort: number,
  { action, path, body = {} }: { action: string; path: string; body?: unknown },
): Promise<AuditedCall> {
  const f = await buildFixture(t);
  await f.registerLocal(sidecarPort);
  const address = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const answer = await fetch(`${address}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await answer.arrayBuffer();
  const finished = () => {
    const lines = f.logLines();
    // The registration finished before the call was made: the last request the server took is the call.
    const asked = lines.findLastIndex((line) => line.msg === 'incoming request');
    return asked >= 0 && lines.slice(asked).some((line) => line.msg === 'request completed');
  };
  await eventually(() => Promise.resolve(finished() || undefined), 5000, `the server to finish ${path}`);
  const lines = f.logLines().filter((line) => line.msg === `audit ${action}`);
  return {
    status: answer.status,
    logged: lines.map((line) => describeLogRecord(line) ?? ''),
    audits: lines.map((line) => line.audit as Record<string, unknown>),
  };
}
