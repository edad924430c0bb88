// The sidecar process: loads its configuration from the environment (the only reader of process.env in
// the sidecar), listens, registers with the server, stops cleanly on SIGTERM (recorder-start.ts).
import { hostname, tmpdir } from 'node:os';
import { SIDECAR_ENV } from '../core/contract/names.ts';
import { readSidecarConfig, type SidecarConfig } from './config.ts';
import { isInNestedPidNamespace, readProcessTable } from './host/proc-table.ts';
import { log, timers } from './process-support.ts';
import { takeDataDir } from './host/data-dir-lock.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAutoProfiler } from './profilers/auto-profiler.ts';
import { createBpftraceProfiler } from './profilers/bpftrace/bpftrace-profiler.ts';
import { requestJvmPerfMaps } from './profilers/jvm/jvm-perf-map.ts';
import { createPprofProfiler, probePprof } from './profilers/pprof/pprof-profiler.ts';
import { createNodeProfiler } from './profilers/node/node-profiler.ts';
import { createSchedProfiler } from './profilers/sched/sched-profiler.ts';
import {
  recorderRuntime,
  registerWithServer,
  startRecorder,
  stopOnSignals,
  type RecorderBasics,
} from './recorder-start.ts';
import { RecordingController } from './recording/recording-controller.ts';

function createController(config: SidecarConfig, basics: RecorderBasics): RecordingController {
  const { spawnChild, tokens } = basics;
  const runtime = recorderRuntime(basics, process.env);
  return new RecordingController({
    config,
    ...runtime,
    listProcesses: (withContainers) => readProcessTable({ withContainers }),
    nestedPidNamespace: () => isInNestedPidNamespace(),
    serverToken: () => tokens.uploadToken,
    serverMaxArtifactBytes: () => tokens.maxArtifactBytes,
    requestJvmPerfMaps: (targets) => requestJvmPerfMaps(targets),
    profilers: (budget, perf) => {
      // The sidecar shares the pod's network: the target's pprof port is on 127.0.0.1.
      const pprofDeps = { config, budget, host: '127.0.0.1' };
      const pprof = createPprofProfiler(pprofDeps);
      const node = createNodeProfiler({ kill: (pid, signal) => process.kill(pid, signal), sleep });
      return {
        pprof,
        node,
        auto: createAutoProfiler({ pprof, perf, node, probe: (params) => probePprof(pprofDeps, params) }),
        bpftrace: createBpftraceProfiler({ config, spawn: spawnChild, timers, budget, run: runtime.run }),
        sched: createSchedProfiler({
          config,
          spawn: spawnChild,
          timers,
          budget,
          env: process.env,
          run: runtime.run,
        }),
      };
    },
  });
}

async function main(): Promise<void> {
  // Set once the HTTPS listener is up; the app asks it on every request.
  const serving: { tls?: unknown } = {};
  const started = await startRecorder(
    () => readSidecarConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() }),
    async (config, basics) => {
      const previous = await takeDataDir(config.dataDir, { sleep, now: Date.now });
      if (previous !== undefined) log('waited for the previous recorder to exit', { pid: previous });
      const controller = createController(config, basics);
      // What a previous run left is finished or queued before the first request (recording-journal.ts);
      // each (re)registration, as after the server was away, sends what the catalog has not taken yet.
      await controller.recover();
      basics.tokens.onAccepted(() => controller.retryUploads());
      return {
        recorder: controller,
        serve: { recordings: controller, requireTls: () => serving.tls !== undefined },
      };
    },
  );
  const { config, basics, recorder: controller, app, port, tls } = started;
  serving.tls = tls;
  log('sidecar listening', {
    host: config.host,
    port,
    tlsPort: tls?.port,
    mode: config.mode,
    pod: `${config.podNamespace}/${config.podName}`,
  });
  void basics.buildIdMmap.then((buildIdMmap) => log('perf probed', { buildIdMmap }));

  const registration =
    config.serverUrl === undefined
      ? undefined
      : registerWithServer(basics, config, {
          serverUrl: config.serverUrl,
          port,
          ...(tls ? { tls: { port: tls.port, pin: tls.pin } } : {}),
        });
  if (registration === undefined)
    log(`no ${SIDECAR_ENV.serverUrl}: not registering, so no proxy token will be accepted`);

  const shutdown = stopOnSignals({ registration, recorder: controller, tls, app });
  if (config.mode === 'local') {
    // The local server starts the sidecar; should the server die without stopping it, follow it.
    const parent = process.ppid;
    setInterval(
      () => process.ppid !== parent && shutdown('the process that started the sidecar exited'),
      1000,
    ).unref();
  }
}

await main();
