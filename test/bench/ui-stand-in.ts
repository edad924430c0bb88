// For the UI benchmark: a profile of 100,000 unique stacks, put into the catalog of a real server
// (local mode, no local sidecar) by a stand-in sidecar through the server's own upload API (the
// recorder listener), with the compact flame tree the real sidecar writes, or without it as an older
// sidecar's recording.
import { gzipSync } from 'node:zlib';
import { encodeFlameTree, writeCompactTree } from '../../core/render/flame-tree-compact.ts';
import { buildFlameTree } from '../../core/render/flame-tree.ts';
import { parseFolded } from '../../core/stacks/folded.ts';
import { fetchJson } from '../harness/http.ts';

/**
 * A call tree with `uniqueStacks` leaves, one folded line per leaf: chains of single calls broken by
 * branch points of 2–8 callees, 8–40 frames deep, 5,000 distinct C++-like functions. Real profiles share long prefixes
 * like this; independent random frames would not. Deterministic (a linear congruential generator).
 */
export function syntheticFolded(uniqueStacks: number): string {
  const FUNCTIONS = Array.from({ length: 5000 }, (_, i) => `ns${i % 13}::Svc${(i * 7) % 211}::fn${i}`);
  let seed = 42;
  const next = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const lines: string[] = [];
  const pending: { stack: string; depth: number; leaves: number }[] = [
    { stack: 'bench-app;main', depth: 2, leaves: uniqueStacks },
  ];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { stack, depth, leaves } = item;
    if (leaves === 1 && (depth >= 8 + next(32) || depth >= 40)) {
      lines.push(`${stack} ${1 + next(50)}`);
      continue;
    }
    const branches = leaves === 1 || next(10) < 6 ? 1 : Math.min(leaves, 2 + next(7));
    const taken = new Set<string>();
    let left = leaves;
    for (let b = 0; b < branches; b++) {
      const share =
        b === branches - 1
          ? left
          : Math.max(1, Math.floor((left / (branches - b)) * (0.5 + next(100) / 100)));
      const take = Math.min(share, left - (branches - b - 1));
      left -= take;
      let name = FUNCTIONS[next(FUNCTIONS.length)] as string;
      while (taken.has(name)) name = FUNCTIONS[next(FUNCTIONS.length)] as string;
      taken.add(name);
      pending.push({ stack: `${stack};${name}`, depth: depth + 1, leaves: take });
    }
  }
  return `${lines.join('\n')}\n`;
}

async function expectOk(response: Response, what: string): Promise<void> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`);
}

/** The compact tree of folded text, gzipped, as sidecar/recording/render-artifacts.ts writes `flame-tree.bin.gz`. */
export function compactTreeOf(folded: string): Buffer {
  return gzipSync(writeCompactTree(encodeFlameTree(buildFlameTree(parseFolded(folded)))), { level: 6 });
}

/**
 * Registers as the local sidecar with the registration secret (at `recorderUrl`, the server's recorder
 * listener) and uploads one finished recording: its folded stacks, and `tree` when given; the process it
 * recorded is `bench-app` (PID 1) unless `targets` says otherwise.
 */
export async function uploadRecording(
  recorderUrl: string,
  secret: string,
  recording: { id: string; folded: string; tree?: Buffer; targets?: { pid: number; comm: string }[] },
): Promise<void> {
  const { id, folded, tree, targets = [{ pid: 1, comm: 'bench-app' }] } = recording;
  const registered = await fetchJson<{ uploadToken: string }>(`${recorderUrl}/api/v1/sidecars`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ port: 9 }),
  });
  const token = registered.body.uploadToken;
  const samples = folded.split('\n').reduce((sum, line) => sum + Number(/ (\d+)$/.exec(line)?.[1] ?? 0), 0);
  const status = {
    id,
    state: 'done',
    stage: 'upload',
    progress: 1,
    params: {
      durationSeconds: 60,
      frequency: 99,
      event: 'cpu-clock',
      callGraph: 'fp',
      symbols: 'proc',
      systemWide: false,
    },
    targets,
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    endedAt: new Date().toISOString(),
    artifacts: tree ? ['flame-tree.bin.gz', 'stacks.folded'] : ['stacks.folded'],
    samples,
  };
  const headers = { authorization: `Bearer ${token}` };
  await expectOk(
    await fetch(`${recorderUrl}/api/v1/recordings/${id}`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(status),
    }),
    'metadata upload',
  );
  const artifacts: [string, string, string | Uint8Array<ArrayBuffer>][] = [
    ['stacks.folded', 'text/plain', folded],
  ];
  if (tree) artifacts.unshift(['flame-tree.bin.gz', 'application/gzip', new Uint8Array(tree)]);
  for (const [name, type, body] of artifacts)
    await expectOk(
      await fetch(`${recorderUrl}/api/v1/recordings/${id}/artifacts/${name}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': type },
        body,
      }),
      `${name} upload`,
    );
}
