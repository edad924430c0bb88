// What the fault tests share: a server process (local recorder off, or on), a sidecar process, starting a
// recording through the proxy, reading where the recorder stands from its journal, and counting what the
// catalog ends up with.
import { readFile, readdir } from 'node:fs/promises';
import { writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { localKeyOf } from '../harness/local-server.ts';
import { freePort } from '../harness/ports.ts';
import { startFurnace, type RunningProcess } from '../harness/processes.ts';
import { HOSTNAME } from '../process/server-processes.ts';

export const SECRET = 'fault-test-secret';

export interface ServerSetup {
  baseUrl: string;
  recorderUrl: string;
  dataDir: string;
  start(): RunningProcess;
  /** The local key's headers, read once the server has made it. */
  keyed(): Promise<Record<string, string>>;
}

/** A server on fixed ports over `dir`, started again the same way after a kill. */
export async function serverSetup(
  t: TestContext,
  dir: string,
  options: { localSidecar: boolean },
): Promise<ServerSetup> {
  const [port, recorderPort] = [await freePort(), await freePort()];
  await writeFile(
    `${dir}/config.yaml`,
    `leaseSeconds: 6\nlocalSidecar: ${options.localSidecar}\ndataDir: ${dir}/data\n`,
  );
  const env = {
    FURNACE_CONFIG: `${dir}/config.yaml`,
    FURNACE_PORT: String(port),
    FURNACE_RECORDER_PORT: String(recorderPort),
    FURNACE_REGISTRATION_SECRET: SECRET,
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    recorderUrl: `http://127.0.0.1:${recorderPort}`,
    dataDir: `${dir}/data`,
    start: () => startFurnace(t, ['server/main.ts', '--local'], env),
    keyed: async () => (await localKeyOf(`${dir}/data`)).headers,
  };
}

export async function serverReady(baseUrl: string): Promise<void> {
  await eventually(
    async () => ((await fetch(`${baseUrl}/readyz`)).ok ? true : undefined),
    60_000,
    'the server',
  );
}

/** A sidecar process registering with the server's recorder port, its data under `dataDir`. */
export function startSidecar(t: TestContext, recorderUrl: string, dataDir: string): RunningProcess {
  return startFurnace(t, ['sidecar/main.ts'], {
    FURNACE_SERVER_URL: recorderUrl,
    FURNACE_REGISTRATION_SECRET: SECRET,
    FURNACE_POD_NAMESPACE: 'local',
    FURNACE_POD_NAME: HOSTNAME,
    FURNACE_SIDECAR_PORT: '0',
    FURNACE_SIDECAR_TLS_PORT: '0',
    FURNACE_SIDECAR_DATA: dataDir,
  });
}

export async function sidecarRegistered(baseUrl: string, keyed: Record<string, string>): Promise<void> {
  await eventually(
    async () => {
      const list = await fetchJson<{ items: { pod: string }[] }>(`${baseUrl}/api/v1/sidecars`, {
        headers: keyed,
      });
      return list.body.items.some((i) => i.pod === HOSTNAME) ? true : undefined;
    },
    60_000,
    'the sidecar to register',
  );
}

export async function startRecording(
  baseUrl: string,
  keyed: Record<string, string>,
  processPattern: string,
): Promise<string> {
  const started = await fetchJson<{ id: string }>(`${baseUrl}/proxy/local/${HOSTNAME}/recordings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...keyed },
    body: JSON.stringify({ processPattern, durationSeconds: 4, frequency: 499 }),
  });
  if (started.status !== 202)
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  return started.body.id;
}

/** Where a recording stands as its journal says: `recording`, or its processing stage. */
export async function journalStage(sidecarData: string, id: string): Promise<string | undefined> {
  const text = await readFile(`${sidecarData}/recordings/${id}/recording.json`, 'utf8').catch(() => '');
  if (text === '') return undefined;
  const { status } = JSON.parse(text) as { status: { state: string; stage: string } };
  return status.state === 'recording'
    ? 'recording'
    : status.state === 'processing'
      ? status.stage
      : status.state;
}

/** After `afterMs`, polls the journal every few ms until the recording reaches one of `stages`; returns the one seen. */
export async function waitForStage(
  sidecarData: string,
  id: string,
  stages: readonly string[],
  /** Waits this long first (a kill half way through recording rather than as it begins). */
  afterMs = 0,
  timeoutMs = 120_000,
): Promise<string> {
  await sleep(afterMs);
  const until = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < until) {
    last = await journalStage(sidecarData, id).catch(() => last);
    if (last !== undefined && stages.includes(last)) return last;
    if (last === 'done' || last === 'failed')
      throw new Error(`recording ${id} was already ${last} before any of ${stages.join(', ')}`);
    await sleep(5);
  }
  throw new Error(`recording ${id} did not reach ${stages.join(' or ')} (last seen: ${last ?? 'nothing'})`);
}

export interface CatalogOutcome {
  state: string;
  artifacts: string[];
  error?: string;
  warnings?: string[];
  endReason?: string;
}

/** Waits until the catalog holds the recording finished: done with its graphs, or failed with a reason. */
export async function finishedInCatalog(
  baseUrl: string,
  keyed: Record<string, string>,
  id: string,
): Promise<CatalogOutcome> {
  return eventually(
    async () => {
      const entry = await fetchJson<Omit<CatalogOutcome, 'artifacts'> & { artifacts: { name: string }[] }>(
        `${baseUrl}/api/v1/recordings/${id}`,
        { headers: keyed },
      );
      if (entry.status !== 200) return undefined;
      const artifacts = entry.body.artifacts.map((a) => a.name);
      const graphed = artifacts.includes('flamegraph.svg') && artifacts.includes('stacks.folded');
      if (entry.body.state === 'failed' || (entry.body.state === 'done' && graphed))
        return { ...entry.body, artifacts };
      return undefined;
    },
    120_000,
    `recording ${id} finished in the catalog`,
    250,
  );
}

/**
 * Files nothing points to: a recorder directory whose recording the catalog does not hold or whose journal
 * says it was never delivered, and a catalog directory the catalog does not list.
 */
export async function orphans(
  baseUrl: string,
  keyed: Record<string, string>,
  dirs: { sidecarData: string; serverData: string },
): Promise<string[]> {
  const listed = await fetchJson<{ items: { id: string }[] }>(`${baseUrl}/api/v1/recordings?limit=500`, {
    headers: keyed,
  });
  const known = new Set(listed.body.items.map((i) => i.id));
  const found: string[] = [];
  for (const id of await readdir(`${dirs.sidecarData}/recordings`).catch(() => [] as string[])) {
    const journal = await readFile(`${dirs.sidecarData}/recordings/${id}/recording.json`, 'utf8').catch(
      () => '',
    );
    const delivered = journal !== '' && (JSON.parse(journal) as { upload: string }).upload === 'sent';
    if (!known.has(id) || !delivered) found.push(`recorder: ${id}${delivered ? '' : ' (not delivered)'}`);
  }
  for (const id of await readdir(`${dirs.serverData}/recordings`).catch(() => [] as string[])) {
    if (!known.has(id)) found.push(`catalog: ${id}`);
  }
  return found;
}
