// `symbols.*`: the symbol files a namespace's developers upload (docs/profilers.md, "Symbols uploaded to a
// namespace"): the largest file, what one namespace may hold, and how long a file stays. Pure.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger } from '../../core/config/config-values.ts';
import type { ConfigReader } from './config-reader.ts';

export interface SymbolSettings {
  /** `symbols.maxBytes`: the largest file one upload may send (a 413 names it). */
  maxBytes: number;
  /** `symbols.namespaceMaxBytes`: what one namespace's files may take together (a 507 names it). */
  namespaceMaxBytes: number;
  /** `symbols.maxAgeSeconds`: a file is removed this long after it was stored. */
  maxAgeSeconds: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_SYMBOL_SETTINGS: SymbolSettings = {
  maxBytes: 512 * MIB,
  namespaceMaxBytes: 4096 * MIB,
  maxAgeSeconds: 90 * 86_400,
};

export function readSymbolSettings(reader: ConfigReader): SymbolSettings {
  const d = DEFAULT_SYMBOL_SETTINGS;
  const maxBytes = readInteger(reader.get('symbols.maxBytes'), d.maxBytes, 4096, 16 * 1024 * MIB);
  const namespaceSetting = reader.get('symbols.namespaceMaxBytes');
  const namespaceMaxBytes = readInteger(
    namespaceSetting,
    Math.max(d.namespaceMaxBytes, maxBytes),
    4096,
    Number.MAX_SAFE_INTEGER,
  );
  if (namespaceMaxBytes < maxBytes)
    throw new ConfigError(
      'symbols.namespaceMaxBytes',
      namespaceMaxBytes,
      `at least symbols.maxBytes (${maxBytes}): one file must fit`,
      namespaceSetting.source,
    );
  return {
    maxBytes,
    namespaceMaxBytes,
    maxAgeSeconds: readInteger(reader.get('symbols.maxAgeSeconds'), d.maxAgeSeconds, 60, 10 * 365 * 86_400),
  };
}
