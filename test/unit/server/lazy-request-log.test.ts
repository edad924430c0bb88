import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PassThrough } from 'node:stream';
import Fastify from 'fastify';
import { lazyRequestLog } from '../../../server/operations/lazy-request-log.ts';
import { REDACTED_PATHS } from '../../../server/operations/logging.ts';

/** A Fastify app with the server's redaction at `level`, its lines collected as parsed JSON. */
function appWithLines(level: string) {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
      lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const app = Fastify({
    logger: { level, stream, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    childLoggerFactory: lazyRequestLog,
  });
  return { app, lines };
}

describe('per-request logs made on the first line', () => {
  it('writes a request line with its request id, redacted, and nothing below the level', async () => {
    const { app, lines } = appWithLines('warn');
    app.get('/x', (request) => {
      request.log.info('not written at warn');
      request.log.warn({ headers: { authorization: 'Bearer secret' }, token: 't' }, 'a warning');
      request.log.child({ part: 'inner' }).error('from a child');
      return { ok: true };
    });
    const answer = await app.inject({ method: 'GET', url: '/x' });
    await app.close();
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['a warning', 'from a child'],
    );
    const [warning, inner] = lines;
    assert.equal(typeof warning?.reqId, 'string');
    assert.deepEqual(warning?.headers, { authorization: '[redacted]' });
    assert.equal(warning?.token, '[redacted]');
    assert.equal(inner?.reqId, warning?.reqId);
    assert.equal(inner?.part, 'inner');
  });

  it('follows a level set on the request’s log, and Fastify’s own error lines', async () => {
    const { app, lines } = appWithLines('warn');
    app.get('/debug', (request) => {
      assert.equal(request.log.level, 'warn');
      request.log.level = 'debug';
      request.log.debug('now written');
      return {};
    });
    app.get('/fails', () => {
      throw new Error('broken handler');
    });
    await app.inject({ method: 'GET', url: '/debug' });
    const failed = await app.inject({ method: 'GET', url: '/fails' });
    await app.close();
    assert.equal(failed.statusCode, 500);
    assert.deepEqual(
      lines.map((line) => [line.msg, typeof line.reqId]),
      [
        ['now written', 'string'],
        // Fastify's own line at info, written because this request's log is at debug.
        ['request completed', 'string'],
        ['broken handler', 'string'],
      ],
    );
  });
});
