// Sidecars' registration and renewal on the recorder listener, proven as the mode says (the local secret
// or a TokenReview) and stored in this replica's registry or, with several replicas, the shared Leases.
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { ListenerRoutes } from '../listeners/listener-routes.ts';
import type { Registration, Registry, RegisterInput } from './lease-registry.ts';
import { registerSidecarRoutes, type RegistrationMode } from './sidecar-registration.ts';

export interface RegistrationRouteParts {
  registry: Registry;
  mode: RegistrationMode;
  now: () => number;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  /** Stores a registration: the registry, or (several replicas) the shared Leases. */
  write: ((input: RegisterInput) => Promise<Registration>) | undefined;
}

export function registrationRoutes({ limitsFor, write, ...parts }: RegistrationRouteParts): ListenerRoutes {
  return {
    recorder: (scope) =>
      registerSidecarRoutes(scope, {
        ...parts,
        maxArtifactBytesFor: (namespace) => limitsFor(namespace).maxArtifactBytes,
        ...(write ? { write } : {}),
      }),
  };
}
