// A workload's recordings compared for regressions, and its pinned baseline: the recording before it is
// found by pod name, the pinned one by the workload the pin names; real perf recordings of the four-function
// program (test/fixtures/regression/) are uploaded as sidecars upload them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RegressionAnswer } from '../../../core/compare/regression.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import { finishedRecordingStatus } from '../../harness/recording-status.ts';
import { bearer, putStatus } from '../../harness/server-calls.ts';
import { buildFixture, registerSidecar, type Fixture } from './server-fixture.ts';

const folded = (name: string): string =>
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8');

// Minutes of the hour before the fixture's clock (12:00): a start after it would be taken as 12:00.
async function record(f: Fixture, id: string, pod: string, minute: number, stacks: string): Promise<void> {
  const { uploadToken } = registerSidecar(f, 'shop', pod, 1);
  const at = (second: number): string => new Date(Date.UTC(2026, 2, 1, 11, minute, second)).toISOString();
  const status = finishedRecordingStatus(id, { startedAt: at(0), endedAt: at(10) });
  assert.equal((await putStatus(f.recorder, uploadToken, status)).statusCode, 200);
  const upload = await f.recorder.inject({
    method: 'PUT',
    url: `/api/v1/recordings/${id}/artifacts/stacks.folded`,
    headers: { ...bearer(uploadToken), 'content-type': 'text/plain' },
    payload: stacks,
  });
  assert.equal(upload.statusCode, 201, upload.body);
}

const regression = async (f: Fixture, id: string, query = ''): Promise<RegressionAnswer> => {
  const answer = await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}/regression${query}` });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<RegressionAnswer>();
};

const summary = (answer: RegressionAnswer): string[] =>
  answer.comparisons.map(
    (c) =>
      `${c.kind} ${c.against} ${c.verdict}${c.functions
        .filter((row) => row.verdict !== 'unchanged')
        .map((row) => ` ${row.name} ${row.verdict}`)
        .join('')}`,
  );

const pin = (f: Fixture, id: string, workload: string) =>
  f.app.inject({ method: 'PUT', url: `/api/v1/recordings/${id}/baseline`, payload: { workload } });

describe('regressions of a workload and its pinned baseline', () => {
  it('compares each version with the one before, and with the pinned baseline', async (t) => {
    const f = await buildFixture(t);
    await record(f, 'v1', 'web-7d9f8c6b5-x2k4q', 0, folded('base-0'));
    await record(f, 'v2', 'web-6c4f9b7d8-p9m3z', 1, folded('base-1'));
    await record(f, 'v3', 'web-5b8d7c9f6-q4w8e', 2, folded('beta3'));
    await record(f, 'other', 'api-5b8d7c9f6-q4w8e', 3, folded('rename'));

    assert.deepEqual(await regression(f, 'v1'), { id: 'v1', comparisons: [] }, 'nothing before it');
    assert.deepEqual(summary(await regression(f, 'v2')), ['previous v1 unchanged']);
    assert.deepEqual(summary(await regression(f, 'v3')), ['previous v2 regressed furnace_beta regressed']);
    assert.deepEqual(
      summary(await regression(f, 'other')),
      [],
      'another workload has no recording before it',
    );

    const pinned = await pin(f, 'v1', 'deployment/web');
    assert.equal(pinned.statusCode, 200, pinned.body);
    assert.equal(pinned.json<{ baselineOf: string }>().baselineOf, 'deployment/web');
    const withBaseline = await regression(f, 'v3');
    assert.equal(withBaseline.workload, 'deployment/web');
    assert.deepEqual(summary(withBaseline), [
      'previous v2 regressed furnace_beta regressed',
      'baseline v1 regressed furnace_beta regressed',
    ]);
    assert.deepEqual(summary(await regression(f, 'v3', '?against=v2')), [
      'chosen v2 regressed furnace_beta regressed',
    ]);

    // One baseline per workload: pinning v2 unpins v1; unpinning leaves none.
    assert.equal((await pin(f, 'v2', 'deployment/web')).statusCode, 200);
    const v1 = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/v1' });
    assert.equal(v1.json<{ baselineOf?: string }>().baselineOf, undefined);
    assert.deepEqual(summary(await regression(f, 'v3')), ['previous v2 regressed furnace_beta regressed']);
    const unpinned = await f.app.inject({ method: 'DELETE', url: '/api/v1/recordings/v2/baseline' });
    assert.equal(unpinned.statusCode, 204);
    const v2 = await f.app.inject({ method: 'GET', url: '/api/v1/recordings/v2' });
    assert.equal(v2.json<{ baselineOf?: string }>().baselineOf, undefined);
  });

  it('lists only the recording pinned for a workload with ?baselineOf= (what the rollout watch reads)', async (t) => {
    const f = await buildFixture(t);
    await record(f, 'v1', 'web-7d9f8c6b5-x2k4q', 0, folded('base-0'));
    await record(f, 'v2', 'web-6c4f9b7d8-p9m3z', 1, folded('base-1'));
    await record(f, 'api1', 'api-5b8d7c9f6-q4w8e', 2, folded('base-0'));
    const list = async (query: string): Promise<string[]> => {
      const answer = await f.app.inject({ method: 'GET', url: `/api/v1/recordings?${query}` });
      assert.equal(answer.statusCode, 200, answer.body);
      return answer.json<{ items: { id: string }[] }>().items.map((e) => e.id);
    };
    assert.deepEqual(await list('namespace=shop&baselineOf=deployment/web'), [], 'nothing pinned yet');
    assert.equal((await pin(f, 'v1', 'deployment/web')).statusCode, 200);
    assert.equal((await pin(f, 'api1', 'deployment/api')).statusCode, 200);
    assert.deepEqual(await list('namespace=shop&baselineOf=deployment/web'), ['v1']);
    assert.deepEqual(await list('namespace=shop&baselineOf=deployment%2Fapi'), ['api1']);
    assert.deepEqual(await list('namespace=other&baselineOf=deployment/web'), [], 'another namespace');
    assert.deepEqual(await list('baselineOf=deployment/web'), ['v1']);
    assert.equal(
      (await f.app.inject({ method: 'GET', url: '/api/v1/recordings?baselineOf=Deployment/web' })).statusCode,
      400,
      'the workload is checked like a pin',
    );
  });

  it('refuses a workload that is not <kind>/<name>, an unknown recording and an unfinished one', async (t) => {
    const f = await buildFixture(t);
    await record(f, 'v1', 'web-7d9f8c6b5-x2k4q', 0, folded('base-0'));
    for (const workload of ['web', 'Deployment/web', 'deployment/', 'deployment/web/x', 'deployment/-web'])
      assert.equal((await pin(f, 'v1', workload)).statusCode, 400, workload);
    assert.equal((await pin(f, 'nope', 'deployment/web')).statusCode, 404);
    assert.equal(
      (await f.app.inject({ method: 'GET', url: '/api/v1/recordings/v1/regression?against=nope' }))
        .statusCode,
      404,
    );
    const { uploadToken } = registerSidecar(f, 'shop', 'web-7d9f8c6b5-aaaaa', 1);
    const running = finishedRecordingStatus('running', {
      state: 'recording',
      stage: 'record',
      progress: 0.5,
    });
    delete running.endedAt;
    assert.equal((await putStatus(f.recorder, uploadToken, running)).statusCode, 200);
    const refused = await pin(f, 'running', 'deployment/web');
    assert.equal(refused.statusCode, 400);
    assert.match(
      refused.json<{ message: string }>().message,
      /running is recording: only a finished recording/,
    );
  });
});
