// Local mode's recordings put into the fixture's catalog as the local sidecar uploads them: its status
// (a process pattern, or one process by PID and its command), then its stacks.folded. Stacks are real perf
// recordings of the four-function program (test/fixtures/regression/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegressionAnswer } from '../../../core/compare/regression.ts';
import { LOCAL_NAMESPACE } from '../../../core/contract/names.ts';
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import { finishedRecordingStatus, perfParams } from '../../harness/recording-status.ts';
import { bearer, putStatus } from '../../harness/server-calls.ts';
import { registerSidecar } from './fixture-sidecars.ts';
import { HOST, type Fixture } from './server-fixture.ts';

/** The stacks of one recording in test/fixtures/regression/ (`base-0`, `base-1`, `beta3`, `rename`). */
export const folded = (name: string): string =>
  readFileSync(join(PROJECT_ROOT, 'test/fixtures/regression', `${name}.folded`), 'utf8');

/** What the local sidecar was asked to record: a process pattern, or one process by PID (its command). */
export type Recorded = { pattern: string } | { pid: number; comm: string };

/**
 * Catalogs recording `id` of the local sidecar (pod HOST), started `minute` minutes after 11:00 of the
 * fixture's day: before its clock's 12:00, as an upload must be.
 */
export async function recordLocal(f: Fixture, id: string, what: Recorded, minute: number, stacks: string) {
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

/** GET /api/v1/recordings/:id/regression, which must answer 200. */
export async function regression(f: Fixture, id: string): Promise<RegressionAnswer> {
  const answer = await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}/regression` });
  assert.equal(answer.statusCode, 200, answer.body);
  return answer.json<RegressionAnswer>();
}

/** Each comparison of a regression answer as `<kind> <against> <verdict>`. */
export const summary = (answer: RegressionAnswer): string[] =>
  answer.comparisons.map((c) => `${c.kind} ${c.against} ${c.verdict}`);

/** PUT /api/v1/recordings/:id/baseline with `body` (local mode's `{}` unless a test names a workload). */
export const pin = (f: Fixture, id: string, body: object = {}) =>
  f.app.inject({ method: 'PUT', url: `/api/v1/recordings/${id}/baseline`, payload: body });

/** The entry's `baselineOf`, as GET /api/v1/recordings/:id answers it. */
export const baselineOf = async (f: Fixture, id: string): Promise<string | undefined> =>
  (await f.app.inject({ method: 'GET', url: `/api/v1/recordings/${id}` })).json<CatalogEntry>().baselineOf;
