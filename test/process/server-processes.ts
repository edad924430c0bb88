// Helpers for server process tests: the compiled server (dist/), and a recording through the proxy
// into the catalog.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from '../harness/child-processes.ts';
import { eventually } from '../harness/eventually.ts';
import { fetchJson } from '../harness/http.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';

/** The pod name of the local sidecar: this machine's hostname. */
export const HOSTNAME = hostname();

/** Compiles core, server, sidecar and cli to dist/ as `npm run build` does; throws with tsc's output. */
export function buildDist(): void {
  const tsc = join(PROJECT_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
}

export interface RecordingView {
  id: string;
  state: string;
  error?: string;
  artifacts: { name: string; bytes: number }[];
}

/** Starts a recording through the proxy, waits for the catalog to hold both artifacts, returns the entry. */
export async function recordThroughProxy(
  baseUrl: string,
  pod: string,
  processPattern: string,
  keyed: Record<string, string>,
): Promise<RecordingView> {
  const started = await fetchJson<{ id: string }>(`${baseUrl}/proxy/local/${pod}/recordings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...keyed },
    body: JSON.stringify({ processPattern, durationSeconds: 3, frequency: 199 }),
  });
  if (started.status < 200 || started.status > 299)
    throw new Error(`start answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.id;
  await eventually(
    async () => {
      const status = await fetchJson<{ state: string; error?: string }>(
        `${baseUrl}/proxy/local/${pod}/recordings/${id}`,
        { headers: keyed },
      );
      if (status.body.state === 'failed') throw new Error(`recording failed: ${status.body.error}`);
      return status.body.state === 'done' ? true : undefined;
    },
    60_000,
    'the recording to finish on the sidecar',
  );
  return eventually(
    async () => {
      const entry = await fetchJson<RecordingView>(`${baseUrl}/api/v1/recordings/${id}`, { headers: keyed });
      const names = entry.status === 200 ? entry.body.artifacts.map((a) => a.name) : [];
      return names.includes('flamegraph.svg') && names.includes('stacks.folded') ? entry.body : undefined;
    },
    60_000,
    'the catalog to hold the artifacts',
  );
}
