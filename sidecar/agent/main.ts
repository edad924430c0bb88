// The node agent process: the sidecar's recorder run on a node with the host's PID namespace, for pods
// the server names per request (agent-recorders.ts). Loads its configuration from the environment (the only
// reader of process.env in the agent), serves the API over HTTPS only (the scope header and the proxy token
// never travel in clear text), registers with the server as the agent of its node, stops on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { AGENT_SCOPE_HEADER, decodeAgentScope } from '../../core/contract/agent-scope.ts';
import { ConfigError } from '../../core/config/config-error.ts';
import { readAgentConfig, type AgentConfig } from './agent-config.ts';
import { AgentRecorders } from './recorders.ts';
import { buildSidecarApp } from '../api/build-sidecar-app.ts';
import { createDiskBudget, diskUsage } from '../host/disk-budget.ts';
import { sendHttp } from '../server-link/http-client.ts';
import { commandRunner } from '../symbols/image-symbols.ts';
import { probeBuildIdMmap } from '../profilers/perf/perf-runner.ts';
import { credentialReader, listenTls, log, newRecordingId, timers } from '../process-support.ts';
import { readProcessTable } from '../host/proc-table.ts';
import { ProxyTokens } from '../server-link/proxy-tokens.ts';
import { startRegistration } from '../server-link/registration.ts';
import { serverCaReader } from '../server-link/server-ca.ts';
import type { SpawnFn } from '../host/runtime.ts';

function loadConfig(): AgentConfig {
  try {
    return readAgentConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log(error.message, { key: error.key, allowed: error.allowed });
    process.exit(1);
  }
}

const fileSize = (path: string): Promise<number> =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );

async function main(): Promise<void> {
  const config = loadConfig();
  const tokens = new ProxyTokens();
  const readServerCa = serverCaReader(config);
  const spawnChild = spawn as unknown as SpawnFn;
  await mkdir(config.dataDir, { recursive: true });
  const probeFile = `${config.dataDir}/probe-buildid-mmap.data`;
  const buildIdMmap = await probeBuildIdMmap(spawnChild, config.perfPath, probeFile);
  await rm(probeFile, { force: true });
  const recorders = new AgentRecorders({
    config,
    budget: createDiskBudget(config.dataDir, config.diskBudgetBytes, { usage: diskUsage, size: fileSize }),
    spawn: spawnChild,
    run: commandRunner(spawnChild, process.env),
    timers,
    newId: newRecordingId,
    selfPid: process.pid,
    readProcesses: (cgroupOwner) => readProcessTable({ withContainers: true, cgroupOwner }),
    fileSize,
    send: sendHttp,
    sleep: (ms) => sleep(ms),
    random: Math.random,
    readServerCa,
    log,
    buildIdMmap,
  });
  const app = buildSidecarApp({
    // Reached only after the proxy token was checked (onRequest): the scope is the server's.
    recordings: (request: FastifyRequest) =>
      recorders.for(decodeAgentScope(request.headers[AGENT_SCOPE_HEADER])),
    limits: config.limits,
    isAcceptedToken: (token) => tokens.isAccepted(token, Date.now()),
    isRegistered: () => tokens.uploadToken !== undefined,
    requireTls: () => true,
    logger: { level: config.logLevel },
  });
  await app.listen({ host: config.host, port: config.port });
  const port = (app.server.address() as AddressInfo).port;
  const tls = await listenTls((request, response) => app.routing(request, response), config);
  if (tls === undefined) {
    log('the agent serves its API over HTTPS only, and its port could not be had: exiting', {
      tlsPort: config.tlsPort,
    });
    process.exit(1);
  }
  log('agent listening', { host: config.host, port, tlsPort: tls.port, node: config.nodeName, buildIdMmap });
  const registration = startRegistration(
    {
      send: sendHttp,
      readCredential: credentialReader(config),
      timers,
      random: Math.random,
      tokens,
      readCa: readServerCa,
      log,
    },
    {
      serverUrl: config.serverUrl,
      path: '/api/v1/agents',
      body: { node: config.nodeName },
      port,
      tls: { port: tls.port, pin: tls.pin },
    },
  );

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log('shutting down', { signal });
    registration.stop();
    const forced = setTimeout(() => process.exit(1), 20_000);
    forced.unref();
    void recorders
      .close()
      .then(() => {
        tls.server.closeAllConnections();
        tls.server.close();
        return app.close();
      })
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
