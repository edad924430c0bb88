// Reads the shared key file (`security.sharedKeyFile`) once at start-up; a rotation changes the Secret
// and rolls the replicas (docs/security.md). Without a file, a random key for this process alone.
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../core/config/config-error.ts';
import {
  parseSharedKeyFile,
  randomSharedKeys,
  SHARED_KEY_SETTING,
  type SharedKeys,
} from '../../core/shared-key.ts';

export async function loadSharedKeys(path: string | undefined): Promise<SharedKeys> {
  if (path === undefined) return randomSharedKeys();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(SHARED_KEY_SETTING, path, `a readable file (${(error as Error).message})`);
  }
  return parseSharedKeyFile(text, path);
}
