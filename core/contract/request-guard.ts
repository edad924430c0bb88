// Which requests the user listener lets through before any route runs. Two rules:
// - state-changing calls (POST, PUT, PATCH) carry a JSON content type, in every auth mode: an HTML form
//   or a no-cors fetch from another site can only send form or text bodies, and a JSON body from another
//   origin needs a CORS preflight, which this server never grants. A file upload (a symbol file) is
//   `application/octet-stream`, which needs that preflight as much: it is no CORS-safelisted type;
// - in auth mode `none` (loopback, nobody authenticated) the Host header names a loopback address, so a
//   web page that rebinds its DNS name to 127.0.0.1 gets nothing, and browser requests come from the
//   listener's own origin.
// The decision is pure (`checkUserRequest`); server/auth/request-guard-hook.ts is the Fastify hook around
// it, and the CLI's local UI forwarder applies the same rules.
import { FurnaceError } from './errors.ts';

export interface RequestFacts {
  method: string;
  /** The listener's scheme, for the origin it serves (`http` when unset). */
  protocol?: 'http' | 'https';
  host?: string;
  origin?: string;
  contentType?: string;
  /** Sent by browsers: same-origin, same-site, cross-site or none (typed in, bookmarks). */
  secFetchSite?: string;
  /** Sent by browsers: navigate for a page load, cors, no-cors, ... */
  secFetchMode?: string;
}

export interface GuardOptions {
  /** Auth mode `none`: loopback Host headers and same-origin browser requests only. */
  loopbackOnly: boolean;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH']);
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** application/json, or any application/…+json, with parameters or without. */
export function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(type);
}

/**
 * A body no HTML form or no-cors fetch can send (JSON, or application/octet-stream for file uploads), with
 * parameters or without.
 */
export function isPreflightedContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return isJsonContentType(value) || type === 'application/octet-stream';
}

/** The host name of a Host header value (`name[:port]` or `[v6][:port]`), lower-cased; '' when malformed. */
function hostNameOf(host: string): string {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/.exec(host.trim().toLowerCase());
  return match?.[1] ?? '';
}

/**
 * Only names that no DNS answer can redirect: IPv4 and IPv6 loopback literals, and `localhost` and one
 * label under it (RFC 6761), which browsers resolve to loopback themselves; the run key's cookie lives
 * on such a name (core/contract/run-key.ts). The port is not pinned: an SSH tunnel may forward another.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = hostNameOf(host);
  return (
    name === 'localhost' ||
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.localhost$/.test(name) ||
    name === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)
  );
}

function forbidden(message: string, details: Record<string, unknown>): FurnaceError {
  return new FurnaceError('ERR_FORBIDDEN', message, details);
}

function checkBrowserOrigin(facts: RequestFacts): FurnaceError | undefined {
  const site = facts.secFetchSite?.toLowerCase();
  const navigation = facts.secFetchMode?.toLowerCase() === 'navigate' && READS.has(facts.method);
  // A link followed from another site is a page load like a typed URL; everything else must be ours.
  if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation)
    return forbidden(
      `Sec-Fetch-Site ${site} is refused: in local mode only pages served by this listener may call it`,
      { field: 'sec-fetch-site', value: site, allowed: 'same-origin, none' },
    );
  if (facts.origin === undefined) return undefined;
  const own = `${facts.protocol ?? 'http'}://${facts.host ?? ''}`.toLowerCase();
  if (facts.origin.toLowerCase() !== own && !navigation)
    return forbidden(`Origin ${facts.origin} is refused: in local mode only ${own} may call this listener`, {
      field: 'origin',
      value: facts.origin,
      allowed: own,
    });
  return undefined;
}

/** The refusal for a request the user listener must not serve, or undefined. */
export function checkUserRequest(facts: RequestFacts, options: GuardOptions): FurnaceError | undefined {
  if (options.loopbackOnly) {
    if (!isLoopbackHost(facts.host))
      return forbidden(
        `Host ${facts.host ?? '(none)'} is refused: in local mode only 127.0.0.1, [::1], localhost or a name under .localhost`,
        {
          field: 'host',
          value: facts.host,
          allowed: '127.0.0.1, [::1], localhost or NAME.localhost, with any port',
        },
      );
    const refusal = checkBrowserOrigin(facts);
    if (refusal) return refusal;
  }
  if (STATE_CHANGING.has(facts.method) && !isPreflightedContentType(facts.contentType))
    return new FurnaceError(
      'ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type ${facts.contentType ?? '(none)'} is refused: ${facts.method} needs application/json (application/octet-stream for a file)`,
      {
        field: 'content-type',
        value: facts.contentType,
        allowed: 'application/json, application/octet-stream',
      },
    );
  return undefined;
}
