// The sidecar process: loads its configuration from the environment (the only reader of process.env in
// the sidecar), listens, registers with the server, stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { SIDECAR_ENV } from '../core/contract/names.ts';
import { buildSidecarApp } from './api/build-sidecar-app.ts';
import { ConfigError } from '../core/config/config-error.ts';
import { readSidecarConfig, type SidecarConfig } from './config.ts';
import { sendHttp } from './server-link/http-client.ts';
import { commandRunner } from './symbols/image-symbols.ts';
import { probeBuildIdMmap } from './profilers/perf/perf-runner.ts';
import { isInNestedPidNamespace, readProcessTable } from './host/proc-table.ts';
import { createAutoProfiler } from './profilers/auto-profiler.ts';
import { createBpftraceProfiler } from './profilers/bpftrace/bpftrace-profiler.ts';
import { requestJvmPerfMaps } from './profilers/jvm/jvm-perf-map.ts';
import { createPprofProfiler, probePprof } from './profilers/pprof/pprof-profiler.ts';
import { ProxyTokens } from './server-link/proxy-tokens.ts';
import { RecordingController } from './recording/recording-controller.ts';
import { startRegistration } from './server-link/registration.ts';
import { serverCaReader } from './server-link/server-ca.ts';
import { credentialReader, listenTls, log, newRecordingId, timers } from './process-support.ts';
import type { SpawnFn } from './host/runtime.ts';

async function main(): Promise<void> {
  let config: SidecarConfig;
  try {
    config = readSidecarConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(error.message, { key: error.key, allowed: error.allowed });
    process.exit(1);
  }
  const tokens = new ProxyTokens();
  const readServerCa = serverCaReader(config);
  const spawnChild = spawn as unknown as SpawnFn;
  await mkdir(config.dataDir, { recursive: true });
  const probeFile = `${config.dataDir}/probe-buildid-mmap.data`;
  const buildIdMmap = await probeBuildIdMmap(spawnChild, config.perfPath, probeFile);
  await rm(probeFile, { force: true });
  const controller = new RecordingController({
    config,
    spawn: spawnChild,
    run: commandRunner(spawnChild, process.env),
    timers,
    newId: newRecordingId,
    selfPid: process.pid,
    listProcesses: (withContainers) => readProcessTable({ withContainers }),
    nestedPidNamespace: () => isInNestedPidNamespace(),
    fileSize: (path) =>
      stat(path).then(
        (s) => s.size,
        () => 0,
      ),
    send: sendHttp,
    sleep: (ms) => sleep(ms),
    random: Math.random,
    serverToken: () => tokens.uploadToken,
    readServerCa,
    log,
    buildIdMmap,
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
  // Set once the HTTPS listener is up; the app asks it on every request.
  const serving: { tls?: Awaited<ReturnType<typeof listenTls>> } = {};
  const app = buildSidecarApp({
    recordings: controller,
    limits: config.limits,
    isAcceptedToken: (token) => tokens.isAccepted(token, Date.now()),
    isRegistered: () => tokens.uploadToken !== undefined,
    requireTls: () => serving.tls !== undefined,
    logger: { level: config.logLevel },
  });
  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as AddressInfo).port;
  const tls = await listenTls((request, response) => app.routing(request, response), config);
  serving.tls = tls;
  log('sidecar listening', {
    host: config.host,
    port,
    tlsPort: tls?.port,
    mode: config.mode,
    pod: `${config.podNamespace}/${config.podName}`,
    buildIdMmap,
  });

  const registration =
    config.serverUrl === undefined
      ? undefined
      : startRegistration(
          {
            send: sendHttp,
            readCredential: credentialReader(config),
            timers,
            random: Math.random,
            tokens,
            readCa: readServerCa,
            log,
          },
          { serverUrl: config.serverUrl, port, ...(tls ? { tls: { port: tls.port, pin: tls.pin } } : {}) },
        );
  if (registration === undefined)
    log(`no ${SIDECAR_ENV.serverUrl}: not registering, so no proxy token will be accepted`);

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log('shutting down', { signal });
    registration?.stop();
    const forced = setTimeout(() => process.exit(1), 20_000);
    forced.unref();
    void controller
      .close()
      .then(() => {
        tls?.server.closeAllConnections();
        tls?.server.close();
        return app.close();
      })
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
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
