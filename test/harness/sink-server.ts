// A local-mode server process with sinks configured, on fixed ports over one data directory, so a test
// can kill it and start it again the same way; no local sidecar (recordings arrive through
// recorder-uploads.ts).
import { writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { stringify } from 'yaml';
import { eventually } from './eventually.ts';
import { fetchJson } from './http.ts';
import { localKeyOf } from './local-server.ts';
import { freePort } from './ports.ts';
import { startFurnace, type RunningProcess } from './processes.ts';

export const SINK_TEST_SECRET = 'sink-test-secret';

export interface SinkServer {
  baseUrl: string;
  recorderUrl: string;
  dataDir: string;
  start(): RunningProcess;
  ready(): Promise<void>;
  keyed(): Promise<Record<string, string>>;
  entry(id: string): Promise<EntryView>;
}

export interface EntryView {
  id: string;
  artifacts: { name: string; bytes: number }[];
  deliveries?: { sink: string; state: string; attempts: number; lastError?: string }[];
}

/** `config` is merged into the server's config file (sinks, sinkDelivery). */
export async function sinkServer(
  t: TestContext,
  dir: string,
  config: Record<string, unknown>,
): Promise<SinkServer> {
  const [port, recorderPort] = [await freePort(), await freePort()];
  const dataDir = `${dir}/data`;
  await writeFile(`${dir}/config.yaml`, stringify({ localSidecar: false, dataDir, ...config }));
  const env = {
    FURNACE_CONFIG: `${dir}/config.yaml`,
    FURNACE_PORT: String(port),
    FURNACE_RECORDER_PORT: String(recorderPort),
    FURNACE_REGISTRATION_SECRET: SINK_TEST_SECRET,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const keyed = async () => (await localKeyOf(dataDir)).headers;
  return {
    baseUrl,
    recorderUrl: `http://127.0.0.1:${recorderPort}`,
    dataDir,
    start: () => startFurnace(t, ['server/main.ts', '--local'], env),
    ready: async () => {
      await eventually(
        async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined),
        60_000,
        'the server',
      );
    },
    keyed,
    entry: async (id) => {
      const answer = await fetchJson<EntryView>(`${baseUrl}/api/v1/recordings/${id}`, {
        headers: await keyed(),
      });
      if (answer.status !== 200) throw new Error(`GET recording ${id} answered ${answer.status}`);
      return answer.body;
    },
  };
}
