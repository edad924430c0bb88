// A local catalog pinned by the release before, which keyed local mode's baselines like a cluster's
// (`deployment/<hostname>`, as its pin form proposed): such a pin matches no later recording now that local
// mode keys a baseline by the program recorded. The server's catalog module moves each to its recording's
// program key when local mode starts; a cluster's pins are left as they are. The catalog is a real one on
// disk, pinned through the pin route of a server naming workloads as that release did (no `workloads:
// 'local'`), then opened again by the server's own catalog module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import { finishedRecordingStatus, perfParams } from '../../harness/recording-status.ts';
import { putStatus } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import { baselineOf, folded, pin, recordLocal, regression, summary } from './fixture-local-recordings.ts';
import { restartCatalog } from './restarted-catalog.ts';
import { buildFixture, HOST, type Fixture } from './server-fixture.ts';

const OLD_KEY = `deployment/${HOST}`;

/** Pins as the release before did: every mode named a workload. */
async function pinAs(f: Fixture, id: string, workload: string): Promise<void> {
  const pinned = await pin(f, id, { workload });
  assert.equal(pinned.statusCode, 200, pinned.body);
}

/** A recording whose status names neither a process pattern nor a process: it names no program. */
async function recordNoProgram(f: Fixture, id: string): Promise<void> {
  const { uploadToken } = registerSidecar(f, LOCAL_NAMESPACE, HOST, 1);
  const status = finishedRecordingStatus(id, {
    params: perfParams(10),
    targets: [],
    startedAt: '2026-03-01T11:30:00.000Z',
    endedAt: '2026-03-01T11:30:10.000Z',
  });
  assert.equal((await putStatus(f.recorder, uploadToken, status)).statusCode, 200);
}

const pinLines = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => typeof line.msg === 'string' && /^baseline pin /.test(line.msg));

describe('local pins of the release before: moved to the program recorded when local mode starts', () => {
  it('finds a pin made as deployment/<host> as its program’s baseline after a restart, once', async (t) => {
    const before = await buildFixture(t);
    await recordLocal(before, 'p1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    await recordLocal(before, 'p2', { pattern: 'furnace-hot' }, 2, folded('base-1'));
    await recordLocal(before, 'p3', { pattern: 'furnace-hot' }, 3, folded('beta3'));
    await recordLocal(before, 'cold1', { pid: 4202, comm: 'furnace-cold' }, 4, folded('rename'));
    await recordNoProgram(before, 'bare');
    await pinAs(before, 'p1', OLD_KEY);
    await pinAs(before, 'cold1', 'statefulset/furnace-cold');
    await pinAs(before, 'bare', 'deployment/bare');

    const first = await restartCatalog(t, before.dataDir, 'local');
    const f = await buildFixture(t, { workloads: 'local', restarted: first.restarted });
    assert.equal(await baselineOf(f, 'p1'), 'pattern/furnace-hot');
    assert.equal(await baselineOf(f, 'cold1'), 'command/furnace-cold');
    assert.equal(await baselineOf(f, 'bare'), 'deployment/bare', 'no program to key it by: kept as it was');
    const answer = await regression(f, 'p3');
    assert.equal(answer.workload, 'pattern/furnace-hot');
    assert.deepEqual(summary(answer), ['previous p2 regressed', 'baseline p1 regressed']);
    const moved = pinLines(first.logLines()).map(({ recording, from, to, level }) => ({
      ...{ recording, from, to, level },
    }));
    assert.deepEqual(
      moved.sort((a, b) => String(a.recording).localeCompare(String(b.recording))),
      [
        { recording: 'cold1', from: 'statefulset/furnace-cold', to: 'command/furnace-cold', level: 30 },
        { recording: 'p1', from: OLD_KEY, to: 'pattern/furnace-hot', level: 30 },
      ],
      'one line per pin moved',
    );

    // The next start finds nothing to move, and the pins stay where the first put them.
    const second = await restartCatalog(t, before.dataDir, 'local');
    assert.deepEqual(pinLines(second.logLines()), []);
    assert.equal(second.restarted.catalog.get('p1')?.baselineOf, 'pattern/furnace-hot');
    assert.equal(second.restarted.catalog.get('cold1')?.baselineOf, 'command/furnace-cold');
  });

  it('keeps one pin per program: a pin under the program’s key stays, else the latest recording’s, and the dropped pin is logged', async (t) => {
    const before = await buildFixture(t);
    await recordLocal(before, 'p1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    await recordLocal(before, 'p2', { pattern: 'furnace-hot' }, 1, folded('base-1'));
    await recordLocal(before, 'p3', { pattern: 'furnace-hot' }, 2, folded('beta3'));
    await recordLocal(before, 'c1', { pid: 4101, comm: 'furnace-cold' }, 3, folded('base-0'));
    await recordLocal(before, 'c2', { pid: 4102, comm: 'furnace-cold' }, 4, folded('base-1'));
    await pinAs(before, 'p1', OLD_KEY);
    // Pinned after the upgrade, before any restart: the key local mode's route stores for p2.
    await pinAs(before, 'p2', 'pattern/furnace-hot');
    // Two old pins of one program, under two workload names.
    await pinAs(before, 'c1', 'deployment/furnace-cold');
    await pinAs(before, 'c2', 'statefulset/furnace-cold');

    const restarted = await restartCatalog(t, before.dataDir, 'local');
    const f = await buildFixture(t, { workloads: 'local', restarted: restarted.restarted });
    assert.equal(await baselineOf(f, 'p1'), undefined, 'the old pin of a program pinned since is dropped');
    assert.equal(await baselineOf(f, 'p2'), 'pattern/furnace-hot');
    assert.equal(await baselineOf(f, 'c1'), undefined);
    assert.equal(await baselineOf(f, 'c2'), 'command/furnace-cold', 'the later of two old pins');
    const answer = await regression(f, 'p3');
    assert.equal(answer.workload, 'pattern/furnace-hot');
    assert.deepEqual(summary(answer), ['previous p2 regressed'], 'p2 is both');
    const lines = pinLines(restarted.logLines()).map(({ recording, from, to, kept, level }) => ({
      ...{ recording, from, to, kept, level },
    }));
    assert.deepEqual(
      lines.sort((a, b) => String(a.recording).localeCompare(String(b.recording))),
      [
        { recording: 'c1', from: 'deployment/furnace-cold', to: undefined, kept: 'c2', level: 40 },
        {
          recording: 'c2',
          from: 'statefulset/furnace-cold',
          to: 'command/furnace-cold',
          kept: undefined,
          level: 30,
        },
        { recording: 'p1', from: OLD_KEY, to: undefined, kept: 'p2', level: 40 },
      ],
    );
  });

  it('leaves a cluster’s deployment/<name> pins as they are', async (t) => {
    const before = await buildFixture(t);
    await recordLocal(before, 'p1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    await pinAs(before, 'p1', OLD_KEY);
    const restarted = await restartCatalog(t, before.dataDir, 'cluster');
    const f = await buildFixture(t, { restarted: restarted.restarted });
    assert.equal(await baselineOf(f, 'p1'), OLD_KEY);
    assert.deepEqual(pinLines(restarted.logLines()), []);
  });
});
