// A finished recording symbolized again on request (fake perf: its script answers what the test sets, as a
// perf script with new symbols would): the new graphs replace the old ones only once whole, the catalog gets
// them again (the files before the status that says they are new), what the recording said about naming its
// frames and its diagnoses are replaced by what the new graphs say while its other warnings stay, and a
// recording still running, kept without a finished perf.data, or asked twice at once is refused or left as
// it was, saying why.
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
import { buildStrippedC, type StrippedProgram } from '../../harness/stripped-programs.ts';
import { tempDir } from '../../harness/temp-dirs.ts';
import { auth, PERF_SCRIPT, sidecarFixture, type SidecarFixture } from './sidecar-fixture.ts';

/** A perf.data header that says perf finished the file (data size 1 at offset 48). */
function finishedHeader(): Buffer {
  const header = Buffer.alloc(104);
  header.write('PERFILE2', 0, 'latin1');
  header.writeBigUInt64LE(1n, 48);
  return header;
}

async function finishedRecording(fixture: SidecarFixture): Promise<RecordingStatus> {
  const started = await fixture.start({ pid: 200, durationSeconds: 60 });
  const { id } = started.json<RecordingStatus>();
  await fixture.app.inject({ method: 'POST', url: `/recordings/${id}/stop`, headers: auth });
  await fixture.controller.settled();
  const status = await fixture.read(id);
  assert.equal(status.state, 'done', status.error);
  return status;
}

const resymbolize = (fixture: SidecarFixture, id: string) =>
  fixture.app.inject({ method: 'POST', url: `/recordings/${id}/resymbolize`, headers: auth });

/**
 * A stand-in for the server's symbols route (fake: a loopback HTTP server): the program's debug file once
 * `uploaded` is set, 404 before, as the server answers for a namespace without that upload.
 */
async function symbolsRoute(
  t: TestContext,
  stripped: StrippedProgram,
): Promise<{ url: string; upload(): void }> {
  let uploaded = false;
  const server = createServer((request, response) => {
    if (uploaded && request.url?.endsWith(`/symbols/buildid/${stripped.buildId}/debuginfo`))
      createReadStream(stripped.debugFile).pipe(response);
    else response.writeHead(404).end('not uploaded');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, upload: () => (uploaded = true) };
}

/** perf script's text for samples of `program`, its functions named or not (`[unknown]`, as when stripped). */
function samplesOf(program: string, named: boolean): string {
  const frame = (fn: string, at: string) =>
    `\t    ${at} ${named ? `${fn}+0x14` : '[unknown]'} (${program})\n`;
  const sample = `prog 200/200 100.000001: cpu-clock:\n${frame('furnace_heavy', '55d0c8a0113d')}${frame('main', '55d0c8a011a0')}\n`;
  return sample.repeat(4);
}

describe('sidecar: a recording symbolized again (fake perf)', () => {
  it('replaces its graphs with the new names once they are whole, and sends them to the catalog again', async (t) => {
    const fixture = await sidecarFixture({
      FURNACE_SERVER_URL: 'http://127.0.0.1:1',
      FURNACE_REGISTRATION_SECRET: 'resymbolize-secret',
    });
    t.after(() => fixture.close());
    const status = await finishedRecording(fixture);
    const folded = fixture.controller.artifactPath(status.id, 'stacks.folded');
    assert.match(await readFile(folded, 'utf8'), /furnace_heavy/);
    await writeFile(fixture.controller.artifactPath(status.id, 'perf.data'), finishedHeader());
    fixture.perf.scriptText = PERF_SCRIPT.replaceAll('furnace_heavy', 'named_at_last');
    const sentBefore = fixture.uploads.length;

    const asked = await resymbolize(fixture, status.id);
    assert.equal(asked.statusCode, 202, asked.body);
    await fixture.controller.settled();
    const after = await fixture.read(status.id);
    assert.match(await readFile(folded, 'utf8'), /named_at_last/);
    assert.doesNotMatch(await readFile(folded, 'utf8'), /furnace_heavy/);
    assert.match(
      await readFile(fixture.controller.artifactPath(status.id, 'flamegraph.svg'), 'utf8'),
      /named_at_last/,
    );
    assert.ok(
      (after.warnings ?? []).some((w) => /^symbolized again at /.test(w)),
      JSON.stringify(after.warnings),
    );
    const resent = fixture.uploads.slice(sentBefore).map((r) => new URL(r.url).pathname);
    assert.ok(
      resent.some((path) => path.endsWith(`/recordings/${status.id}/artifacts/stacks.folded`)),
      resent.join(),
    );
    // The catalog learns that the graphs are new (the status and its warning) only after every new file:
    // a reader that sees the warning reads the new graphs, never the old ones under it.
    const statusPuts = resent.flatMap((path, at) => (path.endsWith(`/recordings/${status.id}`) ? [at] : []));
    const lastFile = resent.findLastIndex((path) => path.includes('/artifacts/'));
    assert.ok(statusPuts.length > 0, resent.join());
    assert.ok(
      statusPuts.every((at) => at > lastFile),
      `status after the files: ${resent.join()}`,
    );
  });

  it('replaces what it said about a stripped binary and its diagnosis with what the new graphs say, and keeps an unrelated warning (fake perf; a fake server symbols route)', async (t) => {
    const work = await tempDir(t, 'furnace-resymbolize-warnings-');
    const stripped = await buildStrippedC(work, `app-${process.pid}-${Date.now()}`);
    const route = await symbolsRoute(t, stripped);
    const fixture = await sidecarFixture(
      {
        FURNACE_SERVER_URL: route.url,
        FURNACE_REGISTRATION_SECRET: 'resymbolize-secret',
        FURNACE_MAX_PERF_DATA_BYTES: '4096',
      },
      {
        // perf buildid-list: perf.data names the stripped program by its build id.
        run: (_command, args) =>
          Promise.resolve(
            args.includes('buildid-list')
              ? { code: 0, stdout: `${stripped.buildId} ${stripped.program}\n`, stderr: '' }
              : { code: 1, stdout: '', stderr: `not run here: ${args.join(' ')}` },
          ),
      },
    );
    t.after(() => fixture.close());
    fixture.perf.scriptText = samplesOf(stripped.program, false);
    const started = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    // perf.data past its cap: perf is stopped, and the recording says so (a warning about no symbol).
    await writeFile(`${fixture.config.dataDir}/recordings/${started.id}/perf.data`, Buffer.alloc(8192));
    await fixture.controller.settled();
    const before = await fixture.read(started.id);
    assert.equal(before.state, 'done', before.error);
    const capped = (before.warnings ?? []).find((w) => /perf\.data reached its size cap/.test(w));
    assert.ok(capped, JSON.stringify(before.warnings));
    const stale = [/no debug file for stripped .*not uploaded to the namespace/, /the binary is stripped/];
    for (const said of stale)
      assert.ok(
        (before.warnings ?? []).some((w) => said.test(w)),
        `${said} before: ${JSON.stringify(before.warnings)}`,
      );

    route.upload();
    await writeFile(fixture.controller.artifactPath(started.id, 'perf.data'), finishedHeader());
    fixture.perf.scriptText = samplesOf(stripped.program, true);
    const sentBefore = fixture.uploads.length;
    assert.equal((await resymbolize(fixture, started.id)).statusCode, 202);
    await fixture.controller.settled();

    const after = await fixture.read(started.id);
    const catalogs = fixture.uploads
      .slice(sentBefore)
      .filter((r) => new URL(r.url).pathname.endsWith(`/recordings/${started.id}`));
    const lastPut = catalogs.at(-1);
    assert.ok(lastPut, 'the status went to the catalog again');
    const catalogued = JSON.parse((lastPut.body as Buffer).toString()) as RecordingStatus;
    for (const [who, warnings] of [
      ['the recorder', after.warnings ?? []],
      ['the catalog', catalogued.warnings ?? []],
    ] as const) {
      for (const said of stale)
        assert.ok(
          !warnings.some((w) => said.test(w)),
          `${who} no longer says ${said}: ${JSON.stringify(warnings)}`,
        );
      assert.ok(warnings.includes(capped), `${who} keeps: ${capped}`);
      assert.ok(
        warnings.some((w) =>
          /^symbolized again at .*symbols of stripped .* from the namespace's uploaded symbols/.test(w),
        ),
        `${who}: ${JSON.stringify(warnings)}`,
      );
    }
    assert.match(
      await readFile(fixture.controller.artifactPath(started.id, 'stacks.folded'), 'utf8'),
      /furnace_heavy/,
    );
  });

  it('leaves the graphs as they were, saying why, when perf.data was never finished', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const status = await finishedRecording(fixture);
    const folded = fixture.controller.artifactPath(status.id, 'stacks.folded');
    const before = await readFile(folded, 'utf8');
    fixture.perf.scriptText = PERF_SCRIPT.replaceAll('furnace_heavy', 'never_seen');
    assert.equal((await resymbolize(fixture, status.id)).statusCode, 202);
    await fixture.controller.settled();
    assert.equal(await readFile(folded, 'utf8'), before);
    const warnings = (await fixture.read(status.id)).warnings ?? [];
    assert.ok(
      warnings.some((w) =>
        /symbolizing again failed \(the graphs are as they were\): perf\.data is missing/.test(w),
      ),
      JSON.stringify(warnings),
    );
  });

  it('refuses a recording that still runs, one it does not know, and a second request while one runs', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const done = await finishedRecording(fixture);
    await writeFile(fixture.controller.artifactPath(done.id, 'perf.data'), finishedHeader());
    const running = (await fixture.start({ pid: 200, durationSeconds: 60 })).json<RecordingStatus>();
    const whileRunning = await resymbolize(fixture, running.id);
    assert.equal(whileRunning.statusCode, 409, whileRunning.body);
    const other = await resymbolize(fixture, done.id);
    assert.equal(other.statusCode, 409, 'not beside a running recording');
    assert.equal((await resymbolize(fixture, 'no-such-recording')).statusCode, 404);
    await fixture.app.inject({ method: 'POST', url: `/recordings/${running.id}/stop`, headers: auth });
    await fixture.controller.settled();
    assert.equal((await resymbolize(fixture, done.id)).statusCode, 202);
    const twice = await resymbolize(fixture, done.id);
    assert.equal(twice.statusCode, 409, twice.body);
    const start = await fixture.start({ pid: 200 });
    assert.equal(start.statusCode, 409, 'no start while one is symbolized again');
    await fixture.controller.settled();
  });
});
