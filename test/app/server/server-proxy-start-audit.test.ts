// A start was audited only when the recorder answered it with a new recording: one it refused (over its
// limits, no such process, busy) or that never reached it (502) left no audit line at all. Every start the
// proxy forwards now leaves exactly one line: the recording it started, or the refusal's status and code,
// the code cleaned of what could forge a log line and the recorder's message never carried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGGREGATED_PREFIX } from '../../../core/contract/aggregated-api.ts';
import { freePort } from '../../harness/ports.ts';
import { recordingStatus } from '../../harness/recording-status.ts';
import {
  auditedThrough,
  POD_PROXY,
  startRecorderAnswering,
  startRefusingRecorder,
} from './fixture-recorders.ts';
import { HOST, startFakeSidecar } from './server-fixture.ts';

const START = {
  action: 'start',
  path: `${POD_PROXY}/recordings`,
  body: { durationSeconds: 5, container: 'app' },
};
/** What the audit line of START says of who, where and what was asked. */
const WHO = {
  action: 'start',
  namespace: 'local',
  pod: HOST,
  container: 'app',
  user: 'anonymous',
  groups: [],
};

/** An audit record without its params (the admitted start's, defaults filled in), which it must carry. */
function withoutParams(audit: Record<string, unknown> | undefined): Record<string, unknown> {
  assert.equal((audit?.params as { durationSeconds?: number } | undefined)?.durationSeconds, 5);
  const { params: _params, ...rest } = audit ?? {};
  return rest;
}

describe('server proxy: the audit line of a start, refused or not (fake recorders)', () => {
  it('audits a start a fake recorder refused with a code (400, 409) as refused, with that code', async (t) => {
    const overLimits = await startRefusingRecorder(t, 400, 'ERR_LIMIT_EXCEEDED');
    const busy = await startRefusingRecorder(t, 409, 'ERR_RECORDING_RUNNING');

    const refused = await auditedThrough(t, overLimits, START);
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (400 ERR_LIMIT_EXCEEDED)`,
    ]);
    assert.deepEqual(withoutParams(refused.audits[0]), { ...WHO, outcome: 400, code: 'ERR_LIMIT_EXCEEDED' });
    assert.doesNotMatch(
      JSON.stringify(refused.audits),
      /refused with/,
      'the recorder’s message is not carried',
    );

    const running = await auditedThrough(t, busy, START);
    assert.equal(running.status, 409);
    assert.deepEqual(running.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (409 ERR_RECORDING_RUNNING)`,
    ]);
  });

  it('audits a start refused without a code, or that never reached the recorder (502), with the status alone', async (t) => {
    const nameless = await startRecorderAnswering(t, 404, { message: 'no such process' });

    const unnamed = await auditedThrough(t, nameless, START);
    assert.equal(unnamed.status, 404);
    assert.deepEqual(unnamed.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (404)`,
    ]);
    assert.deepEqual(withoutParams(unnamed.audits[0]), { ...WHO, outcome: 404 });

    const unreachable = await auditedThrough(t, await freePort(), START);
    assert.equal(unreachable.status, 502);
    assert.deepEqual(unreachable.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (502)`,
    ]);
    assert.deepEqual(withoutParams(unreachable.audits[0]), { ...WHO, outcome: 502 });
  });

  it('audits a start that started a recording once, with the recording (201; 202)', async (t) => {
    const sidecar = await startFakeSidecar(t);
    const accepting = await startRecorderAnswering(t, 202, recordingStatus('rec-9'));

    for (const [port, status, id] of [
      [sidecar.port, 201, 'rec-1'],
      [accepting, 202, 'rec-9'],
    ] as const) {
      const started = await auditedThrough(t, port, START);
      assert.equal(started.status, status);
      assert.deepEqual(started.logged, [
        `recording ${id} started on local/${HOST} by anonymous (5 s, container app)`,
      ]);
      assert.deepEqual(withoutParams(started.audits[0]), { ...WHO, recording: id });
    }
  });

  it('keeps a hostile refusal code to one line of printable characters', async (t) => {
    // Within the error contract's 64 characters: a forged second line, a terminal colour, a bidi override.
    const hostile = 'ERR_X\n{"msg":"audit start"}\u001b[31m\u202e\u2028';
    const lying = await startRecorderAnswering(t, 400, { code: hostile, message: 'x'.repeat(16_000) });

    const refused = await auditedThrough(t, lying, START);
    assert.equal(refused.status, 400);
    assert.deepEqual(
      refused.audits.map((audit) => audit.code),
      ['ERR_X{"msg":"audit start"}[31m'],
    );
    assert.deepEqual(refused.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (400 ERR_X{"msg":"audit start"}[31m)`,
    ]);
    assert.doesNotMatch(JSON.stringify(refused.audits), /xxxx/, 'the recorder’s message is not carried');
  });

  it('audits a refused start asked through the aggregated API the same way', async (t) => {
    const overLimits = await startRefusingRecorder(t, 400, 'ERR_LIMIT_EXCEEDED');
    const refused = await auditedThrough(t, overLimits, {
      ...START,
      path: `${AGGREGATED_PREFIX}/namespaces/local/pods/${HOST}/recordings`,
    });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.logged, [
      `start on local/${HOST} by anonymous (5 s, container app) refused (400 ERR_LIMIT_EXCEEDED)`,
    ]);
  });
});
