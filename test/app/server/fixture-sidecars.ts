// Sidecars in the fixture's registry, as the recorder listener would register them.
import type { Registry } from '../../../server/registry/lease-registry.ts';

/** Registers a sidecar of namespace/pod at 127.0.0.1:port, as the recorder listener would; returns its tokens. */
export function registerSidecar(
  f: { registry: Registry },
  namespace: string,
  pod: string,
  port: number,
  podUid?: string,
) {
  return f.registry.register({
    namespace,
    pod,
    ...(podUid === undefined ? {} : { podUid }),
    address: { host: '127.0.0.1', port },
  });
}
