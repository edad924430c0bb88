// A registration's two tokens, derived with a shared key (replicas/shared-key.ts) from what identifies
// the sidecar: namespace, pod, pod UID, address and the pin of its serving key. The sidecar makes a new
// serving key whenever it starts, so a restarted sidecar, a recreated pod or a pod at another address gets
// new tokens; a renewal of the same sidecar gets the same ones. Any replica that knows the registration
// derives them; none stores them. Pure.
import { deriveToken, type SharedKey } from '../../core/shared-key.ts';
import type { RecorderIdentity } from './recorder-identity.ts';

function fieldsOf(identity: RecorderIdentity): string[] {
  const { namespace, pod, podUid, address, tls } = identity;
  return [
    namespace,
    pod,
    podUid ?? '',
    address.host,
    String(address.port),
    String(tls?.port ?? ''),
    tls?.pin ?? '',
  ];
}

/** The token the server presents to the sidecar. */
export function proxyTokenOf(key: SharedKey, identity: RecorderIdentity): string {
  return deriveToken(key, 'proxy-token', fieldsOf(identity));
}

/** The token the sidecar uploads to the catalog with; it authorizes nothing else. */
export function uploadTokenOf(key: SharedKey, identity: RecorderIdentity): string {
  return deriveToken(key, 'upload-token', fieldsOf(identity));
}

export function deriveRegistrationTokens(
  key: SharedKey,
  identity: RecorderIdentity,
): { proxyToken: string; uploadToken: string } {
  return { proxyToken: proxyTokenOf(key, identity), uploadToken: uploadTokenOf(key, identity) };
}
