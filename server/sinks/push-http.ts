// One push over HTTP(S): the artifact streamed from the catalog's store as the body, TLS material and credentials read
// from their files for every push (a rotated Secret is picked up without a restart). A sink is outside
// Furnace's trust boundary, so its answer is treated as hostile: no redirect is followed (Node's client
// follows none, and a 3xx is reported with where it pointed), at most MAX_ANSWER_BYTES of the answer
// are read, the whole exchange has a deadline (the sink's timeoutSeconds), and only printable text of
// the answer, cut short, reaches the delivery state.
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { sanitizeSinkText, type PushOutcome } from '../../core/sinks/delivery.ts';
import type { PushRequest } from '../../core/sinks/push-request.ts';
import type { SinkConfig } from '../../core/sinks/sink.ts';
import type { OpenedArtifact } from '../storage/artifact-store.ts';

/** Opens the body of a push: the artifact from the catalog; undefined when it is gone. */
export type OpenBody = () => Promise<OpenedArtifact | undefined>;

/** The most of a sink's answer read; the rest is dropped with the connection. */
export const MAX_ANSWER_BYTES = 64 * 1024;

async function readSecret(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new Error(
      `could not read the sink's ${what} file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/** Authorization from the credential files: a bearer token, or basic auth from a user name and password. */
async function authorization(sink: SinkConfig): Promise<string | undefined> {
  const c = sink.credentials;
  if (c?.bearerTokenFile) return `Bearer ${await readSecret(c.bearerTokenFile, 'bearer token')}`;
  if (c?.usernameFile && c.passwordFile) {
    const user = await readSecret(c.usernameFile, 'user name');
    const password = await readSecret(c.passwordFile, 'password');
    return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  }
  return undefined;
}

async function tlsOptions(
  sink: SinkConfig,
): Promise<Partial<RequestOptions & { ca: string; cert: string; key: string; servername: string }>> {
  const t = sink.tls;
  if (!t) return {};
  return {
    ...(t.caFile ? { ca: await readSecret(t.caFile, 'CA') } : {}),
    ...(t.certFile ? { cert: await readSecret(t.certFile, 'client certificate') } : {}),
    ...(t.keyFile ? { key: await readSecret(t.keyFile, 'client key') } : {}),
    ...(t.serverName ? { servername: t.serverName } : {}),
  };
}

/** Reads at most MAX_ANSWER_BYTES of the answer; more is cut off. */
function readAnswer(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_ANSWER_BYTES) {
        chunks.push(chunk.subarray(0, chunk.length - (bytes - MAX_ANSWER_BYTES)));
        response.destroy();
        resolve(Buffer.concat(chunks));
        return;
      }
      chunks.push(chunk);
    });
    let ended = false;
    response.on('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    response.on('error', reject);
    response.on('close', () => {
      if (!ended) reject(new Error('the connection closed before the answer ended'));
    });
  });
}

/** What an answer's body says was rejected, if anything. */
type RejectionReader = (body: Buffer) => string | undefined;

/**
 * An OTLP success may still reject profiles (partial success): that is a final failure, not a delivery. The
 * answer's schema (protobuf's reflection and the generated code) loads with the first OTLP push, not at
 * every server's start.
 */
async function otlpRejectionReader(): Promise<RejectionReader> {
  const [{ fromBinary }, { ExportProfilesServiceResponseSchema }] = await Promise.all([
    import('@bufbuild/protobuf'),
    import('../../core/proto/gen/opentelemetry/proto/collector/profiles/v1development/profiles_service_pb.ts'),
  ]);
  return (body) => {
    try {
      const partial = fromBinary(ExportProfilesServiceResponseSchema, body).partialSuccess;
      if (partial && partial.rejectedProfiles > 0n)
        return `the collector rejected ${partial.rejectedProfiles} profile(s): ${sanitizeSinkText(partial.errorMessage)}`;
    } catch {
      // Not a protobuf answer: a 2xx is a delivery whatever its body says.
    }
    return undefined;
  };
}

function outcomeOf(response: IncomingMessage, body: Buffer, rejectionOf?: RejectionReader): PushOutcome {
  const status = response.statusCode ?? 0;
  if (rejectionOf && status >= 200 && status < 300) {
    const rejected = rejectionOf(body);
    if (rejected) return { kind: 'answer', status: 400, detail: rejected };
  }
  const type = String(response.headers['content-type'] ?? '');
  const text = /^(text\/|application\/json)/.test(type) ? sanitizeSinkText(body.toString('utf8')) : '';
  const location = response.headers.location;
  return {
    kind: 'answer',
    status,
    ...(text ? { detail: text } : {}),
    ...(location ? { location: sanitizeSinkText(location, 200) } : {}),
  };
}

/** Sends one push; never throws: every way it can end is a PushOutcome. */
export async function sendPush(
  sink: SinkConfig,
  push: PushRequest,
  openBody: OpenBody,
): Promise<PushOutcome> {
  let headers: Record<string, string | number>;
  let tls: Awaited<ReturnType<typeof tlsOptions>>;
  let body: OpenedArtifact | undefined;
  let rejectionOf: RejectionReader | undefined;
  try {
    rejectionOf = sink.type === 'otlp' ? await otlpRejectionReader() : undefined;
    const auth = await authorization(sink);
    tls = await tlsOptions(sink);
    body = await openBody();
    if (body === undefined) return { kind: 'error', message: `the catalog no longer holds ${push.artifact}` };
    headers = { ...push.headers, 'content-length': body.bytes, 'user-agent': 'furnace' };
    if (auth) headers.authorization = auth;
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  return streamPush(sink, push, { headers, tls, body, ...(rejectionOf ? { rejectionOf } : {}) });
}

function streamPush(
  sink: SinkConfig,
  push: PushRequest,
  parts: {
    headers: Record<string, string | number>;
    tls: Awaited<ReturnType<typeof tlsOptions>>;
    body: OpenedArtifact;
    rejectionOf?: RejectionReader;
  },
): Promise<PushOutcome> {
  const where = push.url.host;
  const { headers, tls } = parts;
  return new Promise<PushOutcome>((resolve) => {
    const send = push.url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(push.url, { method: 'POST', headers, ...tls, agent: false });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no complete answer within ${sink.timeoutSeconds} s (timeoutSeconds)`));
    }, sink.timeoutSeconds * 1000);
    const finish = (outcome: PushOutcome): void => {
      clearTimeout(timer);
      resolve(outcome);
    };
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        kind: 'error',
        message: `could not push to ${where}: ${error.code ? `${error.code} ` : ''}${sanitizeSinkText(error.message, 200)}`,
      }),
    );
    request.on('response', (response) => {
      readAnswer(response).then(
        (body) => finish(outcomeOf(response, body, parts.rejectionOf)),
        (error: Error) =>
          finish({ kind: 'error', message: `the answer from ${where} broke off: ${error.message}` }),
      );
    });
    const body = parts.body.body;
    body.on('error', (error) => request.destroy(error));
    request.on('close', () => body.destroy());
    body.pipe(request);
  });
}
