// The node agent process: the sidecar's recorder run on a node with the host's PID namespace, for pods
// the server names per request (recorders.ts). Loads its configuration from the environment (the only
// reader of process.env in the agent), serves the API over HTTPS only (the scope header and the proxy token
// never travel in clear text), registers with the server as the agent of its node, stops on SIGTERM.
import { hostname, tmpdir } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { AGENT_SCOPE_HEADER, decodeAgentScope } from '../../core/contract/agent-scope.ts';
import { createDiskBudget, diskUsage } from '../host/disk-budget.ts';
import { readProcessTable } from '../host/proc-table.ts';
import { log, timers } from '../process-support.ts';
import { createSchedProfiler } from '../profilers/sched/sched-profiler.ts';
import {
  fileSize,
  recorderRuntime,
  registerWithServer,
  startRecorder,
  stopOnSignals,
} from '../recorder-start.ts';
import { startContinuous } from '../continuous/start-continuous.ts';
import { readAgentConfig } from './agent-config.ts';
import { AgentRecorders } from './recorders.ts';
import { canEnterMountNamespaces } from '../profilers/perf/perf-symfs.ts';
import { bpftraceBtfEnv } from '../profilers/bpftrace/btf-env.ts';

type SchedDeps = Omit<Parameters<typeof createSchedProfiler>[0], 'timers' | 'env'>;

function schedProfiler(deps: SchedDeps, env: Record<string, string>): ReturnType<typeof createSchedProfiler> {
  return createSchedProfiler({ ...deps, timers, env: { ...process.env, ...env } });
}

async function main(): Promise<void> {
  let symbolTree = false;
  const started = await startRecorder(
    () => readAgentConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() }),
    async (config, basics) => {
      symbolTree = !(await canEnterMountNamespaces());
      // Without CAP_SYS_ADMIN bpftrace finds the kernel's types only when told the file (btf-env.ts).
      const btf = await bpftraceBtfEnv(!symbolTree, process.env);
      const runtime = recorderRuntime(basics, process.env);
      const recorders = new AgentRecorders({
        config,
        ...runtime,
        // Without CAP_SYS_ADMIN perf cannot open a pod's binaries in its mount namespace: docs/agent.md.
        symbolTree,
        budget: createDiskBudget(config.dataDir, config.diskBudgetBytes, {
          usage: diskUsage,
          size: fileSize,
        }),
        readProcesses: (cgroupOwner) => readProcessTable({ withContainers: true, cgroupOwner }),
        // Profiles offcpu and wall: Furnace's own program, scoped to the pod's containers' cgroups.
        profilers: (budget) => ({
          sched: schedProfiler({ config, budget, spawn: basics.spawnChild, run: runtime.run }, btf),
        }),
      });
      // What a previous run left is finished or queued before the first request; each (re)registration
      // sends what the catalog has not taken yet (recorders.ts).
      await recorders.recover();
      basics.tokens.onAccepted(() => recorders.retryUploads());
      const serve = {
        // Reached only after the proxy token was checked (onRequest): the scope is the server's.
        recordings: (request: FastifyRequest) =>
          recorders.for(decodeAgentScope(request.headers[AGENT_SCOPE_HEADER])),
        requireTls: () => true,
      };
      return { recorder: recorders, serve };
    },
  );
  const { config, basics, recorder: recorders, app, port, tls } = started;
  if (tls === undefined) {
    log('the agent serves its API over HTTPS only, and its port could not be had: exiting', {
      tlsPort: config.tlsPort,
    });
    process.exit(1);
  }
  log('agent listening', {
    host: config.host,
    port,
    tlsPort: tls.port,
    node: config.nodeName,
    symbolTree,
  });
  void basics.buildIdMmap.then((buildIdMmap) => log('perf probed', { buildIdMmap }));
  const registration = registerWithServer(basics, config, {
    serverUrl: config.serverUrl,
    path: '/api/v1/agents',
    body: { node: config.nodeName },
    port,
    tls: { port: tls.port, pin: tls.pin },
  });
  // Continuous profiling of the pods the server selects on this node (none until it selects some).
  const continuous = startContinuous(config, basics);
  const recorder = { close: () => Promise.all([recorders.close(), continuous.stop()]).then(() => undefined) };
  stopOnSignals({ registration, recorder, tls, app });
}

await main();
