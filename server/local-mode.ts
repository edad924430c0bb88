// Local mode: the server plus one sidecar process on this machine, registered as namespace
// `local` and pod `<hostname>` through a shared secret. main.ts calls this; nothing here listens.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LogFormat } from '../core/config/config-values.ts';
import { LOCAL_NAMESPACE, SIDECAR_ENV, SIDECAR_LOCAL_ENV } from '../core/contract/names.ts';
import { urlWithKey, type RunKey } from '../core/contract/run-key.ts';
import { textLogStream } from './operations/log-text.ts';
import { RUNTIME_FILES } from './runtime-files.ts';

export interface LocalSidecarOptions {
  serverUrl: string;
  secret: string;
  hostname: string;
  dataDir: string;
  /** The environment the sidecar inherits (PATH and friends). */
  baseEnv: Record<string, string | undefined>;
  /** `text`: the sidecar's log lines become sentences prefixed `sidecar:`, like the server's. */
  logFormat?: LogFormat;
}

export function newRegistrationSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function localSidecarEnv(options: LocalSidecarOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.baseEnv)) {
    if (value !== undefined && !key.startsWith('FURNACE_')) env[key] = value;
  }
  env[SIDECAR_ENV.serverUrl] = options.serverUrl;
  env[SIDECAR_LOCAL_ENV.registrationSecret] = options.secret;
  env[SIDECAR_ENV.podNamespace] = LOCAL_NAMESPACE;
  env[SIDECAR_ENV.podName] = options.hostname;
  env[SIDECAR_LOCAL_ENV.port] = '0';
  env[SIDECAR_LOCAL_ENV.tlsPort] = '0';
  env[SIDECAR_LOCAL_ENV.dataDir] = join(resolve(options.dataDir), 'sidecar');
  return env;
}

export interface LocalSidecar {
  process: ChildProcess;
  /** SIGTERM, then SIGKILL after the grace period; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnLocalSidecar(options: LocalSidecarOptions): LocalSidecar {
  const text = options.logFormat === 'text';
  // From the bundle, the sidecar's bundle beside it; compiled, dist/sidecar; from source, through tsx.
  const child = spawn(process.execPath, RUNTIME_FILES.sidecar.args, {
    cwd: RUNTIME_FILES.sidecar.cwd,
    env: localSidecarEnv(options),
    stdio: ['ignore', text ? 'pipe' : 'inherit', text ? 'pipe' : 'inherit'],
  });
  if (text) {
    child.stdout?.pipe(textLogStream(process.stdout, 'sidecar: '));
    child.stderr?.pipe(textLogStream(process.stderr, 'sidecar: '));
  }
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  return {
    process: child,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Local mode's key, kept in the data directory so that a bookmark and scripts outlive a restart. */
export interface LocalKey {
  key: RunKey;
  file: string;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Reads `<dataDir>/local-key`, or makes it (mode 0600, exclusive create). Refuses a key file that another
 * user could read or that is not a plain file of this user, naming the file and what to do.
 */
export async function readLocalKey(dataDir: string): Promise<LocalKey> {
  const file = join(resolve(dataDir), 'local-key');
  const value = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, `${value}\n`, { flag: 'wx', mode: 0o600 });
    return { key: { value, cookie: 'furnace-local' }, file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = await handle.stat();
    const uid = process.getuid?.();
    if (!stat.isFile() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0)
      throw new Error(
        `${file} must be a file of this user that nobody else may read (it is mode ${(stat.mode & 0o777).toString(8)}); delete it and start again for a new key`,
      );
    const text = (await handle.readFile('utf8')).trim();
    if (!KEY_PATTERN.test(text)) throw new Error(`${file} does not hold a key; delete it and start again`);
    return { key: { value: text, cookie: 'furnace-local' }, file };
  } finally {
    await handle.close();
  }
}

/** Names the key's cookie by the bound port, and prints the URL to open (with the key) and where things are. */
export function announceLocal(url: string, localKey: LocalKey, dataDir: string, podName: string): void {
  localKey.key.cookie = `furnace-local-${new URL(url).port}`;
  process.stdout.write(
    `Open ${urlWithKey(url, '/', localKey.key)} (it answers only with this key, kept in ${localKey.file})\n`,
  );
  process.stdout.write(
    `Data directory: ${dataDir}; local sidecar registers as pod ${podName} in namespace local\n`,
  );
}
