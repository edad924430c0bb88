// Whether a bearer token could be one the API server issues, decided without asking it. Pure.
// Kubernetes tokens are JWTs (service accounts, OIDC), OpenShift's `sha256~…` access tokens, bootstrap
// tokens (`abcdef.0123456789abcdef`) or static tokens: all within RFC 6750's b64token characters. A
// token outside that shape costs no TokenReview and no review budget.

/** RFC 6750 b64token, and a length no real token is above (service-account JWTs are about 1 KiB). */
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
export const MAX_TOKEN_LENGTH = 8192;

function isJwtHeader(part: string): boolean {
  try {
    const header: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return (
      typeof header === 'object' && header !== null && typeof (header as { alg?: unknown }).alg === 'string'
    );
  } catch {
    return false;
  }
}

/** Why a token is malformed, or undefined when it may be reviewed. */
export function malformedToken(token: string): string | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return `a token is at most ${MAX_TOKEN_LENGTH} characters long`;
  if (!TOKEN_PATTERN.test(token)) return 'a token has only base64url, ".", "~", "+" and "/" characters';
  const parts = token.split('.');
  // Three parts is a JWT (header.claims.signature): its header must say its algorithm.
  if (parts.length === 3 && !isJwtHeader(parts[0] ?? '')) return 'a JWT header is base64url JSON with alg';
  return undefined;
}
