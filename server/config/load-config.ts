// The server's one configuration loader: reads the file FURNACE_CONFIG names and, in cluster mode, the
// webhook's injection config file and CA file, then resolves them with the environment into a validated
// ServerConfig (server/config/config.ts). main.ts calls it with process.env before anything listens; a
// missing or unreadable file is a ConfigError like any invalid value.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../core/config/config-error.ts';
import { SERVER_CA_FILE_ENV } from '../../core/injection/injection-config-env.ts';
import {
  injectionFilesOf,
  parseConfigText,
  resolveConfig,
  SERVER_ENV,
  type ConfigFile,
  type ServerConfig,
} from './config.ts';
import type { Env } from './config-reader.ts';

export type ReadText = (path: string) => Promise<string>;

const readUtf8: ReadText = (path) => readFile(path, 'utf8');

/** The text of a file that the setting `key` (from `source`) names. */
export async function readConfigText(
  path: string,
  key: string,
  source: string | undefined,
  read: ReadText = readUtf8,
): Promise<string> {
  try {
    return await read(path);
  } catch (error) {
    throw new ConfigError(key, path, `a readable file (${(error as Error).message})`, source);
  }
}

/** A YAML or JSON file of keys that the setting `key` (from `source`) names. */
export async function readConfigFile(
  path: string,
  key: string,
  source: string | undefined,
  read: ReadText = readUtf8,
): Promise<ConfigFile> {
  return { path, raw: parseConfigText(await readConfigText(path, key, source, read), path) };
}

export interface InjectionInputs {
  injectionFile?: ConfigFile;
  serverCa?: string;
}

/** The injection config file (`webhook.configFile`) and the PEM file FURNACE_INJECT_SERVER_CA_FILE names. */
export async function readInjectionInputs(options: {
  configFile?: string;
  /** Where `webhook.configFile` was set (the server config file), for errors. */
  configFileSource?: string;
  caFile?: string;
  read?: ReadText;
}): Promise<InjectionInputs> {
  const { configFile, caFile, read } = options;
  const inputs: InjectionInputs = {};
  if (configFile)
    inputs.injectionFile = await readConfigFile(
      configFile,
      'webhook.configFile',
      options.configFileSource,
      read,
    );
  if (caFile) inputs.serverCa = await readConfigText(caFile, SERVER_CA_FILE_ENV, undefined, read);
  return inputs;
}

/** Everything the server is configured by, validated together (see the header of this file). */
export async function loadServerConfig(options: {
  env: Env;
  local: boolean;
  read?: ReadText;
}): Promise<ServerConfig> {
  const { env, local, read } = options;
  const path = env[SERVER_ENV.config];
  const file = path ? await readConfigFile(path, SERVER_ENV.config, undefined, read) : undefined;
  const inputs = await readInjectionInputs({
    ...injectionFilesOf(file?.raw, env, local),
    ...(path ? { configFileSource: path } : {}),
    ...(read ? { read } : {}),
  });
  return resolveConfig({ local, env, ...(file ? { file } : {}), ...inputs });
}
