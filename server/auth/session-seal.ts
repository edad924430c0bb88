// A browser session's token sealed for the shared store (N replicas): AES-256-GCM under a key derived
// (HKDF-SHA256) from the replicas' shared key and the session id, which only the browser's cookie holds.
// What the Kubernetes API stores opens neither without the cookie nor without the shared key; the
// cookie alone is no token for the API server. The Lease's name is a hash of the id, so the name does not
// lead back to the cookie either. Pure (node:crypto only).
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { SharedKey, SharedKeys } from '../../core/shared-key.ts';

const INFO = 'furnace session token v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function sealingKey(key: SharedKey, sessionId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key.bytes, Buffer.from(sessionId, 'utf8'), INFO, 32));
}

export interface SealedToken {
  /** The shared key the token was sealed under. */
  keyId: string;
  /** base64url of IV, ciphertext and tag. */
  sealed: string;
}

export function sealToken(key: SharedKey, sessionId: string, token: string): SealedToken {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(key, sessionId), iv);
  cipher.setAAD(Buffer.from(INFO));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return { keyId: key.id, sealed: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url') };
}

/** The token, or undefined when the key is not held here or the seal does not open with this id. */
export function openToken(keys: SharedKeys, sessionId: string, sealed: SealedToken): string | undefined {
  const key = keys.byId(sealed.keyId);
  const bytes = Buffer.from(sealed.sealed, 'base64url');
  if (!key || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(key, sessionId), bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(INFO));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** What names a session's record: a hash of its id, never the id. */
export function sessionHash(sessionId: string): string {
  return createHash('sha256').update(`furnace session\n${sessionId}`).digest('hex');
}
