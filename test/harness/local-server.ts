// The server in local mode as a real process on a free loopback port, as `npm start` runs it, with
// the UI built first (ui/dist), for browser tests and the UI benchmark.
import type { TestContext } from 'node:test';
import { buildUi } from '../../ui/build.ts';
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
  if (localSidecar)
    await eventually(
      async () => {
        const list = await fetchJson<{ items: { namespace: string; pod: string }[] }>(
          `${baseUrl}/api/v1/sidecars`,
        );
        return list.body.items.some((i) => i.namespace === 'local' && i.pod === HOSTNAME) || undefined;
      },
      60_000,
      'the local sidecar to register',
      250,
    );
  return { baseUrl, process, dir };
}
