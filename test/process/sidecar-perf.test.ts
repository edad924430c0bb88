// The real sidecar process recording a real C program with real perf, registered with a fake server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { buildHotProgram, samplesOf, startHotProgram } from '../harness/hot-program.ts';
import { portOf } from '../harness/ports.ts';
import { startProcess } from '../harness/processes.ts';
import { finished } from '../harness/recording-status.ts';
import { workDir } from '../harness/temp-dirs.ts';
import { startRegisteredSidecar } from './sidecar-harness.ts';

const SECRET = 'local-registration-secret';

describe('sidecar with real perf (with a fake registration server)', () => {
  it('records until the deadline without a stop, and the folded stacks show both functions at about 1:3', async (t) => {
    const { target } = await startHotProgram(t, await workDir(t, 'perf-ratio'));
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);

    const done = await sidecar.record({ pid: target.pid, durationSeconds: 4, frequency: 499 });
    const { id } = done;
    assert.equal(done.state, 'done', done.error);
    assert.equal(done.stage, undefined, 'a done recording names no stage still to run');
    assert.ok((done.samples ?? 0) > 0);

    const folded = await sidecar.artifact(id, 'stacks.folded');
    const light = samplesOf(folded, 'furnace_light');
    const heavy = samplesOf(folded, 'furnace_heavy');
    assert.ok(light > 0 && heavy > 0, `both functions appear:\n${folded}`);
    const ratio = heavy / light;
    t.diagnostic(`heavy:light = ${heavy}:${light} = ${ratio.toFixed(2)}`);
    // The heavy loop does three times the light one's iterations; what a shared VM makes of that in CPU
    // time has measured 2.6–3.7 across CI runs, so this asks for the order and about the proportion.
    assert.ok(
      ratio >= 2 && ratio <= 4.5,
      `heavy:light = ${heavy}:${light} = ${ratio.toFixed(2)}, want about 3 (2 to 4.5)`,
    );

    const svg = await sidecar.call('GET', `/recordings/${id}/artifacts/flamegraph.svg`);
    assert.match(svg.text, /furnace_heavy/);
    const script = await sidecar.call('GET', `/recordings/${id}/artifacts/perf.script`);
    assert.match(script.text, /furnace_light/);

    // The recording went to the (fake) server's catalog with the proxy token.
    await sidecar.waitFor(id, (s) => s.state === 'done');
    assert.ok(server.uploads.has(`/api/v1/recordings/${id}`));
    assert.match(
      server.uploads.get(`/api/v1/recordings/${id}/artifacts/stacks.folded`)?.toString() ?? '',
      /furnace_heavy/,
    );
    assert.equal(server.registrations[0]?.authorization, `Bearer ${SECRET}`);
  });

  it('keeps what was sampled when stopped early, and refuses a second start meanwhile', async (t) => {
    const { program, target } = await startHotProgram(t, await workDir(t, 'perf-stop'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);

    const status = await sidecar.start({
      processPattern: `^${program}`,
      durationSeconds: 300,
    });
    assert.deepEqual(
      status.targets.map((p) => p.pid),
      [target.pid],
    );

    const second = await sidecar.call('POST', '/recordings', { pid: target.pid });
    assert.equal(second.status, 409);
    assert.match(second.text, new RegExp(`ERR_RECORDING_RUNNING.*${status.id}`));

    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stopped = await sidecar.call('POST', `/recordings/${status.id}/stop`);
    assert.equal(stopped.status, 200);
    const done = await sidecar.waitFor(status.id, finished);
    assert.equal(done.state, 'done', done.error);
    const folded = await sidecar.artifact(status.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded);
  });

  it('finishes a recording stopped right after its start (the stop waits for perf to open its file)', async (t) => {
    const { program } = await startHotProgram(t, await workDir(t, 'perf-stop-at-once'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const outcomes: string[] = [];
    for (let round = 0; round < 4; round++) {
      const status = await sidecar.start({ processPattern: `^${program}`, durationSeconds: 300 });
      const stopped = await sidecar.call('POST', `/recordings/${status.id}/stop`);
      assert.equal(stopped.status, 200);
      const done = await sidecar.waitFor(status.id, finished);
      outcomes.push(`${done.state}${done.error ? `: ${done.error}` : ''}`);
    }
    assert.deepEqual(outcomes, ['done', 'done', 'done', 'done']);
  });

  it('keeps what was sampled when the target exits before the deadline', async (t) => {
    const program = await buildHotProgram(await workDir(t, 'perf-exit'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    const target = startProcess(t, program, ['2']);

    const done = await sidecar.record({ pid: target.pid, durationSeconds: 300 });
    assert.equal(done.state, 'done', done.error);
    assert.notEqual(target.child.exitCode, null, 'the target has exited');
    const folded = await sidecar.artifact(done.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded);
  });

  it('stops at the perf.data size cap and keeps what was sampled', async (t) => {
    const { target } = await startHotProgram(t, await workDir(t, 'perf-cap'), 300);
    const { sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_MAX_PERF_DATA_BYTES: String(64 * 1024),
    });
    const done = await sidecar.record({ pid: target.pid, durationSeconds: 600, frequency: 999 });
    assert.equal(done.state, 'done', done.error);
    assert.match(done.warnings?.join('\n') ?? '', /perf.data reached its size cap \(65536 bytes\)/);
    const folded = await sidecar.artifact(done.id, 'stacks.folded');
    assert.ok(samplesOf(folded, 'furnace_heavy') > 0, folded);
  });

  it('keeps serving the API over plain HTTP, and registers no key, when another container holds its HTTPS port', async (t) => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    t.after(() => holder.close());
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET, {
      FURNACE_SIDECAR_TLS_PORT: String(portOf(holder)),
    });
    const registration = server.registrations[0]?.body as Record<string, unknown>;
    assert.equal(registration.tlsPin, undefined, 'no key pinned, so the server calls over plain HTTP');
    const plain = await fetch(`${sidecar.base}/recordings`, {
      headers: { authorization: `Bearer ${server.proxyToken}` },
    });
    assert.equal(plain.status, 200);
  });

  it('refuses calls without the proxy token or over plain HTTP, and bad parameters, naming field and limit', async (t) => {
    const { server, sidecar } = await startRegisteredSidecar(t, SECRET);

    assert.equal((await sidecar.call('GET', '/healthz', undefined, null)).status, 200);
    assert.equal(
      (await fetch(`${sidecar.base}/healthz`)).status,
      200,
      'probes reach /healthz over plain HTTP',
    );
    const plain = await fetch(`${sidecar.base}/recordings`, {
      headers: { authorization: `Bearer ${server.proxyToken}` },
    });
    assert.equal(plain.status, 403, 'the API is served over HTTPS only, even to the proxy token');
    for (const token of [null, 'wrong-token', SECRET]) {
      const response = await sidecar.call('POST', '/recordings', { pid: process.pid }, token);
      assert.equal(response.status, 401, `token ${token}`);
      assert.equal((await sidecar.call('GET', '/recordings', undefined, token)).status, 401);
    }

    const cases: [unknown, RegExp][] = [
      [{ pid: process.pid, durationSeconds: 601 }, /durationSeconds 601.*600/],
      [{ pid: process.pid, frequency: 100000 }, /frequency 100000.*999/],
      [{ pid: process.pid, event: 'bogus' }, /event "bogus".*cpu-clock/],
      [{ pid: process.pid, callGraph: 'lbr' }, /callGraph "lbr"/],
      [{}, /pid or processPattern is required/],
      [
        { processPattern: 'furnace-no-such-program-[0-9]' },
        /ERR_NO_MATCHING_PROCESS: .*furnace-no-such-program/,
      ],
      [{ pid: sidecar.child.pid }, /ERR_NO_MATCHING_PROCESS/],
    ];
    for (const [body, message] of cases) {
      const response = await sidecar.call('POST', '/recordings', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      const error = response.json as { code: string; message: string };
      assert.match(`${error.code}: ${error.message}`, message);
    }
  });

  it('ends in failed, saying in one sentence that the event is not available and to use cpu-clock', async (t) => {
    const { target } = await startHotProgram(t, await workDir(t, 'perf-fail'));
    const { sidecar } = await startRegisteredSidecar(t, SECRET);
    // An event perf accepts by name but this machine cannot count (no hardware counters here).
    const done = await sidecar.record({ pid: target.pid, event: 'instructions', durationSeconds: 5 });
    assert.equal(done.state, 'failed');
    assert.match(
      done.error ?? '',
      /^the event instructions is not available on this machine \(virtual machines often have no hardware counters\): record with Event cpu-clock/,
    );
    // perf's own pages of text go to the sidecar's log, not after the sentence.
    assert.doesNotMatch(done.error ?? '', /perf record failed/);
  });
});
