// The key every replica holds (`security.sharedKeyFile`, a Secret mounted in each replica): tokens
// derived with it are the same on every replica, so none has to be stored, and anything sealed with it
// opens on every replica. The file holds one key per line, base64 (`openssl rand -base64 32`); the first
// signs what is made from now on and every line is accepted, which is how a rotation proceeds
// (docs/security.md). Without a file, one replica makes a random key in memory, as it made random
// tokens before. Pure (node:crypto only); the server reads the file (server/replicas/key-file.ts) and the
// operator checks the one it plans (operator/furnace/plan-shared-key.ts).
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { ConfigError } from './config/config-error.ts';

export interface SharedKey {
  /** Names the key in what it made (a registration's record, a session), never its bytes. */
  id: string;
  bytes: Buffer;
  /**
   * The same bytes as a key object, made once: an HMAC over a key object skips preparing one from the
   * bytes on every call (5.5 against 23 µs per token here; a registration derives two or three).
   */
  secret: KeyObject;
}

export interface SharedKeys {
  /** Makes every new token, record and session. */
  readonly current: SharedKey;
  /** A key this replica accepts, by id. */
  byId(id: string): SharedKey | undefined;
  /** Every accepted key, the current one first. */
  all(): readonly SharedKey[];
}

export const MIN_KEY_BYTES = 32;
export const SHARED_KEY_SETTING = 'security.sharedKeyFile';

/** An id that names the key without telling anything about it. */
export function keyIdOf(bytes: Buffer): string {
  return createHmac('sha256', bytes).update('furnace shared key id').digest('base64url').slice(0, 10);
}

export function sharedKeysOf(keys: readonly Buffer[]): SharedKeys {
  const [first] = keys;
  if (first === undefined) throw new Error('sharedKeysOf needs at least one key');
  const list = keys.map((bytes) => ({ id: keyIdOf(bytes), bytes, secret: createSecretKey(bytes) }));
  const byId = new Map(list.map((key) => [key.id, key]));
  return { current: list[0]!, byId: (id) => byId.get(id), all: () => list };
}

/** One replica without a key file: a key that lives as long as the process, as its tokens did. */
export function randomSharedKeys(): SharedKeys {
  return sharedKeysOf([randomBytes(MIN_KEY_BYTES)]);
}

const BASE64_LINE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The keys of a key file's text; `path` names the file in errors, which never show a key. */
export function parseSharedKeyFile(text: string, path: string): SharedKeys {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const allowed = `a file of base64 keys of at least ${MIN_KEY_BYTES} bytes each, one per line (openssl rand -base64 32)`;
  if (lines.length === 0) throw new ConfigError(SHARED_KEY_SETTING, path, `${allowed}; it has none`);
  const keys = lines.map((line, index) => {
    const bytes = BASE64_LINE.test(line) ? Buffer.from(line, 'base64') : Buffer.alloc(0);
    if (bytes.length < MIN_KEY_BYTES)
      throw new ConfigError(
        SHARED_KEY_SETTING,
        path,
        `${allowed}; line ${index + 1} is ${BASE64_LINE.test(line) ? `${bytes.length} bytes` : 'not base64'}`,
      );
    return bytes;
  });
  return sharedKeysOf(keys);
}

/**
 * A token for `purpose` over `fields`: HMAC-SHA256 with the key over the purpose and each field with its
 * length, so no two lists of fields give the same input. 43 characters of base64url (256 bits).
 */
export function deriveToken(key: SharedKey, purpose: string, fields: readonly string[]): string {
  const mac = createHmac('sha256', key.secret).update(`furnace/${purpose}/v1\n`);
  for (const field of fields) mac.update(`${Buffer.byteLength(field)}:${field}\n`);
  return mac.digest('base64url');
}
