// The modules that add routes to the listeners: who callers are (auth), how sidecars register, the
// recordings (proxy, catalog routes, uploads) and the web UI. Each returns its routes; the listeners
// module registers them.
import { hostname } from 'node:os';
import { DEFAULT_INJECTION_CONFIG } from '../../core/injection/injection-config.ts';
import { createAccess } from '../auth/access.ts';
import { localPrograms, podWorkloads } from '../catalog/workload-naming.ts';
import { limitsFor } from '../config/config.ts';
import { newRegistrationSecret } from '../local-mode.ts';
import { createRecordingsState } from '../proxy/recordings-state.ts';
import { recordingRoutes } from '../proxy/recording-routes.ts';
import { sidecarThenAgentUpstreams, sidecarUpstreams } from '../proxy/upstreams.ts';
import { registrationRoutes } from '../registry/registration-routes.ts';
import type { RegistrationMode } from '../registry/sidecar-registration.ts';
import { registerUi } from '../ui/register-ui.ts';
import type { Context, LocalRecorder, Module } from './server-base.ts';
import { started } from './server-module.ts';

/** How often each replica drops the registrations whose lease ran out. */
const SWEEP_EVERY_MS = 5000;

/** Users: a bearer token, the oauth-proxy's headers or none (local mode), sessions shared by replicas. */
export const authModule: Module = {
  name: 'auth',
  needs: ['cluster', 'recorders', 'shared'],
  start({ base, get }) {
    const { config, now } = base;
    const kube = get('cluster')?.kube;
    const sessions = get('shared')?.sessions;
    return started(
      createAccess({
        ...{ mode: config.authMode, userHeader: config.userHeader, groupsHeader: config.groupsHeader },
        ...{ sessionSeconds: config.sessionSeconds, now, tokens: get('recorders').tokens },
        ...(sessions ? { sessions } : {}),
        ...(kube ? { kube } : {}),
      }),
    );
  },
};

/** Sidecars prove who they are by TokenReview in a cluster, by the shared secret in local mode. */
function registrationMode({ base, get }: Context, local: LocalRecorder | undefined): RegistrationMode {
  const cluster = get('cluster');
  const { config } = base;
  if (!cluster)
    return { kind: 'local', ...(local ?? { secret: newRegistrationSecret(), hostname: hostname() }) };
  const watch = get('podWatch');
  const { tokens, keys } = get('recorders');
  // N replicas: a review made by one travels to the others as a ticket the sidecar shows back.
  return {
    kind: 'kubernetes',
    kube: cluster.kube,
    sidecarImages: config.sidecarImages,
    injection: config.webhook?.injection ?? DEFAULT_INJECTION_CONFIG,
    tokens,
    cachedPod: (namespace, name) => watch?.getPod(namespace, name),
    ...(get('shared') ? { reviewTickets: keys } : {}),
  };
}

/** Sidecars' registration on the recorder listener; in local mode, the secret the local sidecar shows. */
export const registrationModule: Module = {
  name: 'registration',
  needs: ['cluster', 'recorders', 'shared', 'podWatch'],
  start(ctx) {
    const { config, now } = ctx.base;
    const local = ctx.base.local
      ? { secret: config.registrationSecret ?? newRegistrationSecret(), hostname: hostname() }
      : undefined;
    const mode = registrationMode(ctx, local);
    const registrations = ctx.get('shared')?.registrations;
    const routes = registrationRoutes({
      ...{ registry: ctx.get('recorders').sidecars, mode, now },
      limitsFor: (namespace) => limitsFor(config, namespace),
      write: registrations ? (input) => registrations.writeSidecar(input) : undefined,
    });
    return started({ mode, local }, { routes });
  },
};

/** Recordings: the proxy to recorders, start slots, the catalog's routes and uploads, expired registrations. */
export const recordingsModule: Module = {
  name: 'recordings',
  needs: ['cluster', 'catalog', 'recorders', 'agent', 'slots', 'leader'],
  start({ base, get }) {
    const { config, now, log } = base;
    const [catalog, registry, agent, cluster] = [
      get('catalog'),
      get('recorders').sidecars,
      get('agent'),
      get('cluster'),
    ];
    const state = createRecordingsState({
      ...{ catalog, registry, metricsRegistry: base.metricsRegistry, now, log },
      ...{ proxyTimeoutSeconds: config.proxyTimeoutSeconds, sharedSlots: get('slots') },
      recordEvent: cluster ? (event) => cluster.kube.recordEvent(event) : () => Promise.resolve(),
    });
    const leader = get('leader');
    const routes = recordingRoutes({
      ...{ state, catalog, registry, now, limitsFor: (namespace) => limitsFor(config, namespace) },
      ...{
        proxyTimeoutSeconds: config.proxyTimeoutSeconds,
        uploadTimeoutSeconds: config.uploadTimeoutSeconds,
      },
      ...{ allowSystemWide: config.allowSystemWide, sinks: config.sinks, merge: config.merge },
      upstreams: agent ? sidecarThenAgentUpstreams(registry, agent) : sidecarUpstreams(registry),
      agentUploader: agent ? agent.uploaderOf : () => undefined,
      agents: agent?.routing,
      isLeader: () => leader.isLeader(),
      workloads: base.local ? localPrograms : podWorkloads,
    });
    // Each replica's own memory; retention is a leader's chore (server/leader/chores.ts).
    const sweeps = setInterval(() => state.sweep(), SWEEP_EVERY_MS).unref();
    return started(state, { routes, stop: () => clearInterval(sweeps) });
  },
};

/** The web UI: its files, sign-in, and the small reads behind the recording form. */
export const uiModule: Module = {
  name: 'ui',
  needs: ['auth', 'recorders', 'registration', 'agent'],
  start({ base, get }) {
    const { config } = base;
    const agents = get('agent')?.routing;
    const deps = {
      ...{ access: get('auth'), registry: get('recorders').sidecars, registration: get('registration').mode },
      local: base.local,
      limitsFor: (namespace: string) => limitsFor(config, namespace),
      ...(agents ? { agents } : {}),
    };
    return started(undefined, { routes: { user: (scope) => registerUi(scope, deps) } });
  },
};
