// The start-up and shutdown that the sidecar (main.ts) and the node agent (agent/main.ts) share: the
// configuration or a one-line exit, the perf probe, the API on HTTP and HTTPS, registration, and a clean
// stop on SIGTERM. Each entry point only builds what differs: its recorder and its registration target.
import { mkdir, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../core/config/config-error.ts';
import type { RecordingLimits } from '../core/contract/limits.ts';
import { buildSidecarApp, type SidecarAppDeps } from './api/build-sidecar-app.ts';
import { createServingIdentity, type ServingIdentity } from './api/self-signed-certificate.ts';
import { isMapsUnreadable, isProcessGone, sampleCpuPercent } from './host/proc-table.ts';
import { spawnHelper } from './host/spawn-helper.ts';

/** How long GET /processes watches the matching processes to tell their CPU share. */
const CPU_SAMPLE_MS = 300;
import type { SpawnFn } from './host/runtime.ts';
import { listenTls, credentialReader, log, newRecordingId, timers } from './process-support.ts';
import { probeBuildIdMmap } from './profilers/perf/perf-runner.ts';
import type { ControllerDeps } from './recording/recording-controller.ts';
import { sendHttp } from './server-link/http-client.ts';
import { ProxyTokens } from './server-link/proxy-tokens.ts';
import { startRegistration, type RegistrationOptions } from './server-link/registration.ts';
import { serverCaReader } from './server-link/server-ca.ts';
import { commandRunner } from './symbols/image-symbols.ts';
import { createKernelSymbolsCopy, type KernelSymbols } from './symbols/kernel-symbols.ts';

/** Reads the configuration, or logs the one bad key and exits 1. */
export function loadConfigOrExit<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(error.message, { key: error.key, allowed: error.allowed });
    process.exit(1);
  }
}

export const fileSize = (path: string): Promise<number> =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );

export interface RecorderBasics {
  spawnChild: SpawnFn;
  tokens: ProxyTokens;
  readServerCa: ReturnType<typeof serverCaReader>;
  /**
   * Whether perf can take build ids from mmap events: probed once at start (a whole perf record), read by
   * the first recording's plan, so that the recorder listens and registers without waiting for it.
   */
  buildIdMmap: Promise<boolean>;
  /** The API's throwaway HTTPS key and certificate. */
  identity: ServingIdentity;
  /** The copy of the kernel's symbols that every perf script of this process reads (kernel-symbols.ts). */
  kernelSymbols: KernelSymbols;
}

interface BasicsConfig {
  dataDir: string;
  perfPath: string;
  diskBudgetBytes: number;
}

/**
 * The copy of the kernel's symbols (about 3 MB) lives in the data directory, inside the disk budget: only a
 * budget of at least this much keeps one, so that it never takes more than a few percent of the room.
 */
export const KALLSYMS_COPY_MIN_BUDGET = 64 * 1024 * 1024;

function keptKernelSymbols(config: BasicsConfig): KernelSymbols {
  if (config.diskBudgetBytes < KALLSYMS_COPY_MIN_BUDGET) return () => Promise.resolve(undefined);
  return createKernelSymbolsCopy(`${config.dataDir}/kallsyms`);
}

/**
 * What every recorder process needs before it builds its recorder. The perf probe (a child process) and
 * the HTTPS identity, whose first issue loads the X.509 library (about a third of a second of this
 * thread), run side by side.
 */
export async function prepareRecorder(
  config: BasicsConfig & Parameters<typeof serverCaReader>[0],
): Promise<RecorderBasics> {
  const spawnChild: SpawnFn = spawnHelper;
  await mkdir(config.dataDir, { recursive: true });
  const probeFile = `${config.dataDir}/probe-buildid-mmap.data`;
  const probe = async (): Promise<boolean> => {
    const supported = await probeBuildIdMmap(spawnChild, config.perfPath, probeFile);
    await rm(probeFile, { force: true });
    return supported;
  };
  // A failed probe answers false (probeBuildIdMmap does), so nobody is left with a rejection.
  const buildIdMmap = probe().catch(() => false);
  const identity = await createServingIdentity();
  return {
    spawnChild,
    tokens: new ProxyTokens(),
    readServerCa: serverCaReader(config),
    buildIdMmap,
    identity,
    kernelSymbols: keptKernelSymbols(config),
  };
}

/** What a recorder takes from its process, the same for the sidecar's controller and the agent's recorders. */
export function recorderRuntime(
  basics: RecorderBasics,
  env: NodeJS.ProcessEnv,
): Pick<
  ControllerDeps,
  | 'spawn'
  | 'run'
  | 'timers'
  | 'newId'
  | 'selfPid'
  | 'fileSize'
  | 'send'
  | 'sleep'
  | 'random'
  | 'readServerCa'
  | 'log'
  | 'buildIdMmap'
  | 'kernelSymbols'
  | 'isProcessGone'
  | 'isMapsUnreadable'
  | 'sampleCpuPercent'
> {
  const { spawnChild } = basics;
  return {
    spawn: spawnChild,
    run: commandRunner(spawnChild, env),
    timers,
    newId: newRecordingId,
    selfPid: process.pid,
    fileSize,
    send: sendHttp,
    sleep: (ms) => sleep(ms),
    random: Math.random,
    readServerCa: basics.readServerCa,
    log,
    buildIdMmap: basics.buildIdMmap,
    kernelSymbols: basics.kernelSymbols,
    isProcessGone: (pid) => isProcessGone(pid),
    isMapsUnreadable: (pid) => isMapsUnreadable(pid),
    sampleCpuPercent: (pids) => sampleCpuPercent(pids, CPU_SAMPLE_MS),
  };
}

/** What a recorder process starts from: the configuration the shared start-up reads. */
type StartConfig = BasicsConfig &
  Parameters<typeof serverCaReader>[0] & {
    host: string;
    port: number;
    tlsPort: number;
    limits: Readonly<RecordingLimits>;
    logLevel: string;
  };

/** The process's own part: its recorder, and what the API serves from it. */
export interface RecorderParts<R> {
  recorder: R;
  serve: Pick<SidecarAppDeps, 'recordings' | 'requireTls'>;
}

export interface StartedRecorder<C, R> extends RecorderParts<R> {
  config: C;
  basics: RecorderBasics;
  app: FastifyInstance;
  /** The plain HTTP port. */
  port: number;
  tls: TlsListener | undefined;
}

/**
 * Reads the configuration (or exits), prepares the process, builds its recorder (`build`) and serves the
 * API over HTTP and HTTPS; registration and the signals are left to the caller.
 */
export async function startRecorder<C extends StartConfig, R>(
  readConfig: () => C,
  build: (config: C, basics: RecorderBasics) => RecorderParts<R> | Promise<RecorderParts<R>>,
): Promise<StartedRecorder<C, R>> {
  const config = loadConfigOrExit(readConfig);
  const basics = await prepareRecorder(config);
  const { recorder, serve } = await build(config, basics);
  const app = buildRecorderApp(basics, config, serve);
  const { port, tls } = await serveApi(app, config, basics.identity);
  return { config, basics, recorder, serve, app, port, tls };
}

/** The recorder's API: the server's proxy tokens accepted once registered, its log at the configured level. */
function buildRecorderApp(
  basics: RecorderBasics,
  config: StartConfig,
  serve: Pick<SidecarAppDeps, 'recordings' | 'requireTls'>,
): FastifyInstance {
  const { tokens } = basics;
  return buildSidecarApp({
    recordings: serve.recordings,
    limits: config.limits,
    isAcceptedToken: (token) => tokens.isAccepted(token, Date.now()),
    isRegistered: () => tokens.uploadToken !== undefined,
    ...(serve.requireTls ? { requireTls: serve.requireTls } : {}),
    logger: { level: config.logLevel },
  });
}

export type TlsListener = NonNullable<Awaited<ReturnType<typeof listenTls>>>;

/** Listens on HTTP, then serves the same app over HTTPS (undefined when its port cannot be had). */
export async function serveApi(
  app: FastifyInstance,
  config: { host: string; port: number; tlsPort: number },
  identity: ServingIdentity,
): Promise<{ port: number; tls: TlsListener | undefined }> {
  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as AddressInfo).port;
  const tls = await listenTls((request, response) => app.routing(request, response), config, identity);
  return { port, tls };
}

/** Registers with the server and renews for as long as the process runs. */
export function registerWithServer(
  basics: RecorderBasics,
  config: Parameters<typeof credentialReader>[0],
  target: RegistrationOptions,
): { stop(): void } {
  return startRegistration(
    {
      send: sendHttp,
      readCredential: credentialReader(config),
      timers,
      random: Math.random,
      tokens: basics.tokens,
      readCa: basics.readServerCa,
      log,
    },
    target,
  );
}

export interface Stoppable {
  registration: { stop(): void } | undefined;
  /** Ends or abandons the running recordings. */
  recorder: { close(): Promise<void> };
  tls: TlsListener | undefined;
  app: FastifyInstance;
}

/** SIGTERM and SIGINT stop registration, the recorder and both listeners, then exit (forced after 20 s). */
export function stopOnSignals(parts: Stoppable): (reason: string) => void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log('shutting down', { signal });
    parts.registration?.stop();
    const forced = setTimeout(() => process.exit(1), 20_000);
    forced.unref();
    void parts.recorder
      .close()
      .then(() => {
        parts.tls?.server.closeAllConnections();
        parts.tls?.server.close();
        return parts.app.close();
      })
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return shutdown;
}
