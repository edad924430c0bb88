// The sign-in cookie: written by the session routes, read by access.ts when no Authorization header
// is present. Its value is a session id (session-store.ts), never the token. HttpOnly (no script reads
// it), SameSite=Strict (no other site sends it) and Secure: only auth mode `kubernetes` signs in, and
// it is served over HTTPS (browsers also keep Secure cookies of http://localhost and 127.0.0.1, where
// tests run it).
import type { IncomingHttpHeaders } from 'node:http';
import { SESSION_COOKIE } from '../../core/contract/ui-contract.ts';

/** The session id from the Cookie header, or undefined. */
export function readSessionCookie(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index < 0 || part.slice(0, index).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(index + 1).trim();
    return /^[A-Za-z0-9._~+/=-]+$/.test(value) ? value : undefined;
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0`;
}
