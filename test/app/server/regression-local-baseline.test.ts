// Baselines and regressions in local mode, where there is no workload: a recording belongs to the program
// it recorded (its process pattern, or the command of the process it was started on by PID), so a pin
// names no workload and later recordings of the same program are compared with it. Real perf recordings of
// the four-function program (test/fixtures/regression/) are uploaded as the local sidecar uploads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { putStatus } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import {
  baselineOf,
  folded,
  pin,
  recordLocal as record,
  regression,
  summary,
} from './fixture-local-recordings.ts';
import { buildFixture, HOST } from './server-fixture.ts';

describe('baselines in local mode: the program recorded, not a workload', () => {
  it('pins a recording for its process pattern, and compares later recordings of that pattern with it', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    await record(f, 'p1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    await record(f, 'other', { pattern: 'something-else' }, 1, folded('rename'));
    await record(f, 'p2', { pattern: 'furnace-hot' }, 2, folded('base-1'));
    await record(f, 'p3', { pattern: 'furnace-hot' }, 3, folded('beta3'));

    // No workload in the body: the server keys the pin by what p1 recorded.
    const pinned = await pin(f, 'p1');
    assert.equal(pinned.statusCode, 200, pinned.body);
    assert.equal(pinned.json<CatalogEntry>().baselineOf, 'pattern/furnace-hot');

    const answer = await regression(f, 'p3');
    assert.equal(answer.workload, 'pattern/furnace-hot');
    assert.deepEqual(summary(answer), ['previous p2 regressed', 'baseline p1 regressed']);
    assert.deepEqual(summary(await regression(f, 'p2')), ['previous p1 unchanged'], 'p1 is both');
    assert.deepEqual(
      summary(await regression(f, 'other')),
      [],
      'another pattern has neither a recording before it nor the baseline',
    );

    // One baseline per program: pinning p2 unpins p1; DELETE unpins.
    assert.equal((await pin(f, 'p2')).statusCode, 200);
    assert.equal(await baselineOf(f, 'p1'), undefined);
    assert.deepEqual(summary(await regression(f, 'p3')), ['previous p2 regressed']);
    const unpinned = await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/p2/baseline' });
    assert.equal(unpinned.statusCode, 204);
    assert.equal(await baselineOf(f, 'p2'), undefined);
  });

  it('refuses a workload named after the host (a Deployment local mode does not have), naming the key it takes', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    await record(f, 'p1', { pattern: 'furnace-hot' }, 0, folded('base-0'));
    const refused = await pin(f, 'p1', { workload: `deployment/${HOST}` });
    assert.equal(refused.statusCode, 400);
    assert.match(
      refused.json<{ message: string }>().message,
      /workload deployment\/test-host is not what recording p1 recorded \(pattern\/furnace-hot\)/,
    );
    assert.equal(await baselineOf(f, 'p1'), undefined, 'nothing pinned');
    const named = await pin(f, 'p1', { workload: 'pattern/furnace-hot' });
    assert.equal(named.statusCode, 200, 'naming the right key is the same as naming none');
  });

  it('keys a recording started by PID by its command: another program recorded by PID is not compared with it', async (t) => {
    const f = await buildFixture(t, { workloads: 'local' });
    await record(f, 'hot1', { pid: 4101, comm: 'furnace-hot' }, 0, folded('base-0'));
    await record(f, 'cold', { pid: 4202, comm: 'furnace-cold' }, 1, folded('rename'));
    await record(f, 'hot2', { pid: 4303, comm: 'furnace-hot' }, 2, folded('beta3'));
    assert.equal((await pin(f, 'hot1')).json<CatalogEntry>().baselineOf, 'command/furnace-hot');
    assert.deepEqual(summary(await regression(f, 'cold')), [], 'furnace-cold has no recording before it');
    assert.deepEqual(summary(await regression(f, 'hot2')), ['previous hot1 regressed']);
    assert.equal((await regression(f, 'hot2')).workload, 'command/furnace-hot');
  });

  it('keeps a cluster’s pins as they were: a workload is required there', async (t) => {
    const f = await buildFixture(t);
    const { uploadToken } = registerSidecar(f, 'shop', 'web-7d9f8c6b5-x2k4q', 1);
    const status = finishedRecordingStatus('v1');
    assert.equal((await putStatus(f.recorder, uploadToken, status)).statusCode, 200);
    const refused = await pin(f, 'v1');
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json(), {
      code: 'ERR_INVALID_PARAMETER',
      message: 'workload is required',
      details: { field: 'workload', allowed: 'required' },
    });
    assert.equal((await pin(f, 'v1', { workload: 'deployment/web' })).statusCode, 200);
  });
});
