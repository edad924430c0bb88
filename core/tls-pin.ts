// The pin of a TLS key: SHA-256 of its DER SubjectPublicKeyInfo, base64url. The sidecar announces the pin
// of its serving key at registration (an authenticated call over the server's verified HTTPS), and the
// server's proxy accepts a sidecar's TLS connection only when the key it presents has that pin.
import { createHash, type KeyObject } from 'node:crypto';

export const TLS_PIN_PATTERN = '^[A-Za-z0-9_-]{43}$';

export function tlsPinOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64url');
}
