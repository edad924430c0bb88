// A finished recording symbolized again on request (fake perf: its script answers what the test sets, as a
// perf script with new symbols would): the new graphs replace the old ones only once whole, the catalog gets
// them again (the files before the status that says they are new), and a recording still running, kept without a finished perf.data, or asked twice at once is
// refused or left as it was, saying why.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { RecordingStatus } from '../../../core/contract/recording.ts';
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
