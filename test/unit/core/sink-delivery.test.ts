// The sinks' pure decisions: which sinks take a recording, which names a start may give, what a sink's
// answer means, when the next attempt is, and the request each sink gets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import { DEFAULT_PARAMS } from '../../../core/contract/recording-params.ts';
import { afterFailure, judgePush, sanitizeSinkText } from '../../../core/sinks/delivery.ts';
import { pushRequestOf, pyroscopeName } from '../../../core/sinks/push-request.ts';
import { checkNamedSinks, sinksFor } from '../../../core/sinks/sink-choice.ts';
import { DEFAULT_SINK_DELIVERY, type SinkConfig } from '../../../core/sinks/sink.ts';

const base = { recordings: 'all', continuous: false, format: 'pprof', timeoutSeconds: 30 } as const;
const SINKS: SinkConfig[] = [
  { ...base, name: 'all', type: 'otlp', url: 'http://c' },
  { ...base, name: 'shop', type: 'pyroscope', url: 'http://p', namespaces: ['shop'] },
  { ...base, name: 'asked', type: 'pyroscope', url: 'http://p', recordings: 'named' },
];

const entry: CatalogEntry = {
  id: 'r1',
  namespace: 'shop',
  pod: 'web-7d9f8c6b5-x2k4q',
  container: 'app',
  state: 'done',
  params: { ...DEFAULT_PARAMS, durationSeconds: 30 },
  profiler: 'pprof',
  startedAt: '2026-11-23T06:00:00.400Z',
  endedAt: '2026-11-23T06:00:30.200Z',
  artifacts: [],
};

describe('which sinks take a recording', () => {
  it('takes all-sinks of the namespace, and named ones only when named', () => {
    assert.deepEqual(
      sinksFor(SINKS, 'shop').map((s) => s.name),
      ['all', 'shop'],
    );
    assert.deepEqual(
      sinksFor(SINKS, 'other', ['asked', 'shop']).map((s) => s.name),
      ['all', 'asked'],
    );
  });

  it('lets a start name only sinks that exist and take its namespace', () => {
    assert.doesNotThrow(() => checkNamedSinks(SINKS, 'shop', ['shop', 'asked']));
    assert.throws(
      () => checkNamedSinks(SINKS, 'other', ['shop']),
      /sinks\[0\] "shop" does not take recordings of namespace other/,
    );
    assert.throws(() => checkNamedSinks([], 'shop', ['x']), /is not a sink of this server \(it has none\)/);
  });
});

describe('a sink’s answer and the next attempt', () => {
  it('delivers on 2xx, retries overload and server errors, fails other answers and redirects', () => {
    assert.deepEqual(judgePush({ kind: 'answer', status: 202 }), { delivered: true });
    for (const status of [408, 429, 500, 503])
      assert.equal(
        judgePush({ kind: 'answer', status }).delivered === false &&
          (judgePush({ kind: 'answer', status }) as { retry: boolean }).retry,
        true,
      );
    assert.deepEqual(judgePush({ kind: 'answer', status: 400, detail: 'bad name' }), {
      delivered: false,
      retry: false,
      error: 'the sink answered 400: bad name',
    });
    assert.deepEqual(judgePush({ kind: 'error', message: 'ECONNREFUSED' }), {
      delivered: false,
      retry: true,
      error: 'ECONNREFUSED',
    });
  });

  it('backs off exponentially up to the ceiling, and fails past maxAgeSeconds', () => {
    const settings = {
      ...DEFAULT_SINK_DELIVERY,
      initialBackoffSeconds: 5,
      maxBackoffSeconds: 60,
      maxAgeSeconds: 3600,
    };
    const verdict = { delivered: false, retry: true, error: 'down' } as const;
    const at = (attempts: number, now = 0) =>
      afterFailure({ sink: 's', attempts }, verdict, { now, queuedAt: 0, random: 1, settings });
    assert.equal(at(1).nextAttemptAt, new Date(5000).toISOString());
    assert.equal(at(2).nextAttemptAt, new Date(10_000).toISOString());
    assert.equal(at(10).nextAttemptAt, new Date(60_000).toISOString());
    const late = at(50, 3_590_000);
    assert.equal(late.state, 'failed');
    assert.match(
      late.lastError ?? '',
      /^down; given up after 50 attempts over 3590 s \(sinkDelivery.maxAgeSeconds 3600\)$/,
    );
    assert.equal(
      afterFailure(
        { sink: 's', attempts: 1 },
        { ...verdict, retry: false },
        { now: 0, queuedAt: 0, random: 0, settings },
      ).state,
      'failed',
    );
  });

  it('keeps only printable text of what a sink says, cut short', () => {
    assert.equal(sanitizeSinkText('a\u001b[31m\nb\u2028c'), 'a [31m b c');
    assert.equal(sanitizeSinkText('x'.repeat(400)).length, 301);
  });
});

describe('the request each sink gets', () => {
  it('otlp: the profiles path under the base URL, protobuf, the recording id', () => {
    const request = pushRequestOf({ ...base, name: 'c', type: 'otlp', url: 'https://c:4318/otel/' }, entry);
    assert.equal(request.url.href, 'https://c:4318/otel/v1development/profiles');
    assert.equal(request.artifact, 'profile.otlp.pb');
    assert.deepEqual(request.headers, {
      'x-furnace-recording-id': 'r1',
      'content-type': 'application/x-protobuf',
    });
  });

  it('pyroscope: name with labels, whole seconds around the recording, Go’s 100 Hz for pprof recordings', () => {
    const sink: SinkConfig = { ...base, name: 'p', type: 'pyroscope', url: 'http://p', tenant: 't1' };
    const request = pushRequestOf(sink, entry);
    assert.equal(request.url.pathname, '/ingest');
    assert.deepEqual(Object.fromEntries(request.url.searchParams), {
      name: 'web.cpu{namespace=shop,pod=web-7d9f8c6b5-x2k4q,container=app}',
      from: String(Date.parse('2026-11-23T06:00:00Z') / 1000),
      until: String(Date.parse('2026-11-23T06:00:31Z') / 1000),
      format: 'pprof',
      sampleRate: '100',
    });
    assert.equal(request.headers['x-scope-orgid'], 't1');
    assert.equal(pushRequestOf({ ...sink, format: 'folded' }, entry).artifact, 'stacks.folded');
    assert.equal(
      pyroscopeName({ application: 'a{b}=c,d e' }, { ...entry, container: undefined }),
      'a_b__c_d_e.cpu{namespace=shop,pod=web-7d9f8c6b5-x2k4q}',
    );
  });

  it('pyroscope: an offcpu recording goes to the off_cpu series, its nanoseconds as samples at 1 GHz', () => {
    const sink: SinkConfig = { ...base, name: 'p', type: 'pyroscope', url: 'http://p', format: 'folded' };
    const offcpu = { ...entry, params: { ...entry.params, profile: 'offcpu' as const } };
    const params = pushRequestOf(sink, offcpu).url.searchParams;
    assert.equal(params.get('name'), 'web.off_cpu{namespace=shop,pod=web-7d9f8c6b5-x2k4q,container=app}');
    assert.equal(params.get('sampleRate'), '1000000000');
  });
});
