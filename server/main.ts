// The server process: loads and validates the whole configuration from the environment before anything
// listens, builds the one logger, then runs the server's modules (modules/module-table.ts) and stops them
// on a signal. Two API listeners: the user one (`host`, `port`) and the recorder one (`recorder.host`,
// `recorder.port`), plus the webhook in a cluster. `--local` runs local mode (both on loopback, auth
// `none`, plus one local sidecar process that registers with the recorder listener). The only reader of
// process.env in the server.
import { loadServerConfig } from './config/load-config.ts';
import { announceLocal } from './local-mode.ts';
import { SERVER_MODULES } from './modules/module-table.ts';
import { runModules, type RunningModules } from './modules/run-modules.ts';
import type { Provided, ServerBase } from './modules/server-base.ts';
import { candidateIdentity } from './leader/server-leadership.ts';
import { createServerLogger } from './operations/logging.ts';
import { createMetricsRegistry } from './operations/metrics.ts';
import { SHUTDOWN_GRACE_MS, type Draining } from './shutdown.ts';

/** Readiness: off from the first signal on (server/shutdown.ts). */
const draining: Draining = { on: false };

function fail(message: string): never {
  process.stderr.write(`furnace: ${message}\n`);
  process.exit(1);
}

async function start(local: boolean): Promise<{ running: RunningModules<Provided>; drainMs: number }> {
  const config = await loadServerConfig({ env: process.env, local });
  const log = createServerLogger(config.logLevel, config.logFormat);
  const base: ServerBase = {
    ...{ config, local, now: () => Date.now(), log, metricsRegistry: createMetricsRegistry(), draining },
    ...{ candidate: candidateIdentity(), env: process.env, fail },
  };
  const running = await runModules<Provided, ServerBase>({
    modules: SERVER_MODULES,
    base,
    log,
    leader: 'leader',
    draining,
  });
  const { url, recorderUrl, localKey, local: recorder } = running.get('listeners');
  process.stdout.write(`Furnace ${local ? 'local mode ' : ''}listening on ${url}\n`);
  process.stdout.write(`Sidecars register at ${recorderUrl}\n`);
  if (localKey && recorder) announceLocal(url, localKey, config.dataDir, recorder.hostname);
  return { running, drainMs: config.drainSeconds * 1000 };
}

let stopping = false;

async function main(): Promise<void> {
  let started: { running: RunningModules<Provided>; drainMs: number };
  try {
    started = await start(process.argv.includes('--local'));
  } catch (error) {
    fail((error as Error).message);
  }
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    started.running.stop({ drainMs: started.drainMs, graceMs: SHUTDOWN_GRACE_MS }).then(
      () => {
        process.stdout.write('Furnace stopped\n');
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${(error as Error).message}`),
    );
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

await main();
