// What the web UI and the server agree on beside the main API: page paths, the sign-in cookie,
// and the answers of the routes the UI adds (server/ui/).
import type { RecordingLimits } from './limits.ts';

/** Fastify route patterns of the pages besides `/`. The server answers each with index.html. */
export const UI_PAGE_ROUTES = [
  '/recordings/:id',
  '/compare/:before/:after',
  '/history',
  '/continuous',
] as const;

/** Where the speedscope app is served, from its npm package. */
export const SPEEDSCOPE_PATH = '/speedscope/';

/** Name of the HttpOnly cookie that holds a signed-in user's token (auth mode `kubernetes`). */
export const SESSION_COOKIE = 'furnace_session';

/** `GET|POST|DELETE /api/v1/session`. */
export interface SessionView {
  /** The auth mode. */
  mode: 'kubernetes' | 'proxy' | 'none';
  /**
   * The server runs local mode (`npm start`: one recorder, this machine's processes, no workloads) rather
   * than in a cluster. Said by the server, which knows from its start: a cluster may have a namespace
   * named `local` too.
   */
  local: boolean;
  signedIn: boolean;
  user?: string;
  groups?: string[];
  /** Why the caller is not signed in (the server's message). */
  reason?: string;
}

/** `GET /api/v1/limits?namespace=`. */
export interface LimitsView {
  namespace: string;
  limits: RecordingLimits;
  defaults: { durationSeconds: number; frequency: number; symbols: string };
}

/** `GET /api/v1/pods/:namespace/:pod/containers`: the pod's containers besides the recorder. */
export interface PodContainersView {
  namespace: string;
  pod: string;
  containers: string[];
}

/** `GET /api/v1/sidecars` items. */
export interface SidecarView {
  namespace: string;
  pod: string;
  podUid?: string;
  /** How the pod is recorded: its own sidecar, or the agent of its node (docs/agent.md). */
  mode?: 'sidecar' | 'agent';
  node?: string;
  registeredAt: string;
  expiresAt: string;
}
