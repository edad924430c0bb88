// The node agent process: the sidecar's recorder run on a node with the host's PID namespace, for pods
// the server names per request (recorders.ts). Loads its configuration from the environment (the only
// reader of process.env in the agent), serves the API over HTTPS only (the scope header and the proxy token
// never travel in clear text), registers with the server as the agent of its node, stops on SIGTERM.
import { hostname, tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { AGENT_SCOPE_HEADER, decodeAgentScope } from '../../core/contract/agent-scope.ts';
import { buildSidecarApp } from '../api/build-sidecar-app.ts';
import { createDiskBudget, diskUsage } from '../host/disk-budget.ts';
import { readProcessTable } from '../host/proc-table.ts';
import { log, newRecordingId, timers } from '../process-support.ts';
import {
  fileSize,
  loadConfigOrExit,
  prepareRecorder,
  registerWithServer,
  serveApi,
  stopOnSignals,
} from '../recorder-start.ts';
import { sendHttp } from '../server-link/http-client.ts';
import { commandRunner } from '../symbols/image-symbols.ts';
import { readAgentConfig } from './agent-config.ts';
import { AgentRecorders } from './recorders.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit(() =>
    readAgentConfig(process.env, { hostname: hostname(), tmpDir: tmpdir() }),
  );
  const basics = await prepareRecorder(config);
  const { spawnChild, tokens } = basics;
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
    readServerCa: basics.readServerCa,
    log,
    buildIdMmap: basics.buildIdMmap,
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
  const { port, tls } = await serveApi(app, config);
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
    buildIdMmap: basics.buildIdMmap,
  });
  const registration = registerWithServer(basics, config, {
    serverUrl: config.serverUrl,
    path: '/api/v1/agents',
    body: { node: config.nodeName },
    port,
    tls: { port: tls.port, pin: tls.pin },
  });
  stopOnSignals({ registration, recorder: recorders, tls, app });
}

await main();
