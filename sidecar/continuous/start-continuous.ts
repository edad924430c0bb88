// Continuous profiling as the agent process runs it: the collector over the node's /proc and perf, its
// calls to the server with the registration's upload token, and the loop. agent/main.ts starts it.
import { spawnHelper } from '../host/spawn-helper.ts';
import type { KernelSymbols } from '../symbols/kernel-symbols.ts';
import { log, timers } from '../process-support.ts';
import type { ProxyTokens } from '../server-link/proxy-tokens.ts';
import { keepAliveSend } from '../server-link/http-client.ts';
import { createProcScan } from './cgroup-scan.ts';
import { ContinuousCollector } from './continuous-collector.ts';
import { startContinuousLoop } from './continuous-loop.ts';
import { createContinuousLink } from './server-calls.ts';

export interface ContinuousStartConfig {
  serverUrl: string;
  nodeName: string;
  perfPath: string;
  dataDir: string;
  continuous: { pollSeconds: number; maxPendingWindows: number };
}

const spawnChild = spawnHelper;
/** How long the connection to the server stays open without a call (a poll at least every 7.5 s at the defaults). */
const CONNECTION_IDLE_MS = 60_000;

export function startContinuous(
  config: ContinuousStartConfig,
  basics: { tokens: ProxyTokens; readServerCa(): Promise<string | undefined>; kernelSymbols: KernelSymbols },
): { stop(): Promise<void> } {
  const link = createContinuousLink({
    // A poll every few seconds and a window every 15 s: one connection (one TLS handshake) for all.
    send: keepAliveSend(CONNECTION_IDLE_MS),
    serverUrl: config.serverUrl,
    node: config.nodeName,
    token: () => basics.tokens.uploadToken,
    readCa: () => basics.readServerCa(),
  });
  const collector = new ContinuousCollector({
    spawn: spawnChild,
    perfPath: config.perfPath,
    node: config.nodeName,
    scan: createProcScan(),
    upload: (window) => link.upload(window),
    log,
    now: () => Date.now(),
    maxPendingWindows: config.continuous.maxPendingWindows,
    kernelSymbols: basics.kernelSymbols,
  });
  return startContinuousLoop({
    collector,
    fetchPlan: () => link.fetchPlan(),
    timers,
    log,
    pollSeconds: config.continuous.pollSeconds,
  });
}
