// The path a proxied request asks of the sidecar: the request target after /proxy/<namespace>/<pod>,
// query included, as the caller sent it. A path the sidecar could resolve to another one than the proxy
// authorized and checked (a dot segment, raw or percent-encoded; a backslash; an encoded slash; a control
// character) is refused before any connection.
import { FurnaceError } from '../core/errors.ts';

/** Leading segments of `/proxy/<namespace>/<pod>`, counting the empty one before the first slash. */
const PREFIX_SEGMENTS = 4;
function unsafe(segment: string): boolean {
  for (let i = 0; i < segment.length; i++) {
    const code = segment.charCodeAt(i);
    // a slash, a backslash, a C0 control character or DEL
    if (code === 0x2f || code === 0x5c || code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function refuse(url: string, why: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_PARAMETER', `the proxied path ${JSON.stringify(url)} ${why}`, {
    field: 'path',
    value: url,
  });
}

function decoded(segment: string, url: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refuse(url, `has a malformed percent-encoding in segment ${JSON.stringify(segment)}`);
  }
}

export function forwardedPath(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const segments = path.split('/').slice(PREFIX_SEGMENTS);
  for (const segment of segments) {
    if (segment.includes('\\')) throw refuse(url, 'holds a backslash');
    const plain = segment.includes('%') ? decoded(segment, url) : segment;
    if (plain === '.' || plain === '..') throw refuse(url, 'holds a dot segment');
    if (unsafe(plain))
      throw refuse(
        url,
        `holds an encoded slash, backslash or control character in ${JSON.stringify(segment)}`,
      );
  }
  return `/${segments.join('/')}${queryAt >= 0 ? url.slice(queryAt) : ''}`;
}
