// A part of the server as a module: a name, the modules it needs, and a start that gives what it provides
// to the modules after it, with its routes, its leader-only chores, its readiness and its stop. The runner
// (run-modules.ts) starts modules in the order their needs make, and stops them in the reverse order.
import type { Chore } from '../leader/chores.ts';
import type { ListenerRoutes } from '../listeners/listener-routes.ts';

export interface StartedModule<T> {
  /** What the modules that need this one get from `ctx.get`. */
  provides: T;
  /** What it adds to the user and the recorder listeners (the listeners module registers them). */
  routes?: ListenerRoutes;
  /** Work that only the leader of the replicas does (run-modules.ts runs it under the Lease). */
  chores?: readonly Chore[];
  /** False while the module cannot serve yet (a watch before its first list); the probes ask every module. */
  isReady?: () => boolean;
  /** Given up as soon as a stop begins, before the drain: the leader Lease, so another replica takes over. */
  release?: () => Promise<void>;
  /** Stops the module; `graceMs` is how long open requests may still take. */
  stop?: (graceMs: number) => Promise<void> | void;
}

export interface ModuleContext<P, B> {
  /** What every module may read: the configuration, the clock, the logger. */
  readonly base: B;
  /** What a module named in `needs` provides. */
  readonly get: <K extends keyof P>(name: K) => P[K];
  /** Whether every module is ready and no stop has begun (the readiness probes). */
  readonly isReady: () => boolean;
  /** The routes of every module started so far, in start order. */
  readonly routes: () => readonly ListenerRoutes[];
}

export interface ServerModule<P, B, K extends keyof P = keyof P> {
  readonly name: K;
  readonly needs: readonly (keyof P)[];
  start(ctx: ModuleContext<P, B>): Promise<StartedModule<P[K]>> | StartedModule<P[K]>;
}

/** A module that provides nothing to others (a listener, a loop). */
export function started<T>(provides: T, rest: Omit<StartedModule<T>, 'provides'> = {}): StartedModule<T> {
  return { provides, ...rest };
}
