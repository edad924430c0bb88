// The server in local mode as a real process on a free loopback port, as `npm start` runs it, with
// the UI built first (ui/dist), for browser tests and the UI benchmark.
import { readFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { buildUi } from '../../ui/build.ts';
import { keyHost, urlWithKey } from '../../core/contract/run-key.ts';
import { HOSTNAME } from '../process/server-processes.ts';
import { eventually } from './eventually.ts';
import { fetchJson } from './http.ts';
import { freePort } from './ports.ts';
import { startFurnace, type RunningProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';

export interface LocalServer {
  baseUrl: string;
  process: RunningProcess;
  dir: string;
  /** Local mode's key (core/contract/run-key.ts), as the server keeps it in its data directory. */
  key: string;
  /** The key as scripts send it. */
  headers: { authorization: string };
  /** `path` on the UI with the key in the URL, as the server prints it: a browser's first visit. */
  keyedUrl: (path?: string) => string;
  /** The origin a browser lands on after its first visit: the key's own host (`f….localhost`). */
  uiUrl: string;
}

/** The key a local-mode server keeps in `dataDir`, and the headers that show it. */
export async function localKeyOf(
  dataDir: string,
): Promise<{ key: string; headers: { authorization: string } }> {
  const key = (await readFile(`${dataDir}/local-key`, 'utf8')).trim();
  return { key, headers: { authorization: `Bearer ${key}` } };
}

export interface LocalServerOptions {
  /** Run the local sidecar (default) and wait for it to register. */
  localSidecar?: boolean;
  env?: Record<string, string>;
}

let built: Promise<unknown> | undefined;

export async function startLocalServer(
  t: TestContext,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  built ??= buildUi();
  await built;
  const dir = await tempDir(t, 'furnace-ui-');
  const port = await freePort();
  const localSidecar = options.localSidecar ?? true;
  const process = startFurnace(t, ['server/main.ts', '--local'], {
    FURNACE_PORT: String(port),
    FURNACE_DATA_DIR: `${dir}/data`,
    FURNACE_LOG_LEVEL: 'warn',
    FURNACE_LOCAL_SIDECAR: String(localSidecar),
    ...options.env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await eventually(
    () => Promise.resolve(process.output().includes(baseUrl) || undefined),
    60_000,
    'the server to listen',
    250,
  );
  const { key, headers } = await localKeyOf(options.env?.FURNACE_DATA_DIR ?? `${dir}/data`);
  if (localSidecar) await localSidecarRegistered(baseUrl, headers, 60_000, 'the local sidecar to register');
  const keyedUrl = (path = '/'): string => urlWithKey(baseUrl, path, { value: key });
  const uiUrl = `http://${keyHost({ value: key })}:${port}`;
  return { baseUrl, process, dir, key, headers, keyedUrl, uiUrl };
}

/** Resolves once a local-mode server at `baseUrl` lists its local sidecar (namespace `local`, this host). */
export async function localSidecarRegistered(
  baseUrl: string,
  headers: Record<string, string>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await eventually(
    async () => {
      const list = await fetchJson<{ items: { namespace: string; pod: string }[] }>(
        `${baseUrl}/api/v1/sidecars`,
        { headers },
      );
      return list.body.items.some((i) => i.namespace === 'local' && i.pod === HOSTNAME) || undefined;
    },
    timeoutMs,
    what,
    250,
  );
}
