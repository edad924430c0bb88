// The agent-mode settings of the server configuration (`agent.*`): whether node agents may register, as
// which service account of which namespace, and the port their API listens on. Pure, like config.ts.
import { ConfigError } from '../../core/config/config-error.ts';
import { readBoolean, readInteger, readText } from '../../core/config/config-values.ts';
import { AGENT_PORT } from '../../core/contract/names.ts';
import { readContinuousSettings, type ContinuousSettings } from '../continuous/continuous-settings.ts';
import type { ConfigReader } from './config-reader.ts';

export interface AgentSettings {
  /** Furnace's namespace, where the agents run. */
  namespace: string;
  serviceAccount: string;
  /** The agents' HTTPS port on their pod IP. */
  port: number;
  /** Continuous profiling (`agent.continuous.*`, continuous/continuous-settings.ts). */
  continuous: ContinuousSettings;
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function readName(reader: ConfigReader, key: string, fallback: string): string {
  const setting = reader.get(key);
  const value = readText(setting, fallback);
  if (!NAME.test(value)) throw new ConfigError(key, value, 'a Kubernetes name (DNS label)', setting.source);
  return value;
}

/** The agent settings when `agent.enabled` is true (cluster mode only), else undefined. */
export function readAgentSettings(reader: ConfigReader, local: boolean): AgentSettings | undefined {
  const enabled = reader.get('agent.enabled');
  const on = readBoolean(enabled, false);
  const settings: AgentSettings = {
    namespace: readName(reader, 'agent.namespace', 'furnace'),
    serviceAccount: readName(reader, 'agent.serviceAccount', 'furnace-agent'),
    port: readInteger(reader.get('agent.port'), AGENT_PORT, 1, 65535),
    continuous: readContinuousSettings(reader),
  };
  if (on && local)
    throw new ConfigError(
      'agent.enabled',
      true,
      'false in local mode (agents need a cluster)',
      enabled.source,
    );
  return on ? settings : undefined;
}
