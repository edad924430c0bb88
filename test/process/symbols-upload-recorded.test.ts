// Symbols uploaded to a namespace, end to end: a real local-mode server and its real sidecar (namespace
// `local`), real perf, and `furnace symbols` and `furnace record` as a user runs them. A stripped C program
// is unnamed; another namespace's upload of a file with the program's build id (its functions named
// otherwise) changes nothing; once the program's own debug file is uploaded to `local`, every hot frame of
// the next recording is named from it, and the recording taken before the upload, symbolized again on
// request, is named from it too.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, it, type TestContext } from 'node:test';
import { parseFolded, totalSamples } from '../../core/stacks/folded.ts';
import { buildHotProgram, samplesOf } from '../harness/hot-program.ts';
import { startLocalServer, type LocalServer } from '../harness/local-server.ts';
import { startProcess } from '../harness/processes.ts';
import { PROJECT_ROOT } from '../harness/project-root.ts';
import { buildStrippedC, splitDebugInfo } from '../harness/stripped-programs.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import type { CatalogEntry } from '../../core/contract/recording.ts';

const TSX = import.meta.resolve('tsx');

/** `furnace ARGS --server …` with the local key, as a user's shell runs it. */
async function furnace(t: TestContext, local: LocalServer, cwd: string, args: string[]) {
  const cli = startProcess(
    t,
    process.execPath,
    ['--import', TSX, `${PROJECT_ROOT}/cli/furnace.ts`, ...args, '--server', local.baseUrl],
    { cleanEnv: true, cwd, env: { HOME: cwd, FURNACE_KEY: local.key } },
  );
  const code = await cli.exited;
  return { code, output: cli.output() };
}

/** The share of all samples whose stack holds one of the functions. */
function share(folded: string, functions: string[]): number {
  const total = totalSamples(parseFolded(folded));
  assert.ok(total > 0, 'samples');
  return functions.reduce((sum, fn) => sum + samplesOf(folded, fn), 0) / total;
}

describe('symbols uploaded to a namespace (real server, sidecar, perf and CLI)', () => {
  it("names every hot frame of a stripped program from its namespace's upload, never from another namespace's, and in a recording taken before the upload once symbolized again", async (t) => {
    const work = await tempDir(t, 'furnace-symbols-e2e-');
    const own = await buildStrippedC(work, `upload-${process.pid}-${Date.now()}`);
    const renamed = ['-Dfurnace_heavy=tenant_b_heavy', '-Dfurnace_light=tenant_b_light'];
    const forged = await splitDebugInfo(
      await buildHotProgram(work, ['-g', `-Wl,--build-id=0x${own.buildId}`, ...renamed], 'forged'),
    );
    assert.equal(forged.buildId, own.buildId);
    const target = startProcess(t, own.program, ['120']);
    const local = await startLocalServer(t);
    const record = async (name: string) => {
      const out = `${work}/${name}`;
      const args = ['record', hostname(), '--pid', String(target.pid), '-d', '2s', '-F', '199'];
      const recorded = await furnace(t, local, work, [...args, '--call-graph', 'fp', '-o', out]);
      assert.equal(recorded.code, 0, recorded.output);
      return { folded: await readFile(`${out}/stacks.folded`, 'utf8'), output: recorded.output };
    };

    const other = await furnace(t, local, work, ['symbols', 'upload', forged.debugFile, '-n', 'other']);
    assert.equal(other.code, 0, other.output);
    const bare = await record('bare');
    assert.equal(
      share(bare.folded, ['furnace_heavy', 'tenant_b_heavy', 'furnace_light', 'tenant_b_light']),
      0,
    );

    const uploaded = await furnace(t, local, work, ['symbols', 'upload', own.debugFile, '-n', 'local']);
    assert.equal(uploaded.code, 0, uploaded.output);
    assert.match(uploaded.output, new RegExp(`build id ${own.buildId} uploaded in local`));
    const listed = await furnace(t, local, work, ['symbols', 'list', '-n', 'local']);
    assert.match(listed.output, new RegExp(`^${own.buildId} `, 'm'));
    const again = await furnace(t, local, work, ['symbols', 'upload', own.debugFile, '-n', 'local']);
    assert.match(again.output, /already there \(kept as it was\)/);

    const named = await record('named');
    const hot = share(named.folded, ['furnace_heavy', 'furnace_light']);
    t.diagnostic(`furnace_heavy/furnace_light in ${(hot * 100).toFixed(1)} % of the samples`);
    assert.ok(hot >= 0.8, `every hot frame named:\n${named.folded.slice(0, 2000)}`);
    assert.equal(share(named.folded, ['tenant_b_heavy', 'tenant_b_light']), 0, named.folded);
    assert.match(named.output, /symbols of stripped .* from the namespace's uploaded symbols/);

    // The recording taken before the upload, symbolized again from the perf.data it kept.
    const id = /furnace download (\S+) -n/.exec(bare.output)?.[1] ?? assert.fail(bare.output);
    const resymbolized = await furnace(t, local, work, ['symbols', 'resymbolize', id, '-n', 'local']);
    assert.equal(resymbolized.code, 0, resymbolized.output);
    assert.match(resymbolized.output, /symbolized again at .*from the namespace's uploaded symbols/);
    const entry = (await (
      await fetch(`${local.baseUrl}/api/v1/recordings/${id}`, { headers: local.headers })
    ).json()) as CatalogEntry;
    assert.ok(
      (entry.warnings ?? []).some((w) => w.startsWith('symbolized again at')),
      JSON.stringify(entry),
    );
    const download = await fetch(`${local.baseUrl}/api/v1/recordings/${id}/artifacts/stacks.folded`, {
      headers: local.headers,
    });
    const folded = await download.text();
    assert.ok(
      share(folded, ['furnace_heavy', 'furnace_light']) >= 0.8,
      `named again:\n${folded.slice(0, 2000)}`,
    );
  });
});
