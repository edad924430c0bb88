// kill -9 at each stage of a recording (recording, perf script, collapse, upload): the sidecar, the server,
// and the local server that owns its recorder. After each restart, every recording that was started must
// be in the catalog, done with its graphs or failed with the reason; none vanishes and no file is left
// that nothing points to. The recorder is slowed with a CPU quota (cpu-throttle.ts) so that its short
// stages can be caught; the counts are printed.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuThrottle, spareRecord, spareTree } from '../harness/cpu-throttle.ts';
import { eventually } from '../harness/eventually.ts';
import { runHotProgram, SAMPLED_BUSY_PERCENT } from '../harness/hot-program.ts';
import { childPids, stopPid, type RunningProcess } from '../harness/processes.ts';
import { identifyChild, type ProcessIdentity } from '../harness/process-identity.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import {
  finishedInCatalog,
  journalStage,
  orphans,
  serverReady,
  serverSetup,
  sidecarRegistered,
  startRecording,
  startSidecar,
  waitForStage,
  type CatalogOutcome,
} from './fault-processes.ts';

/** Each kill point, and the journal stages that count as reaching it. */
const KILL_POINTS: readonly { name: string; stages: string[]; afterMs?: number }[] = [
  // Half way through its 4 s.
  { name: 'recording', stages: ['recording'], afterMs: 2000 },
  { name: 'script', stages: ['script'] },
  { name: 'collapse', stages: ['collapse', 'render'] },
  { name: 'upload', stages: ['upload'] },
];

interface Tally {
  rows: string[];
  done: number;
  failed: number;
}

function count(tally: Tally, victim: string, point: string, seen: string, outcome: CatalogOutcome): void {
  if (outcome.state === 'done') tally.done += 1;
  else tally.failed += 1;
  const how =
    outcome.state === 'done' ? `done, ${outcome.artifacts.length} files` : `failed: ${outcome.error}`;
  tally.rows.push(`${victim.padEnd(13)} ${point.padEnd(10)} (seen at ${seen.padEnd(9)}) → ${how}`);
}

function report(t: TestContext, title: string, tally: Tally, started: number, orphaned: string[]): void {
  const lines = [
    `${title}: ${started} started, ${tally.done} done, ${tally.failed} failed with a reason, ${started - tally.done - tally.failed} lost, ${orphaned.length} orphaned files`,
    ...tally.rows.map((r) => `  ${r}`),
  ];
  t.diagnostic(lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A recording that outlived a kill must say so and keep its graphs; a failed one must say why. */
function assertSurvived(outcome: CatalogOutcome, where: string): void {
  if (outcome.state === 'failed') {
    assert.match(outcome.error ?? '', /\w/, `${where}: a failed recording says why`);
    return;
  }
  assert.ok(outcome.artifacts.includes('flamegraph.svg'), `${where}: the graph is there`);
  assert.ok(outcome.endReason !== undefined && outcome.endReason !== '', `${where}: why it ended is said`);
}

async function noOrphans(
  baseUrl: string,
  keyed: Record<string, string>,
  dirs: { sidecarData: string; serverData: string },
): Promise<string[]> {
  let last: string[] = [];
  await eventually(
    async () => {
      last = await orphans(baseUrl, keyed, dirs);
      return last.length === 0 ? true : undefined;
    },
    20_000,
    'every file to belong to a cataloged recording',
  ).catch(() => undefined);
  return last;
}

// The three victims run side by side: each has its own server, recorder, data and CPU group, and the
// recorders being caught spend most of their time waiting for their quota, not on the machine's cores.
describe('fault injection: kill -9 at each stage', { concurrency: true }, () => {
  it('a killed sidecar finishes, after its restart, every recording it had started', async (t) => {
    const dir = await tempDir(t, 'furnace-fault-sidecar-');
    const sidecarData = `${dir}/sidecar`;
    const setup = await serverSetup(t, dir, { localSidecar: false });
    setup.start();
    await serverReady(setup.baseUrl);
    const keyed = await setup.keyed();
    const throttle = await cpuThrottle(t, 4);
    const program = await runHotProgram(t, dir, 600, SAMPLED_BUSY_PERCENT);
    const tally: Tally = { rows: [], done: 0, failed: 0 };
    let sidecar = startSidecar(t, setup.recorderUrl, sidecarData);
    await sidecarRegistered(setup.baseUrl, keyed);
    for (const point of KILL_POINTS) {
      const id = await startRecording(setup.baseUrl, keyed, program);
      await throttle.add(sidecar.pid);
      await spareRecord(throttle, sidecar.pid, id);
      const seen = await waitForStage(sidecarData, id, point.stages, point.afterMs);
      sidecar.child.kill('SIGKILL');
      await sidecar.exited;
      // The recording's last state on disk when the kill landed: a recorder caught uploading may have
      // finished between the look and the kill, and then nothing was interrupted.
      const atKill = await journalStage(sidecarData, id);
      sidecar = startSidecar(t, setup.recorderUrl, sidecarData);
      const outcome = await finishedInCatalog(setup.baseUrl, keyed, id);
      await recorderIdle(sidecarData, id);
      // The catalog may hold what the killed recorder had sent (done, its files, no word of the restart)
      // until the restarted one sends the recording again: the entry is judged once the recorder is idle.
      const final = await finishedInCatalog(setup.baseUrl, keyed, id);
      const early =
        outcome.state === 'done' && !/recorder restarted/.test(outcome.warnings?.join('\n') ?? '');
      const noted = `${seen}${atKill === 'done' ? ', done before the kill' : ''}${early ? ', first read as sent before it' : ''}`;
      count(tally, 'sidecar', point.name, noted, final);
      assertSurvived(outcome, `sidecar killed at ${point.name}`);
      assertSurvived(final, `sidecar killed at ${point.name}, once its restart is idle`);
      if (final.state === 'done' && atKill !== 'done')
        assert.match(
          final.warnings?.join('\n') ?? '',
          /recorder restarted/,
          `sidecar killed at ${point.name}`,
        );
      await sidecarRegistered(setup.baseUrl, keyed);
    }
    const left = await noOrphans(setup.baseUrl, keyed, { sidecarData, serverData: setup.dataDir });
    report(t, 'sidecar killed', tally, KILL_POINTS.length, left);
    assert.equal(tally.done + tally.failed, KILL_POINTS.length, 'no recording vanished');
    assert.deepEqual(left, [], 'no file is left that nothing points to');
  });

  it('a killed server gets, once it is back, every recording the sidecar finished meanwhile', async (t) => {
    const dir = await tempDir(t, 'furnace-fault-server-');
    const sidecarData = `${dir}/sidecar`;
    const setup = await serverSetup(t, dir, { localSidecar: false });
    let server = setup.start();
    await serverReady(setup.baseUrl);
    const keyed = await setup.keyed();
    const throttle = await cpuThrottle(t, 4);
    const program = await runHotProgram(t, dir, 600, SAMPLED_BUSY_PERCENT);
    const tally: Tally = { rows: [], done: 0, failed: 0 };
    const sidecar = startSidecar(t, setup.recorderUrl, sidecarData);
    await sidecarRegistered(setup.baseUrl, keyed);
    for (const point of KILL_POINTS) {
      await throttle.add(sidecar.pid);
      const id = await startRecording(setup.baseUrl, keyed, program);
      await spareRecord(throttle, sidecar.pid, id);
      const seen = await waitForStage(sidecarData, id, point.stages, point.afterMs);
      server.child.kill('SIGKILL');
      await spareTree(throttle, sidecar.pid); // caught; it finishes at full speed
      await server.exited;
      await sleep(3000); // the server stays away a while
      server = setup.start();
      await serverReady(setup.baseUrl);
      const outcome = await finishedInCatalog(setup.baseUrl, keyed, id);
      await recorderIdle(sidecarData, id);
      const final = await finishedInCatalog(setup.baseUrl, keyed, id);
      count(tally, 'server', point.name, seen, final);
      assertSurvived(outcome, `server killed at ${point.name}`);
      await sidecarRegistered(setup.baseUrl, keyed);
    }
    const left = await noOrphans(setup.baseUrl, keyed, { sidecarData, serverData: setup.dataDir });
    report(t, 'server killed', tally, KILL_POINTS.length, left);
    assert.equal(tally.done, KILL_POINTS.length, 'every recording the sidecar finished is delivered');
    assert.deepEqual(left, [], 'no file is left that nothing points to');
  });

  it('a killed local server (npm start) finds, once restarted, every recording its recorder had started', async (t) => {
    const dir = await tempDir(t, 'furnace-fault-local-');
    const setup = await serverSetup(t, dir, { localSidecar: true });
    const sidecarData = `${setup.dataDir}/sidecar`;
    await mkdir(setup.dataDir, { recursive: true });
    let server = setup.start();
    await serverReady(setup.baseUrl);
    const keyed = await setup.keyed();
    await sidecarRegistered(setup.baseUrl, keyed);
    const throttle = await cpuThrottle(t, 4);
    const program = await runHotProgram(t, dir, 600, SAMPLED_BUSY_PERCENT);
    const tally: Tally = { rows: [], done: 0, failed: 0 };
    for (const point of KILL_POINTS) {
      const id = await startRecording(setup.baseUrl, keyed, program);
      const recorder = await localRecorderPid(server);
      t.after(() => stopPid(recorder)); // it follows its server out by itself; this is in case it does not
      await throttle.add(recorder.pid);
      await spareRecord(throttle, recorder.pid, id);
      const seen = await waitForStage(sidecarData, id, point.stages, point.afterMs);
      server.child.kill('SIGKILL');
      await server.exited;
      server = setup.start();
      await serverReady(setup.baseUrl);
      const outcome = await finishedInCatalog(setup.baseUrl, keyed, id);
      await recorderIdle(sidecarData, id);
      const final = await finishedInCatalog(setup.baseUrl, keyed, id);
      count(tally, 'local server', point.name, seen, final);
      assertSurvived(outcome, `local server killed at ${point.name}`);
      await sidecarRegistered(setup.baseUrl, keyed);
    }
    const left = await noOrphans(setup.baseUrl, keyed, { sidecarData, serverData: setup.dataDir });
    report(t, 'local server killed', tally, KILL_POINTS.length, left);
    assert.equal(tally.done + tally.failed, KILL_POINTS.length, 'no recording vanished');
    assert.deepEqual(left, [], 'no file is left that nothing points to');
  });
});

/** Waits until the recorder has finished with the recording (its last uploads go after the graphs). */
async function recorderIdle(sidecarData: string, id: string): Promise<void> {
  await eventually(
    async () => {
      const stage = await journalStage(sidecarData, id);
      return stage === 'done' || stage === 'failed' ? true : undefined;
    },
    60_000,
    `the recorder to be done with ${id}`,
  );
}

/**
 * The local recorder: the server's one Node child, with its start time (read while it is still the
 * server's child), so that the hook that stops it leaves alone whatever has its PID by then.
 */
async function localRecorderPid(server: RunningProcess): Promise<ProcessIdentity> {
  return eventually(
    async () => {
      const pids = await childPids(server.pid);
      return pids.length === 1 ? identifyChild(server.pid, pids[0]) : undefined;
    },
    10_000,
    'the local recorder process',
  );
}
