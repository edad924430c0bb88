// The Furnace server in cluster mode as a process on this machine (there is no kubelet to run its
// Deployment): server/main.ts on the config of cluster-server-config.ts, against the test API server,
// its webhook injecting sidecars that reach the recorder listener. Resolves once it is ready.
import type { TestContext } from 'node:test';
import {
  writeClusterServerConfig,
  type ClusterServerConfig,
  type ClusterServerConfigOptions,
} from './cluster-server-config.ts';
import { eventually } from './eventually.ts';
import { httpsCall } from './http.ts';
import { startFurnace, type RunningProcess } from './processes.ts';

export interface ClusterServerOptions extends ClusterServerConfigOptions {
  /** The admin kubeconfig the server reviews tokens and reads pods with. */
  kubeconfigPath: string;
  /** The CA file the webhook injects for sidecars to trust (default: the server's own CA). */
  injectServerCaFile?: string;
  /** Added to the server's environment. */
  env?: Record<string, string>;
}

export interface ClusterServer extends ClusterServerConfig {
  process: RunningProcess;
  /** The user listener (UI, API). */
  base: string;
  /** The recorder listener, which sidecars and agents register with. */
  recorderUrl: string;
  /** The webhook's URL, for a MutatingWebhookConfiguration. */
  webhookUrl: string;
  /** Starts the server again as it was started (same config, ports and data), ready; e.g. after a kill. */
  restart(): Promise<RunningProcess>;
}

export async function startClusterServer(
  t: TestContext,
  dir: string,
  options: ClusterServerOptions,
): Promise<ClusterServer> {
  const config = await writeClusterServerConfig(dir, options);
  const recorderUrl = `https://127.0.0.1:${config.recorderPort}`;
  const base = `https://${options.host ?? '127.0.0.1'}:${config.port}`;
  const launch = async (): Promise<RunningProcess> => {
    const started = startFurnace(t, ['server/main.ts'], {
      FURNACE_CONFIG: config.configFile,
      KUBECONFIG: options.kubeconfigPath,
      // Sidecars reach the recorder listener, never the user one.
      FURNACE_INJECT_SERVER_URL: recorderUrl,
      FURNACE_INJECT_SERVER_CA_FILE: options.injectServerCaFile ?? config.caFile,
      ...options.env,
    });
    await eventually(
      async () => ((await httpsCall(`${base}/readyz`, config.certs.caPem)).status === 200 ? true : undefined),
      60_000,
      'the server to be ready',
    );
    return started;
  };
  const process = await launch();
  return {
    ...config,
    restart: launch,
    process,
    base,
    recorderUrl,
    webhookUrl: `https://127.0.0.1:${config.webhookPort}/mutate`,
  };
}
