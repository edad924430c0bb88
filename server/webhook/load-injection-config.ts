// Reads the injection config once at start-up: a YAML or JSON file, then environment overrides.
//
// Stable API (server/main.ts): loadInjectionConfig({ file?, env }): Promise<InjectionConfig>
//   file  path of a YAML/JSON object with InjectionConfig keys (docs/webhook.md lists them)
//   env   the process environment; FURNACE_INJECT_* variables override the file, and
//         FURNACE_INJECT_SERVER_CA_FILE names a PEM file for serverCa
// Throws (FurnaceError ERR_INVALID_PARAMETER) with the key and the allowed values: stop start-up on it.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { FurnaceError } from '../../core/errors.ts';
import { parseInjectionConfig } from '../../core/injection/injection-config.ts';
import type { InjectionConfig } from '../../core/injection/injection-config.ts';
import { injectionConfigFromEnv, mergeRawConfig } from '../../core/injection/injection-config-env.ts';

export const SERVER_CA_FILE_ENV = 'FURNACE_INJECT_SERVER_CA_FILE';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `${what} ${path} cannot be read: ${(error as Error).message}`,
    );
  }
}

async function readConfigFile(path: string): Promise<unknown> {
  const text = await readText(path, 'injection config file');
  let raw: unknown;
  try {
    raw = parse(text) as unknown;
  } catch (error) {
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `injection config file ${path}: ${(error as Error).message}`,
    );
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FurnaceError(
      'ERR_INVALID_PARAMETER',
      `injection config file ${path} must hold an object of keys`,
    );
  }
  return raw;
}

export async function loadInjectionConfig(options: {
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<InjectionConfig> {
  const fromFile = options.file ? await readConfigFile(options.file) : {};
  const fromEnv = injectionConfigFromEnv(options.env);
  const caFile = options.env[SERVER_CA_FILE_ENV];
  if (caFile) fromEnv.serverCa = await readText(caFile, SERVER_CA_FILE_ENV);
  return parseInjectionConfig(mergeRawConfig(fromFile, fromEnv));
}
