// The catalog's retention settings (`retention.*`), checked together: the namespace quotas of the
// namespaces an installation expects must fit the whole catalog's ceiling, and the ceiling must fit the
// volume the catalog lives on. Otherwise a few namespaces, each within its quota, fill the catalog
// and every other namespace's uploads are refused until their recordings age out. Pure, like config.ts.
import { ConfigError } from '../../core/config/config-error.ts';
import { readInteger } from '../../core/config/config-values.ts';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../catalog/retention.ts';
import type { ConfigReader } from './config-reader.ts';

/** Namespaces whose full quotas the catalog's ceiling holds by default. */
export const DEFAULT_EXPECTED_NAMESPACES = 4;
/** Of the catalog volume, what the ceiling takes by default: the rest is for metadata and the file system. */
const VOLUME_SHARE = 0.8;

function refuseOver(
  key: string,
  value: number,
  { limit, why }: { limit: number; why: string },
  source?: string,
): void {
  if (value > limit) throw new ConfigError(key, value, `at most ${limit} (${why})`, source);
}

export function readRetention(reader: ConfigReader): RetentionPolicy {
  const d = DEFAULT_RETENTION;
  const volume = reader.get('retention.volumeBytes');
  const volumeBytes = readInteger(volume, 0, 1024 * 1024, Number.MAX_SAFE_INTEGER) || undefined;
  const expected = reader.get('retention.expectedNamespaces');
  const namespaces = readInteger(expected, DEFAULT_EXPECTED_NAMESPACES, 1, 100_000);
  const maxCount = readInteger(reader.get('retention.maxCount'), d.maxCount, 1, 10_000_000);
  const maxBytesSetting = reader.get('retention.maxBytes');
  const fitsVolume = volumeBytes === undefined ? d.maxBytes : Math.floor(volumeBytes * VOLUME_SHARE);
  const maxBytes = readInteger(
    maxBytesSetting,
    Math.min(d.maxBytes, fitsVolume),
    1024,
    Number.MAX_SAFE_INTEGER,
  );
  if (volumeBytes !== undefined)
    refuseOver(
      'retention.maxBytes',
      maxBytes,
      { limit: volumeBytes, why: 'retention.volumeBytes' },
      maxBytesSetting.source,
    );
  // A namespace's quota defaults to its share of the ceiling when that is the smaller.
  const countSetting = reader.get('retention.namespaceMaxCount');
  const bytesSetting = reader.get('retention.namespaceMaxBytes');
  const policy: RetentionPolicy = {
    maxCount,
    maxBytes,
    maxAgeSeconds: readInteger(reader.get('retention.maxAgeSeconds'), d.maxAgeSeconds, 60, 10 * 365 * 86_400),
    namespaceMaxCount: readInteger(
      countSetting,
      Math.max(1, Math.min(d.namespaceMaxCount, Math.floor(maxCount / namespaces))),
      1,
      maxCount,
    ),
    namespaceMaxBytes: readInteger(
      bytesSetting,
      Math.max(1024, Math.min(d.namespaceMaxBytes, Math.floor(maxBytes / namespaces))),
      1024,
      maxBytes,
    ),
  };
  const share = `retention.expectedNamespaces (${namespaces}) of them must fit`;
  const source = bytesSetting.source ?? expected.source ?? maxBytesSetting.source;
  refuseOver(
    'retention.namespaceMaxBytes',
    policy.namespaceMaxBytes,
    { limit: Math.floor(maxBytes / namespaces), why: `${share} retention.maxBytes (${maxBytes})` },
    source,
  );
  refuseOver(
    'retention.namespaceMaxCount',
    policy.namespaceMaxCount,
    { limit: Math.floor(maxCount / namespaces), why: `${share} retention.maxCount (${maxCount})` },
    countSetting.source ?? expected.source,
  );
  return policy;
}
