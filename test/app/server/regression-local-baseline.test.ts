// Baselines and regressions in local mode, where there is no workload: a recording belongs to the program
// it recorded (its process pattern, or the command of the process it was started on by PID), so a pin
// names no workload and later recordings of the same program are compared with it. Real perf recordings of
// the four-function program (test/fixtures/regression/) are uploaded as the local sidecar uploads them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RegressionAnswer } from '../../../core/compare/regression.ts';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import { finishedRecordingStatus, perfParams } from '../../harness/recording-status.ts';
import { bearer, putStatus } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import { buildFixture, HOST, type Fixture } from './server-fixture.ts';

const folded = (name: string): string =>
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8');

/** What the local sidecar was asked to record: a process pattern, or one process by PID (its command). */
type Recorded = { pattern: string } | { pid: number; comm: string };

// Minutes of the hour before the fixture's clock (12:00): a start after it would be taken as 12:00.
async function record(f: Fixture, id: string, what: Recorded, minute: number, stacks: string) {
  const { uploadToken } = registerSidecar(f, LOCAL_NAMESPACE, HOST, 1);
  const at = (second: number): string => new Date(Date.UTC(2026, 2, 1, 11, minute, second)).toISOString();
  const params =
    'pattern' in what ? perfParams(10, { processPattern: what.pattern }) : perfParams(10, { pid: what.pid });
  const targets: RecordingStatus['targets'] =
    'pattern' in what ? [{ pid: 100 + minute, comm: 'furnace-hot' }] : [{ pid: what.pid, comm: what.comm }];
  const status = finishedRecordingStatus(id, { params, targets, startedAt: at(0), endedAt: at(10) });
  assert.equal((await putStatus(f.recorder, uploadToken, status)).statusCode, 200);
  const upload = await f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${id}/artifacts/stacks.folded`,
    headers: { ...bearer(uploadToken), 'content-type': 'text/plain' },
    payload: stacks,
  });
  assert.equal(upload.statusCode, 201, upload.body);
}

const regression = async (f: Fixture, id: string): Promise<RegressionAnswer> => {
  const answer = await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}/regression` });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<RegressionAnswer>();
};

const summary = (answer: RegressionAnswer): string[] =>
  answer.comparisons.map((c) => `${c.kind} ${c.against} ${c.verdict}`);

const pin = (f: Fixture, id: string, body: object = {}) =>
  f.app.inject({ method: 'PUT', url: `/api/v1/recordings/${id}/baseline`, payload: body });

const baselineOf = async (f: Fixture, id: string): Promise<string | undefined> =>
  (await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}` })).json<CatalogEntry>().baselineOf;

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
