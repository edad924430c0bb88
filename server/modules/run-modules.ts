// Runs the server's modules (server-module.ts): orders them by their needs (a need that is no module, or
// a cycle, is an error before anything starts), starts them in that order, runs every module's chores under
// the leader's Lease, and reports ready when every module is. A stop turns readiness off, stops the chores,
// gives up what modules release (the Lease), waits the drain, then stops the modules in reverse order.
import { setTimeout as sleep } from 'node:timers/promises';
import { alwaysLeader, type Leadership } from '../../kube/leases/leader-election.ts';
import { startChores, type ChoreLog, type RunningChores } from '../leader/chores.ts';
import type { ModuleContext, ServerModule, StartedModule } from './server-module.ts';

/** The modules in an order where each comes after all it needs. */
export function orderModules<M extends { name: PropertyKey; needs: readonly PropertyKey[] }>(
  modules: readonly M[],
): M[] {
  const byName = new Map(modules.map((module) => [module.name, module]));
  const ordered: M[] = [];
  const state = new Map<PropertyKey, 'visiting' | 'done'>();
  const visit = (module: M, path: PropertyKey[]): void => {
    const seen = state.get(module.name);
    if (seen === 'done') return;
    if (seen === 'visiting')
      throw new Error(
        `server modules need each other in a cycle: ${[...path, module.name].map(String).join(' → ')}`,
      );
    state.set(module.name, 'visiting');
    for (const need of module.needs) {
      const needed = byName.get(need);
      if (!needed)
        throw new Error(`server module ${String(module.name)} needs ${String(need)}, which is no module`);
      visit(needed, [...path, module.name]);
    }
    state.set(module.name, 'done');
    ordered.push(module);
  };
  for (const module of modules) visit(module, []);
  return ordered;
}

export interface RunOptions<P, B> {
  modules: readonly ServerModule<P, B>[];
  base: B;
  log: ChoreLog;
  /** The module whose `provides` is the Leadership that chores run under; always leader without one. */
  leader?: keyof P;
  /** Turned on as a stop begins (readiness off; answers ask clients to close their connections). */
  draining?: { on: boolean };
}

export interface RunningModules<P = Record<PropertyKey, unknown>> {
  /** What a started module provides. */
  get<K extends keyof P>(name: K): P[K];
  /** The names in start order (stops go the other way). */
  readonly order: readonly PropertyKey[];
  isReady(): boolean;
  chores: RunningChores;
  /** Readiness off, chores stopped, releases, the drain, then every module in reverse order. */
  stop(options: { drainMs: number; graceMs: number }): Promise<void>;
}

export async function runModules<P, B>(options: RunOptions<P, B>): Promise<RunningModules<P>> {
  const ordered = orderModules(options.modules);
  const started = new Map<keyof P, StartedModule<P[keyof P]>>();
  let stopping = false;
  const isReady = (): boolean =>
    !stopping && ordered.every((module) => started.get(module.name)?.isReady?.() ?? started.has(module.name));
  const contextOf = (module: ServerModule<P, B>): ModuleContext<P, B> => ({
    base: options.base,
    isReady,
    routes: () => [...started.values()].flatMap((module) => (module.routes ? [module.routes] : [])),
    get: (name) => {
      const found = started.get(name);
      if (!module.needs.includes(name) || !found)
        throw new Error(`server module ${String(module.name)} reads ${String(name)} without needing it`);
      return found.provides as P[typeof name];
    },
  });
  try {
    for (const module of ordered) started.set(module.name, await module.start(contextOf(module)));
  } catch (error) {
    await stopAll([...started.values()].reverse(), 0);
    throw error;
  }
  const leadership =
    options.leader === undefined ? alwaysLeader() : (started.get(options.leader)?.provides as Leadership);
  const chores = startChores({
    leadership,
    chores: [...started.values()].flatMap((module) => module.chores ?? []),
    log: options.log,
  });
  return {
    get: (name) => started.get(name)?.provides as P[typeof name],
    order: ordered.map((module) => module.name),
    isReady,
    chores,
    async stop({ drainMs, graceMs }) {
      stopping = true;
      if (options.draining) options.draining.on = true;
      await chores.stop();
      for (const module of started.values()) await module.release?.();
      if (drainMs > 0) await sleep(drainMs);
      await stopAll([...started.values()].reverse(), graceMs);
    },
  };
}

async function stopAll(modules: readonly StartedModule<unknown>[], graceMs: number): Promise<void> {
  for (const module of modules) await module.stop?.(graceMs);
}
