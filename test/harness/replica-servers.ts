// N Furnace servers in cluster mode that share registrations and sessions (`coordination.mode: kubernetes`): one
// key file, one namespace for the shared Leases, each a real server/main.ts process against the test API
// server on loopback ports of its own (there is no kubelet to run the Deployment's replicas).
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { writeClusterServerConfig, type ClusterServerConfig } from './cluster-server-config.ts';
import { eventually } from './eventually.ts';
import { httpsCall } from './http.ts';
import { memoryGroup, type MemoryGroup } from './memory-limit.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { startFurnace, startProcess, type RunningProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';
import { TYPESCRIPT_NODE_ARGS } from '../../core/typescript-args.ts';

export interface ReplicaServer extends ClusterServerConfig {
  name: string;
  process: RunningProcess;
  /** The user listener. */
  base: string;
  /** The recorder listener. */
  recorderUrl: string;
  /** Starts the replica again with the same config, ports and environment (after it was stopped or killed). */
  restart: () => RunningProcess;
  /** Its memory group, when started under a limit (memoryLimitBytes). */
  memory?: MemoryGroup;
}

export interface ReplicaOptions {
  kubeconfigPath: string;
  /** Where the shared Leases live. */
  namespace: string;
  count?: number;
  /** The server's environment beyond its config and kubeconfig (FURNACE_INJECT_IMAGE, say). */
  env?: Record<string, string>;
  /** Top-level config entries besides listeners, TLS, data and replicas. */
  extra?: Record<string, unknown>;
  /** Node arguments: [] with a dist/ script runs the compiled JavaScript (a benchmark); TYPESCRIPT_NODE_ARGS by default. */
  nodeArgs?: readonly string[];
  script?: string;
  /** How long each replica may take to be ready (60 s unless given: a benchmark's cold start may take longer). */
  readyTimeoutMs?: number;
  /** Runs each replica in a memory group of this limit, as its pod would (a benchmark). */
  memoryLimitBytes?: number;
}

/** Node with `args`, in a memory group of its own when `limitBytes` is given (removed after the test). */
function startNode(
  t: TestContext,
  args: string[],
  env: Record<string, string>,
  limitBytes: number | undefined,
): { process: RunningProcess; memory?: MemoryGroup } {
  if (limitBytes === undefined) return { process: startFurnace(t, args.slice(-1), env, args.slice(0, -1)) };
  const memory = memoryGroup(limitBytes);
  const wrapped = memory.wrap(process.execPath, args);
  const started = startProcess(t, wrapped.command, wrapped.args, { env, cleanEnv: true, cwd: PROJECT_ROOT });
  t.after(() => memory.remove());
  return { process: started, memory };
}

/** Starts the replicas, each ready (its /readyz answers 200 once its watch of the shared Leases has listed them). */
export async function startReplicas(t: TestContext, options: ReplicaOptions): Promise<ReplicaServer[]> {
  const dir = await tempDir(t, 'furnace-replicas-');
  const sharedKeyFile = join(dir, 'shared-key');
  await writeFile(sharedKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const names = Array.from(
    { length: options.count ?? 2 },
    (_, i) => `replica-${String.fromCharCode(97 + i)}`,
  );
  const replicas: ReplicaServer[] = [];
  for (const name of names) {
    const config = await writeClusterServerConfig(await tempDir(t, `furnace-${name}-`), {
      extra: {
        replicas: { name },
        coordination: { mode: 'kubernetes', namespace: options.namespace },
        security: { sharedKeyFile },
        ...options.extra,
      },
    });
    const env = { FURNACE_CONFIG: config.configFile, KUBECONFIG: options.kubeconfigPath, ...options.env };
    const script = options.script ?? 'server/main.ts';
    const args = [...(options.nodeArgs ?? TYPESCRIPT_NODE_ARGS), script];
    const first = startNode(t, args, env, options.memoryLimitBytes);
    const replica: ReplicaServer = {
      ...config,
      name,
      process: first.process,
      ...(first.memory ? { memory: first.memory } : {}),
      base: `https://127.0.0.1:${config.port}`,
      recorderUrl: `https://127.0.0.1:${config.recorderPort}`,
      restart: () => {
        const again = startNode(t, args, env, options.memoryLimitBytes);
        if (again.memory) replica.memory = again.memory;
        return (replica.process = again.process);
      },
    };
    replicas.push(replica);
  }
  for (const replica of replicas) await replicaReady(replica, options.readyTimeoutMs);
  return replicas;
}

/** Resolves once the replica's /readyz answers 200; the error has the end of its output when it does not. */
export async function replicaReady(replica: ReplicaServer, timeoutMs = 60_000): Promise<void> {
  try {
    await eventually(
      async () =>
        (await httpsCall(`${replica.base}/readyz`, replica.certs.caPem)).status === 200 ? true : undefined,
      timeoutMs,
      `${replica.name} to be ready`,
    );
  } catch (error) {
    const exit = replica.process.child.exitCode;
    const state = exit === null ? 'still running' : `exited with ${exit}`;
    throw new Error(
      `${(error as Error).message}; the process is ${state}, its output ends:\n${replica.process.output().slice(-3000)}`,
    );
  }
}
