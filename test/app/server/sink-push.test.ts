// One push to a sink (server/sinks/push-http.ts) against real loopback servers: a sink is outside the
// trust boundary, so a redirect is never followed (the host it points to receives nothing), an answer is
// read up to a bound, a stalled sink ends at timeoutSeconds, and only printable text of the answer is
// kept. TLS: the sink's CA and a client certificate (mutual TLS) from files, credentials from files.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { judgePush } from '../../../core/sinks/delivery.ts';
import type { SinkConfig } from '../../../core/sinks/sink.ts';
import { ExportProfilesServiceResponseSchema } from '../../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts';
import { createCa, issueCertificate, readPem } from '../../harness/pki.ts';
import { portOf } from '../../harness/ports.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { MAX_ANSWER_BYTES, sendPush, type OpenBody } from '../../../server/sinks/push-http.ts';

type Handler = (request: IncomingMessage, body: Buffer, response: ServerResponse) => void;

async function serve(
  t: TestContext,
  handler: Handler,
  server = createHttp(),
): Promise<{ url: string; hits: number }> {
  const state = { url: '', hits: 0 };
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    state.hits += 1;
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => handler(request, Buffer.concat(chunks), response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  state.url = `http://127.0.0.1:${portOf(server)}`;
  return state;
}

function sink(url: string, extra: Partial<SinkConfig> = {}): SinkConfig {
  return {
    name: 's',
    type: 'pyroscope',
    url,
    recordings: 'all',
    continuous: false,
    format: 'pprof',
    timeoutSeconds: 5,
    ...extra,
  };
}

async function body(t: TestContext): Promise<OpenBody> {
  const dir = await tempDir(t, 'furnace-push-');
  const path = join(dir, 'profile.pb.gz');
  await writeFile(path, 'profile bytes');
  return async () => ({ body: createReadStream(path), bytes: (await stat(path)).size });
}

const push = (url: string, path = '/ingest') => ({
  url: new URL(`${url}${path}`),
  artifact: 'profile.pb.gz' as const,
  headers: { 'content-type': 'application/octet-stream' },
});

describe('a push to a sink, which is outside the trust boundary', () => {
  it('follows no redirect: the other host gets nothing, and the push fails for good naming where it pointed', async (t) => {
    const elsewhere = await serve(t, (_q, _b, r) => r.writeHead(200).end());
    const sinkServer = await serve(t, (_q, _b, r) =>
      r.writeHead(307, { location: `${elsewhere.url}/steal` }).end(),
    );
    const outcome = await sendPush(sink(sinkServer.url), push(sinkServer.url), await body(t));
    assert.equal(outcome.kind === 'answer' && outcome.status, 307);
    const verdict = judgePush(outcome);
    assert.ok(!verdict.delivered && !verdict.retry);
    assert.match(
      verdict.delivered ? '' : verdict.error,
      /redirect to http:\/\/127\.0\.0\.1:\d+\/steal, which Furnace does not follow/,
    );
    assert.equal(elsewhere.hits, 0);
  });

  it('reads at most 64 KiB of an answer and keeps 300 printable characters of it', async (t) => {
    const huge = await serve(t, (_q, _b, r) => {
      r.writeHead(500, { 'content-type': 'text/plain' });
      const line = Buffer.from('\u001b[31mx'.repeat(1000) + '\n');
      for (let i = 0; i < 2000; i++) r.write(line); // about 6 MB
      r.end();
    });
    const outcome = await sendPush(sink(huge.url), push(huge.url), await body(t));
    assert.equal(outcome.kind, 'answer');
    const detail = outcome.kind === 'answer' ? (outcome.detail ?? '') : '';
    assert.ok(detail.length <= 301, `detail of ${detail.length} characters`);
    assert.ok(!detail.includes('\u001b'), 'no escape sequence kept');
    assert.ok(MAX_ANSWER_BYTES === 64 * 1024);
    const verdict = judgePush(outcome);
    assert.ok(!verdict.delivered && verdict.retry, 'a 500 is tried again');
  });

  it('ends a push to a sink that never answers after timeoutSeconds, to be tried again', async (t) => {
    const stalled = await serve(t, () => {
      /* never answers */
    });
    const outcome = await sendPush(
      sink(stalled.url, { timeoutSeconds: 1 }),
      push(stalled.url),
      await body(t),
    );
    assert.equal(outcome.kind, 'error');
    assert.match(
      outcome.kind === 'error' ? outcome.message : '',
      /no complete answer within 1 s \(timeoutSeconds\)/,
    );
    assert.ok(judgePush(outcome).delivered === false);
  });

  it('treats an OTLP 200 that reports rejected profiles as a final failure, with the collector’s words', async (t) => {
    const answer = toBinary(
      ExportProfilesServiceResponseSchema,
      create(ExportProfilesServiceResponseSchema, {
        partialSuccess: { rejectedProfiles: 1n, errorMessage: 'bad\nstack' },
      }),
    );
    const collector = await serve(t, (_q, _b, r) =>
      r.writeHead(200, { 'content-type': 'application/x-protobuf' }).end(answer),
    );
    const outcome = await sendPush(
      sink(collector.url, { type: 'otlp' }),
      push(collector.url, '/v1development/profiles'),
      await body(t),
    );
    const verdict = judgePush(outcome);
    assert.ok(!verdict.delivered && !verdict.retry);
    assert.match(verdict.delivered ? '' : verdict.error, /rejected 1 profile\(s\): bad stack/);
  });

  it('sends the body, a bearer token read from its file, over TLS with the sink’s CA and a client certificate', async (t) => {
    const dir = await tempDir(t, 'furnace-push-tls-');
    const ca = await createCa(dir, 'ca', '/CN=sink CA');
    const served = await issueCertificate(dir, ca, 'server', {
      subject: '/CN=sink',
      altNames: { dns: ['sink.example'] },
    });
    const client = await issueCertificate(dir, ca, 'client', { subject: '/CN=furnace', clientAuth: true });
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'secret-token\n');
    const seen: { auth?: string; body?: string; cn?: string } = {};
    const tls = createHttps({
      key: await readPem(served.keyPath),
      cert: await readPem(served.certPath),
      ca: await readPem(ca.certPath),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const sinkServer = await serve(
      t,
      (request, received, response) => {
        seen.auth = request.headers.authorization;
        seen.body = received.toString();
        seen.cn = String((request.socket as TLSSocket).getPeerCertificate().subject.CN);
        response.writeHead(204).end();
      },
      tls,
    );
    const url = sinkServer.url.replace('http:', 'https:'); // served over TLS
    const configured = sink(url, {
      tls: {
        caFile: ca.certPath,
        certFile: client.certPath,
        keyFile: client.keyPath,
        serverName: 'sink.example',
      },
      credentials: { bearerTokenFile: tokenFile },
    });
    const outcome = await sendPush(configured, push(url), await body(t));
    assert.deepEqual(outcome, { kind: 'answer', status: 204 });
    assert.deepEqual(seen, { auth: 'Bearer secret-token', body: 'profile bytes', cn: 'furnace' });
    // Without the CA the sink's certificate is not trusted: an error, tried again later.
    const untrusted = await sendPush(
      sink(url, { tls: { serverName: 'sink.example' } }),
      push(url),
      await body(t),
    );
    assert.equal(untrusted.kind, 'error');
  });
});
