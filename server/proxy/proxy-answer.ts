// What a sidecar's answer may carry to a browser on the server's origin. The sidecar API answers JSON,
// and each artifact with its own content type; anything else (HTML from a hostile sidecar, say) is
// refused with 502. Only a few headers pass, never Set-Cookie; every proxied reply says nosniff and
// carries a CSP that runs nothing, and artifacts are downloads (attachments), never pages of the UI.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { FurnaceError } from '../../core/contract/errors.ts';
import { ARTIFACT_CONTENT_TYPES, isArtifactName, type ArtifactName } from '../../core/contract/names.ts';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';
import { readBounded } from '../read-bounded.ts';
import { ANSWER_CSP } from '../answer-csp.ts';

/** Headers of the sidecar's answer that reach the client; everything else (cookies included) is dropped. */
const PASSED_HEADERS = new Set(['content-type', 'content-length', 'cache-control', 'etag', 'last-modified']);

const JSON_TYPE = 'application/json';
const RECORDING_ID = new RegExp(RECORDING_ID_PATTERN);

type Headers = Readonly<Record<string, unknown>>;

/** The artifact a proxied path names (`recordings/<id>/artifacts/<name>`), if it names one. */
export function artifactOf(rest: string): { id: string; name: ArtifactName } | undefined {
  const match = /^recordings\/([^/]+)\/artifacts\/([^/]+)$/.exec(rest);
  const [, id, name] = match ?? [];
  if (id === undefined || name === undefined || !isArtifactName(name)) return undefined;
  return { id, name };
}

function mediaType(value: string): string {
  const end = value.indexOf(';');
  return (end === -1 ? value : value.slice(0, end)).trim().toLowerCase();
}

/** The content types the sidecar API defines for a path: JSON everywhere, an artifact's own type too. */
export function allowedContentTypes(rest: string): string[] {
  const artifact = artifactOf(rest);
  return artifact ? [mediaType(ARTIFACT_CONTENT_TYPES[artifact.name]), JSON_TYPE] : [JSON_TYPE];
}

/** The upstream headers that pass, as reply-from's `rewriteHeaders` wants them. */
export function passedAnswerHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const passed: IncomingHttpHeaders = {};
  for (const name in headers) if (PASSED_HEADERS.has(name.toLowerCase())) passed[name] = headers[name];
  return passed;
}

function single(value: unknown): string | undefined {
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
}

/** Why an answer may not go out (undefined when it may): a body of a type the sidecar API does not define. */
export function refuseAnswer(rest: string, statusCode: number, headers: Headers): FurnaceError | undefined {
  const contentType = single(headers['content-type']);
  const length = single(headers['content-length']);
  const bodiless = statusCode === 204 || statusCode === 304 || length === '0';
  if (contentType === undefined && bodiless) return undefined;
  const allowed = allowedContentTypes(rest);
  if (contentType !== undefined && allowed.includes(mediaType(contentType))) return undefined;
  const shown = contentType === undefined ? 'no content type' : `content type ${contentType}`;
  return new FurnaceError(
    'ERR_UPSTREAM_FAILED',
    `the sidecar answered /${rest} with ${shown}, which its API does not define there (${allowed.join(', ')})`,
    { field: 'content-type', value: contentType ?? null, allowed },
  );
}

/** Whether an answer's headers say it is JSON. */
export function isJson(headers: Readonly<Record<string, unknown>> | undefined): boolean {
  const type = headers?.['content-type'];
  return typeof type === 'string' && /^application\/json\b/i.test(type.trim());
}

/**
 * Why a start's successful answer may not go out (undefined when it may): the sidecar API answers a start
 * it accepted with the recording's status, so a 2xx without a JSON body (a 204, say) names no recording:
 * the server could neither commit the start's slot nor tell the caller what was started.
 */
export function refuseBodilessStart(
  method: string,
  rest: string,
  statusCode: number,
  headers: Headers | undefined,
): FurnaceError | undefined {
  if (method !== 'POST' || rest !== 'recordings' || statusCode < 200 || statusCode > 299) return undefined;
  if (statusCode !== 204 && isJson(headers)) return undefined;
  return new FurnaceError(
    'ERR_UPSTREAM_FAILED',
    `the sidecar answered POST /${rest} with ${statusCode} and no recording status, which its API requires of a start it accepted`,
    { field: 'status', value: statusCode },
  );
}

/**
 * Drops a refused answer: a small one is read to its end, so its connection can serve again; a larger
 * one is cut off (the connection closes) instead of being read whole.
 */
export function discardAnswer(stream: Readable, maxBytes = 64 * 1024): void {
  readBounded(stream, maxBytes, 'refused sidecar answer').catch(() => undefined);
}

/** An upstream answer that was too large to hold is the sidecar's failure (502), not the caller's (413). */
export function upstreamAnswerError(error: unknown, what: string): FurnaceError {
  if (error instanceof FurnaceError && error.code === 'ERR_PAYLOAD_TOO_LARGE') {
    return new FurnaceError(
      'ERR_UPSTREAM_FAILED',
      `the sidecar's ${what} is larger than it may be: ${error.message}`,
      {
        ...error.details,
      },
    );
  }
  if (error instanceof FurnaceError) return error;
  return new FurnaceError(
    'ERR_UPSTREAM_FAILED',
    `the sidecar's ${what} could not be read (${(error as Error).message})`,
  );
}

/** Headers every proxied reply carries, errors included; a successful artifact answer is an attachment. */
export function secureProxyReply(reply: FastifyReply, rest: string): void {
  reply.removeHeader('set-cookie');
  void reply.header('x-content-type-options', 'nosniff').header('content-security-policy', ANSWER_CSP);
  const artifact = artifactOf(rest);
  if (artifact && reply.statusCode >= 200 && reply.statusCode < 300) {
    const file = RECORDING_ID.test(artifact.id) ? `${artifact.id}-${artifact.name}` : artifact.name;
    void reply.header('content-disposition', `attachment; filename="${file}"`);
  } else {
    reply.removeHeader('content-disposition');
  }
}
