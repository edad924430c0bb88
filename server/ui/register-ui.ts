// Everything the browser UI adds to the API listener, as one encapsulated plugin: the static UI and
// speedscope, sign-in, and the small reads behind the recording form.
import type { FastifyInstance } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import type { Access } from '../auth/access.ts';
import { identifyRequests } from '../auth/identify-requests.ts';
import type { RegistrationMode } from '../registry/sidecar-registration.ts';
import type { Registry } from '../registry/lease-registry.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUiApiRoutes } from './ui-api-routes.ts';
import { DEFAULT_UI_DIR, registerUiRoutes } from './ui-routes.ts';

export interface UiDeps {
  access: Access;
  registry: Registry;
  registration: RegistrationMode;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  /** The built UI; ui/dist by default. */
  uiDir?: string;
  /** Agent mode: pods without a sidecar that an agent can record. */
  agents?: AgentRouting;
}

export async function registerUi(app: FastifyInstance, deps: UiDeps): Promise<void> {
  const cachedPod: ((namespace: string, name: string) => V1Pod | undefined) | undefined =
    deps.registration.kind === 'kubernetes' ? deps.registration.cachedPod : undefined;
  registerSessionRoutes(app, { access: deps.access });
  // The sign-in routes above authenticate by themselves (they say who is signed in, or take a token);
  // the form's reads are identified like every other user route.
  await app.register((scope, _options, done) => {
    identifyRequests(scope, deps.access);
    registerUiApiRoutes(scope, {
      access: deps.access,
      registry: deps.registry,
      limitsFor: deps.limitsFor,
      ...(cachedPod ? { cachedPod } : {}),
      ...(deps.agents ? { agents: deps.agents } : {}),
    });
    done();
  });
  await registerUiRoutes(app, deps.uiDir ?? DEFAULT_UI_DIR);
}
