// The server in local mode as a real process on a free loopback port, as `npm start` runs it, with
// the UI built first (ui/dist), for browser tests and the UI benchmark.
import type { TestContext } from 'node:test';
import { buildUi } from '../../ui/build.ts';
import {
  freePort,
  getJson,
  HOSTNAME,
  startProcess,
  tempDir,
  waitFor,
  type RunningProcess,
} from '../process/server-processes.ts';

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
  const process = startProcess(t, ['server/main.ts', '--local'], {
    FURNACE_PORT: String(port),
    FURNACE_DATA_DIR: `${dir}/data`,
    FURNACE_LOG_LEVEL: 'warn',
    FURNACE_LOCAL_SIDECAR: String(localSidecar),
    ...options.env,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor('the server to listen', () =>
    Promise.resolve(process.output().includes(baseUrl) || undefined),
  );
  if (localSidecar)
    await waitFor('the local sidecar to register', async () => {
      const list = await getJson<{ items: { namespace: string; pod: string }[] }>(
        `${baseUrl}/api/v1/sidecars`,
      );
      return list.body.items.some((i) => i.namespace === 'local' && i.pod === HOSTNAME) || undefined;
    });
  return { baseUrl, process, dir };
}
