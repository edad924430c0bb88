import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auth, sidecarFixture } from './sidecar-fixture.ts';

interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

const badStarts: { body: Record<string, unknown>; code: string; field: string; says: RegExp }[] = [
  {
    body: { pid: 200, durationSeconds: 601 },
    code: 'ERR_LIMIT_EXCEEDED',
    field: 'durationSeconds',
    says: /durationSeconds 601 .*600/,
  },
  {
    body: { pid: 200, durationSeconds: 0 },
    code: 'ERR_LIMIT_EXCEEDED',
    field: 'durationSeconds',
    says: /durationSeconds 0 .*1/,
  },
  {
    body: { pid: 200, durationSeconds: 2.5 },
    code: 'ERR_INVALID_PARAMETER',
    field: 'durationSeconds',
    says: /integer/,
  },
  {
    body: { pid: 200, frequency: 5000 },
    code: 'ERR_LIMIT_EXCEEDED',
    field: 'frequency',
    says: /frequency 5000 .*999/,
  },
  {
    body: { pid: 200, frequency: '99' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'frequency',
    says: /frequency "99" .*integer/,
  },
  {
    body: { pid: 200, event: 'rm -rf' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'event',
    says: /event "rm -rf" .*cpu-clock/,
  },
  {
    body: { pid: 200, callGraph: 'lbr' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'callGraph',
    says: /callGraph "lbr" .*fp, dwarf/,
  },
  {
    body: { pid: 200, symbols: 'debuginfod' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'symbols',
    says: /proc, image/,
  },
  {
    body: { pid: 200, systemWide: 'yes' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'systemWide',
    says: /boolean/,
  },
  { body: { pid: 0 }, code: 'ERR_LIMIT_EXCEEDED', field: 'pid', says: /pid 0 .*between 1 and 4194304/ },
  {
    body: { pid: 200, container: 'x'.repeat(64) },
    code: 'ERR_INVALID_PARAMETER',
    field: 'container',
    says: /63/,
  },
  {
    body: { processPattern: '(' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'processPattern',
    says: /regular expression/,
  },
  {
    body: { processPattern: '' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'processPattern',
    says: /processPattern "" /,
  },
  {
    body: { pid: 200, image: 'x' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'image',
    says: /image is not a known parameter/,
  },
  {
    body: {},
    code: 'ERR_INVALID_PARAMETER',
    field: 'processPattern',
    says: /pid or processPattern is required/,
  },
  {
    body: { processPattern: 'no-such-program' },
    code: 'ERR_NO_MATCHING_PROCESS',
    field: 'processPattern',
    says: /no process matches \/no-such-program\/ \(processPattern\) in the processes of this machine/,
  },
  { body: { pid: 300 }, code: 'ERR_NO_MATCHING_PROCESS', field: '', says: /pid 300/ },
  {
    // Nested quantifiers: seconds of backtracking on a 16-character command line, stopped at the limit.
    body: { processPattern: '^(((.*)*)*)*X$' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'processPattern',
    says: /took longer than 250 ms to test the names and command lines of \d+ processes; use a simpler pattern/,
  },
  {
    body: { pid: 200, symbols: 'image' },
    code: 'ERR_INVALID_PARAMETER',
    field: 'symbols',
    says: /one container/,
  },
];

describe('sidecar start parameters', () => {
  for (const bad of badStarts) {
    it(`refuses ${JSON.stringify(bad.body)} with 400 ${bad.code}`, async (t) => {
      const fixture = await sidecarFixture();
      t.after(() => fixture.close());
      const response = await fixture.start(bad.body);
      assert.equal(response.statusCode, 400);
      const body = response.json<ErrorBody>();
      assert.equal(body.code, bad.code);
      assert.match(body.message, bad.says);
      if (bad.field !== '') assert.equal(body.details?.field, bad.field);
      assert.equal(fixture.perf.records.length, 0, 'perf was not started');
    });
  }

  it('refuses a body that is not a JSON object', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const list = await fixture.start([1, 2]);
    assert.equal(list.statusCode, 400);
    assert.equal(list.json<ErrorBody>().code, 'ERR_INVALID_PARAMETER');
    const broken = await fixture.app.inject({
      method: 'POST',
      url: '/recordings',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"pid":',
    });
    assert.equal(broken.statusCode, 400);
    assert.match(broken.json<ErrorBody>().message, /not valid JSON/);
  });

  it('takes an empty body, with or without a JSON content type, as all defaults', async (t) => {
    const fixture = await sidecarFixture({ FURNACE_POD_UID: 'pod-uid-1' });
    t.after(() => fixture.close());
    const json = { ...auth, 'content-type': 'application/json' };
    // In pod mode the defaults are valid; the fake process table has no process of this pod, though.
    for (const headers of [auth, json]) {
      const response = await fixture.app.inject({ method: 'POST', url: '/recordings', headers, payload: '' });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json<ErrorBody>().code, 'ERR_NO_MATCHING_PROCESS');
      assert.match(
        response.json<ErrorBody>().message,
        /no process matches any process in the containers of pod pod-uid-1/,
      );
    }
    const stop = await fixture.app.inject({
      method: 'POST',
      url: '/recordings/rec-9/stop',
      headers: json,
      payload: '',
    });
    assert.equal(stop.json<ErrorBody>().code, 'ERR_NOT_FOUND', 'an empty JSON body on stop is fine');
  });

  it('refuses an unknown artifact name and a malformed id', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const artifact = await fixture.app.inject({
      url: '/recordings/rec-1/artifacts/etc-passwd',
      headers: auth,
    });
    assert.equal(artifact.statusCode, 400);
    assert.equal(artifact.json<ErrorBody>().code, 'ERR_INVALID_ARTIFACT');
    assert.match(artifact.json<ErrorBody>().message, /name "etc-passwd" .*flamegraph\.svg/);
    const id = await fixture.app.inject({ url: '/recordings/a%20b', headers: auth });
    assert.equal(id.statusCode, 400);
    assert.equal(id.json<ErrorBody>().details?.field, 'id');
  });

  it('accepts system-wide recording only when asked for explicitly', async (t) => {
    const fixture = await sidecarFixture();
    t.after(() => fixture.close());
    const response = await fixture.start({ systemWide: true });
    assert.equal(response.statusCode, 202);
    assert.deepEqual(response.json<{ targets: unknown[] }>().targets, []);
  });
});
