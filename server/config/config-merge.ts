// The merged flame graph's settings (`merge.*`): merges computed at once, merges waiting, and the bytes
// of rendered merges kept for the next viewer. Pure, like config.ts.
import { readInteger } from '../../core/config/config-values.ts';
import { DEFAULT_MERGE_SETTINGS, type MergeSettings } from '../catalog/merge-slots.ts';
import type { ConfigReader } from './config-reader.ts';

export function readMergeSettings(reader: ConfigReader): MergeSettings {
  const d = DEFAULT_MERGE_SETTINGS;
  return {
    maxConcurrent: readInteger(reader.get('merge.maxConcurrent'), d.maxConcurrent, 1, 64),
    maxQueued: readInteger(reader.get('merge.maxQueued'), d.maxQueued, 0, 10_000),
    cacheBytes: readInteger(reader.get('merge.cacheBytes'), d.cacheBytes, 0, 16 * 1024 ** 3),
  };
}
