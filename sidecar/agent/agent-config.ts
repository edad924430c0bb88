// The node agent's configuration: the sidecar's loader (server, CA, token, limits, tuning) with what an
// agent needs on top and by default. Its node name and token are required: the server checks the node
// against the agent's own pod. It records pods named by the server, so it has no pod of its own to record.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger } from '../../core/config/config-values.ts';
import { AGENT_ENV, AGENT_PORT, SIDECAR_ENV, SIDECAR_LOCAL_ENV } from '../../core/contract/names.ts';
import { readSidecarConfig, type SidecarConfig } from '../config.ts';

export interface AgentConfig extends SidecarConfig {
  nodeName: string;
  serverUrl: string;
  tokenPath: string;
  continuous: { pollSeconds: number; maxPendingWindows: number };
}

/** Where the agent keeps recordings when FURNACE_SIDECAR_DATA is unset (a hostPath or emptyDir in its pod). */
export const AGENT_DATA_DIR = '/var/lib/furnace-agent';

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string, allowed: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, env[name], allowed);
  return value;
}

/** Builds the agent's configuration; throws ConfigError naming the variable that is wrong or missing. */
export function readAgentConfig(env: Env, defaults: { hostname: string; tmpDir: string }): AgentConfig {
  const nodeName = required(env, SIDECAR_ENV.nodeName, "the node's name (downward API spec.nodeName)");
  required(env, SIDECAR_ENV.serverUrl, "an https:// URL of the server's recorder listener");
  const tokenPath = required(
    env,
    SIDECAR_ENV.tokenPath,
    'the path of a projected token with audience furnace',
  );
  // The pod UID would make the sidecar loader record one pod; the agent's pods come from the server.
  const base = readSidecarConfig(
    {
      ...env,
      [SIDECAR_ENV.podUid]: undefined,
      [SIDECAR_LOCAL_ENV.dataDir]: env[SIDECAR_LOCAL_ENV.dataDir]?.trim() || AGENT_DATA_DIR,
    },
    defaults,
  );
  const tlsPort = readInteger(
    { key: AGENT_ENV.port, value: env[AGENT_ENV.port]?.trim() },
    AGENT_PORT,
    0,
    65535,
  );
  const continuous = {
    pollSeconds: readInteger(
      { key: AGENT_ENV.continuousPollSeconds, value: env[AGENT_ENV.continuousPollSeconds]?.trim() },
      5,
      1,
      300,
    ),
    maxPendingWindows: readInteger(
      { key: AGENT_ENV.continuousMaxWindows, value: env[AGENT_ENV.continuousMaxWindows]?.trim() },
      8,
      1,
      1000,
    ),
  };
  return {
    ...base,
    continuous,
    serverUrl: base.serverUrl ?? '',
    tokenPath,
    nodeName,
    tlsPort,
    host: base.podIp ?? '0.0.0.0',
  };
}
