// The real server in local mode with a small limits.maxArtifactBytes: perf.data and perf.script are
// refused (413), and the recording still reaches the catalog with its graph and a warning that says why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import type { CatalogEntry, RecordingStatus } from '../../core/contract/recording.ts';
import { eventually } from '../harness/eventually.ts';
import { startHotProgram } from '../harness/hot-program.ts';
import { fetchJson } from '../harness/http.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { HOSTNAME } from './server-processes.ts';

const LIMIT = 64 * 1024;

describe('uploads the catalog refuses in part (real server, real sidecar, real perf)', () => {
  it('keeps the graph, skips perf.data over maxArtifactBytes with a warning in the catalog, and leaves "upload"', async (t) => {
    const dir = await workDir(t, 'upload-refusals');
    const config = `${dir}/furnace.yaml`;
    await writeFile(config, `limits:\n  maxArtifactBytes: ${LIMIT}\n`);
    const server = await startLocalServer(t, { env: { FURNACE_CONFIG: config } });
    const { target } = await startHotProgram(t, dir);
    const proxy = `${server.baseUrl}/proxy/local/${HOSTNAME}`;
    const json = { 'content-type': 'application/json', ...server.headers };
    const started = await fetchJson<RecordingStatus>(`${proxy}/recordings`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ pid: target.pid, durationSeconds: 6, frequency: 999 }),
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const { id } = started.body;

    // The sidecar's own status always leaves "upload".
    const final = await eventually(
      async () => {
        const { body } = await fetchJson<RecordingStatus>(`${proxy}/recordings/${id}`, {
          headers: server.headers,
        });
        return body.state === 'done' || body.state === 'failed' ? body : undefined;
      },
      60_000,
      'the recording to leave processing',
    );
    assert.equal(final.state, 'done', final.error);

    const entry = await eventually(
      async () => {
        const { status, body } = await fetchJson<CatalogEntry>(`${server.baseUrl}/api/v1/recordings/${id}`, {
          headers: server.headers,
        });
        return status === 200 && (body.warnings?.length ?? 0) > 0 ? body : undefined;
      },
      30_000,
      'the catalog entry to carry the warnings',
    );
    const kept = entry.artifacts.map((a) => a.name);
    for (const name of ['flame-tree.bin.gz', 'stacks.folded', 'flamegraph.svg'])
      assert.ok(kept.includes(name as never), `${name} kept: ${kept.join(', ')}`);
    assert.ok(!kept.includes('perf.data'), `perf.data is over ${LIMIT} bytes: ${kept.join(', ')}`);
    const warning = entry.warnings?.find((w) => w.startsWith('perf.data'));
    t.diagnostic(`warnings: ${JSON.stringify(entry.warnings)}`);
    assert.match(
      warning ?? '',
      /^perf\.data was not kept: [\d.]+ (KB|MB) over the 64 KB limit \(maxArtifactBytes\)$/,
    );
    assert.ok(
      entry.warnings?.some((w) => w.startsWith('perf.script was not kept')),
      'perf.script has a cap too',
    );
  });
});
