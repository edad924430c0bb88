// Everything the browser UI adds to the API listener, as one encapsulated plugin: the static UI and
// speedscope, sign-in, and the small reads behind the recording form.
import type { FastifyInstance } from 'fastify';
import type { V1Pod } from '@kubernetes/client-node';
import type { RecordingLimits } from '../../core/contract/limits.ts';
import type { AgentRouting } from '../agent/agent-routing.ts';
import type { Access } from '../auth/access.ts';
import { guardScope } from '../auth/route-guard.ts';
import type { RegistrationMode } from '../registry/sidecar-registration.ts';
import type { Registry } from '../registry/lease-registry.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { registerUiApiRoutes } from './ui-api-routes.ts';
import { DEFAULT_UI_DIR, registerUiRoutes } from './ui-routes.ts';

export interface UiDeps {
  access: Access;
  registry: Registry;
  registration: RegistrationMode;
  /** Local mode (`npm start`): the session's answer tells the UI. */
  local: boolean;
  limitsFor: (namespace: string) => Readonly<RecordingLimits>;
  /** The built UI; ui/dist by default. */
  uiDir?: string;
  /** Agent mode: pods without a sidecar that an agent can record. */
  agents?: AgentRouting;
}

export async function registerUi(app: FastifyInstance, deps: UiDeps): Promise<void> {
  // Local mode has no pods to read: every answer lists no containers.
  const cachedPod: (namespace: string, name: string) => V1Pod | undefined =
    (deps.registration.kind === 'kubernetes' ? deps.registration.cachedPod : undefined) ?? (() => undefined);
  registerSessionRoutes(app, { access: deps.access, local: deps.local });
  await app.register((scope, _options, done) => {
    registerUiApiRoutes(scope, {
      registry: deps.registry,
      limitsFor: deps.limitsFor,
      cachedPod,
      ...(deps.agents ? { agents: deps.agents } : {}),
    });
    done();
  });
  const { uiDir = DEFAULT_UI_DIR } = deps;
  await app.register(async (scope) => {
    guardScope(scope, { public: 'the web UI’s own files: the same for everyone, no one’s data' });
    await registerUiRoutes(scope, uiDir);
  });
}
