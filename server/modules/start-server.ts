// Starting the server: the whole configuration read and checked before anything listens, the one logger
// built, the module table run (module-table.ts), and the lines a user reads once it listens. main.ts
// calls this and handles the signals.
import { loadServerConfig } from '../config/load-config.ts';
import { candidateIdentity } from '../leader/server-leadership.ts';
import { announceLocal } from '../local-mode.ts';
import { createServerLogger } from '../operations/logging.ts';
import { createMetricsRegistry } from '../operations/metrics.ts';
import { SHUTDOWN_GRACE_MS, type Draining } from '../shutdown.ts';
import { SERVER_MODULES } from './module-table.ts';
import { runModules } from './run-modules.ts';
import type { Provided, ServerBase } from './server-base.ts';

export interface StartOptions {
  /** `--local`: local mode. */
  local: boolean;
  /** The process's environment: the only place the server reads it from. */
  env: Record<string, string | undefined>;
  /** Ends the process with one line on stderr. */
  fail: (message: string) => never;
}

export interface RunningServer {
  /** Readiness off, chores stopped, the Lease released, the drain, then the modules in reverse. */
  stop(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { local, env, fail } = options;
  const config = await loadServerConfig({ env, local });
  const log = createServerLogger(config.logLevel, config.logFormat);
  const draining: Draining = { on: false };
  const base: ServerBase = {
    ...{ config, local, now: () => Date.now(), log, metricsRegistry: createMetricsRegistry(), draining },
    ...{ candidate: candidateIdentity(), env, fail },
  };
  const running = await runModules<Provided, ServerBase>({
    modules: SERVER_MODULES,
    base,
    log,
    leader: 'leader',
    draining,
  });
  const { url, recorderUrl, localKey } = running.get('listeners');
  const recorder = running.get('registration').local;
  process.stdout.write(`Furnace ${local ? 'local mode ' : ''}listening on ${url}\n`);
  process.stdout.write(`Sidecars register at ${recorderUrl}\n`);
  if (localKey && recorder) announceLocal(url, localKey, config.dataDir, recorder.hostname);
  const drainMs = config.drainSeconds * 1000;
  return { stop: () => running.stop({ drainMs, graceMs: SHUTDOWN_GRACE_MS }) };
}
