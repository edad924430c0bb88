// The sidecar process: loads its configuration from the environment (the only reader of process.env in
// the sidecar), listens, registers with the server, stops cleanly on SIGTERM (recorder-start.ts).
import { hostname, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SIDECAR_ENV } from '../core/contract/names.ts';
import { buildSidecarApp } from './api/build-sidecar-app.ts';
import { readSidecarConfig, type SidecarConfig } from './config.ts';
import { isInNestedPidNamespace, readProcessTable } from './host/proc-table.ts';
import { log, newRecordingId, timers } from './process-support.ts';
import { createAutoProfiler } from './profilers/auto-profiler.ts';
import { createBpftraceProfiler } from './profilers/bpftrace/bpftrace-profiler.ts';
import { requestJvmPerfMaps } from './profilers/jvm/jvm-perf-map.ts';
import { createPprofProfiler, probePprof } from './profilers/pprof/pprof-profiler.ts';
import {
  fileSize,
  loadConfigOrExit,
  prepareRecorder,
  registerWithServer,
  serveApi,
  stopOnSignals,
  type RecorderBasics,
} from './recorder-start.ts';
import { RecordingController } from './recording/recording-controller.ts';
import { sendHttp } from './server-link/http-client.ts';
import { commandRunner } from './symbols/image-symbols.ts';

function createController(config: SidecarConfig, basics: RecorderBasics): RecordingController {
  const { spawnChild, tokens } = basics;
  return new RecordingController({
    config,
    spawn: spawnChild,
    run: commandRunner(spawnChild, process.env),
    timers,
    newId: newRecordingId,
    selfPid: process.pid,
    listProcesses: (withContainers) => readProcessTable({ withContainers }),
    nestedPidNamespace: () => isInNestedPidNamespace(),
    fileSize,
    send: sendHttp,
    sleep: (ms) => sleep(ms),
    random: Math.random,
    serverToken: () => tokens.uploadToken,
    readServerCa: basics.readServerCa,
    log,
    buildIdMmap: basics.buildIdMmap,
    requestJvmPerfMaps: (targets) => requestJvmPerfMaps(targets),
    profilers: (budget, perf) => {
      // The sidecar shares the pod's network: the target's pprof port is on 127.0.0.1.
      const pprofDeps = { config, budget, host: '127.0.0.1' };
      const pprof = createPprofProfiler(pprofDeps);
      return {
        pprof,
        auto: createAutoProfiler({ pprof, perf, probe: (params) => probePprof(pprofDeps, params) }),
        bpftrace: createBpftraceProfiler({ config, spawn: spawnChild, timers, budget }),
      };
    },
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit(() =>
    readSidecarConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() }),
  );
  const basics = await prepareRecorder(config);
  const { tokens } = basics;
  const controller = createController(config, basics);
  // Set once the HTTPS listener is up; the app asks it on every request.
  const serving: { tls?: unknown } = {};
  const app = buildSidecarApp({
    recordings: controller,
    limits: config.limits,
    isAcceptedToken: (token) => tokens.isAccepted(token, Date.now()),
    isRegistered: () => tokens.uploadToken !== undefined,
    requireTls: () => serving.tls !== undefined,
    logger: { level: config.logLevel },
  });
  const { port, tls } = await serveApi(app, config);
  serving.tls = tls;
  log('sidecar listening', {
    host: config.host,
    port,
    tlsPort: tls?.port,
    mode: config.mode,
    pod: `${config.podNamespace}/${config.podName}`,
    buildIdMmap: basics.buildIdMmap,
  });

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
