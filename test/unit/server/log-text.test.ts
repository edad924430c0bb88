import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import { describeLogRecord, textLogStream } from '../../../server/operations/log-text.ts';

describe('log format text', () => {
  it('narrates a registration, a start, a stop, a resymbolize, a finish, a failure and a delete', () => {
    assert.equal(
      describeLogRecord({
        msg: 'sidecar registered',
        namespace: 'local',
        pod: 'box',
        address: { host: '127.0.0.1', port: 4000 },
      }),
      'recorder registered: local/box at 127.0.0.1:4000',
    );
    const audit = { namespace: 'shop', pod: 'web-1', recording: 'r1', user: 'alice' };
    assert.equal(
      describeLogRecord({
        msg: 'audit start',
        audit: {
          ...audit,
          action: 'start',
          params: { durationSeconds: 10, processPattern: 'java', container: 'app' },
        },
      }),
      'recording r1 started on shop/web-1 by alice (10 s, pattern "java", container app)',
    );
    assert.equal(
      describeLogRecord({ msg: 'audit stop', audit: { ...audit, action: 'stop' } }),
      'recording r1 on shop/web-1 stopped early by alice',
    );
    assert.equal(
      describeLogRecord({
        msg: 'recording finished',
        id: 'r1',
        namespace: 'shop',
        pod: 'web-1',
        state: 'done',
        samples: 812,
      }),
      'recording r1 on shop/web-1 finished with 812 samples',
    );
    assert.equal(
      describeLogRecord({
        msg: 'recording finished',
        id: 'r2',
        namespace: 'shop',
        pod: 'web-1',
        state: 'failed',
        error: 'perf exited 1',
      }),
      'recording r2 on shop/web-1 failed: perf exited 1',
    );
    assert.equal(
      describeLogRecord({ msg: 'audit delete', audit: { ...audit, action: 'delete', outcome: 403 } }),
      'delete of recording r1 by alice refused (403)',
    );
    // A stop or a start that was answered with an error did not stop or start anything.
    assert.equal(
      describeLogRecord({ msg: 'audit stop', audit: { ...audit, action: 'stop', outcome: 404 } }),
      'stop of recording r1 on shop/web-1 by alice refused (404)',
    );
    // So did a resymbolize the recorder refused (404: no such recording; 409: busy).
    assert.equal(
      describeLogRecord({ msg: 'audit resymbolize', audit: { ...audit, action: 'resymbolize' } }),
      'recording r1 on shop/web-1: symbolizing again, asked by alice',
    );
    assert.equal(
      describeLogRecord({
        msg: 'audit resymbolize',
        audit: { ...audit, action: 'resymbolize', outcome: 409 },
      }),
      'resymbolize of recording r1 on shop/web-1 by alice refused (409)',
    );
    assert.equal(
      describeLogRecord({
        msg: 'audit start',
        audit: { namespace: 'shop', pod: 'web-1', user: 'alice', action: 'start', outcome: 409, params: {} },
      }),
      'start on shop/web-1 by alice refused (409)',
    );
    // With the code the recorder gave its refusal.
    assert.equal(
      describeLogRecord({
        msg: 'audit start',
        audit: { namespace: 'shop', pod: 'web-1', action: 'start', outcome: 400, code: 'ERR_LIMIT_EXCEEDED' },
      }),
      'start on shop/web-1 refused (400 ERR_LIMIT_EXCEEDED)',
    );
  });

  it('drops request lines and downloads, keeps server errors, warnings and errors with their cause', () => {
    assert.equal(
      describeLogRecord({ level: 30, msg: 'incoming request', req: { url: '/api/v1/sidecars' } }),
      undefined,
    );
    assert.equal(
      describeLogRecord({ level: 30, msg: 'request completed', res: { statusCode: 200 } }),
      undefined,
    );
    assert.equal(
      describeLogRecord({ msg: 'audit download', audit: { action: 'download', recording: 'r1' } }),
      undefined,
    );
    assert.equal(
      describeLogRecord({
        level: 30,
        msg: 'request completed',
        req: { url: '/proxy/local/box/recordings' },
        res: { statusCode: 502 },
      }),
      'error: 502 answering /proxy/local/box/recordings',
    );
    assert.equal(
      describeLogRecord({ level: 40, msg: 'retention failed', err: { message: 'EACCES' } }),
      'warning: retention failed: EACCES',
    );
    assert.equal(describeLogRecord({ level: 50, msg: 'pod watch failed' }), 'error: pod watch failed');
  });

  it('writes one timestamped, prefixed sentence per narrated line, across chunk boundaries, and passes other text through', async () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const stream = textLogStream(out, 'sidecar: ');
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 0, 0), msg: 'disk almost full' });
    stream.write(line.slice(0, 10));
    stream.write(
      `${line.slice(10)}\n${JSON.stringify({ level: 30, msg: 'incoming request' })}\nplain words\n`,
    );
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    const lines = written.split('\n').filter(Boolean);
    assert.equal(lines.length, 2, written);
    assert.match(lines[0] ?? '', /^\d\d:\d\d:\d\d sidecar: warning: disk almost full$/);
    assert.equal(lines[1], 'sidecar: plain words');
  });
});
