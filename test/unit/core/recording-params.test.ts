import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '../../../core/contract/limits.ts';
import { startParamsSchema, validateRecordingParams } from '../../../core/contract/recording-params.ts';
import { paramsRejection as rejection } from '../../harness/params-rejection.ts';

describe('validateRecordingParams', () => {
  it('applies defaults to an empty request', () => {
    const params = validateRecordingParams({}, DEFAULT_LIMITS);
    assert.equal(params.durationSeconds, 30);
    assert.equal(params.frequency, 99);
    assert.equal(params.event, 'cpu-clock');
    assert.equal(params.callGraph, 'auto');
    assert.equal(params.symbols, 'proc');
    assert.equal(params.systemWide, false);
  });

  it('names the field, the value and the limit when a duration is too long', () => {
    const error = rejection({ durationSeconds: 601 });
    assert.equal(error.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(error.status, 400);
    assert.match(error.message, /durationSeconds 601 .*between 1 and 600/);
  });

  it('rejects a frequency over the limit and an unknown event', () => {
    assert.match(rejection({ frequency: 5000 }).message, /frequency 5000 .*999/);
    assert.match(rejection({ event: 'rm -rf' }).message, /event "rm -rf" .*cpu-clock/);
  });

  it('rejects a process pattern that is not a regular expression', () => {
    assert.match(rejection({ processPattern: '(' }).message, /processPattern/);
  });

  it('rejects a body that is not an object', () => {
    assert.equal(rejection([1]).code, 'ERR_INVALID_PARAMETER');
  });
});

describe('one start-parameters contract', () => {
  it('refuses a field the contract does not know, naming it', () => {
    const error = rejection({ durationSeconds: 5, bogus: true });
    assert.equal(error.code, 'ERR_INVALID_PARAMETER');
    assert.match(error.message, /bogus is not a known parameter/);
    assert.equal(error.details.field, 'bogus');
  });

  it('describes in its JSON schema exactly the fields the validator accepts, with the limits given', () => {
    const limits = { ...DEFAULT_LIMITS, maxDurationSeconds: 60, maxFrequency: 199 };
    const schema = startParamsSchema(limits) as {
      additionalProperties: boolean;
      properties: Record<string, { maximum?: number; default?: unknown }>;
    };
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.durationSeconds?.maximum, 60);
    assert.equal(schema.properties.frequency?.maximum, 199);
    const full = {
      durationSeconds: 60,
      frequency: 199,
      event: 'cpu-clock',
      callGraph: 'dwarf',
      container: 'app',
      processPattern: 'java',
      pid: 42,
      symbols: 'image',
      systemWide: false,
      note: 'after the deploy',
      profiler: 'pprof',
      profile: 'heap',
      pprof: {
        port: 8443,
        path: '/debug/pprof/heap',
        kind: 'heap',
        scheme: 'https',
        tls: { secret: 'etcd' },
      },
      sinks: ['pyroscope', 'team-collector'],
      startAt: '2000-01-01T00:00:00Z',
    };
    // bpftrace goes with another profiler than pprof: its own request, the same table.
    const bpftrace = {
      profiler: 'bpftrace',
      bpftrace: { program: 'profile:hz:99 { @[ustack] = count(); }' },
    };
    assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys({ ...full, ...bpftrace }).sort());
    assert.deepEqual(validateRecordingParams(full, limits), full);
    const { pprof: _pprof, profile: _profile, ...perfFields } = full;
    const traced = { ...perfFields, ...bpftrace };
    assert.deepEqual(validateRecordingParams(traced, limits), { ...traced, profile: 'cpu' });
    const defaults = validateRecordingParams({}, limits) as unknown as Record<string, unknown>;
    for (const [name, property] of Object.entries(schema.properties)) {
      assert.equal(property.default, defaults[name], `default of ${name}`);
    }
  });

  it('takes a missing body as all defaults but refuses null', () => {
    assert.equal(validateRecordingParams(undefined, DEFAULT_LIMITS).durationSeconds, 30);
    assert.equal(rejection(null).details.field, 'body');
  });
});

describe('profiler and pprof parameters', () => {
  it('defaults to perf, and fills in pprof defaults for pprof and auto (the path follows the kind)', () => {
    assert.equal(validateRecordingParams({}, DEFAULT_LIMITS).profiler, 'perf');
    assert.equal(validateRecordingParams({}, DEFAULT_LIMITS).pprof, undefined);
    assert.deepEqual(validateRecordingParams({ profiler: 'pprof' }, DEFAULT_LIMITS).pprof, {
      port: 6060,
      path: '/debug/pprof/profile',
      kind: 'profile',
      scheme: 'http',
    });
    const heap = validateRecordingParams({ profiler: 'auto', pprof: { kind: 'heap' } }, DEFAULT_LIMITS);
    assert.equal(heap.pprof?.path, '/debug/pprof/heap');
    const goroutine = validateRecordingParams(
      { profiler: 'pprof', pprof: { kind: 'goroutine', port: 9090 } },
      DEFAULT_LIMITS,
    );
    assert.deepEqual([goroutine.pprof?.path, goroutine.pprof?.port], ['/debug/pprof/goroutine', 9090]);
    // Validating what came out again gives the same (the server checks, then the sidecar checks).
    assert.deepEqual(validateRecordingParams(goroutine, DEFAULT_LIMITS), goroutine);
  });

  it('takes bpftrace as a profiler choice and refuses an unknown one, naming the choices', () => {
    const program = 'tracepoint:raw_syscalls:sys_enter { @[comm] = count(); }';
    const bpftrace = { profiler: 'bpftrace', bpftrace: { program } };
    assert.equal(validateRecordingParams(bpftrace, DEFAULT_LIMITS).profiler, 'bpftrace');
    const error = rejection({ profiler: 'async-profiler' });
    assert.match(error.message, /profiler "async-profiler" .*perf, pprof, bpftrace, auto/);
  });

  it('names the nested field, its value and the limit', () => {
    const port = rejection({ profiler: 'pprof', pprof: { port: 70000 } });
    assert.equal(port.code, 'ERR_LIMIT_EXCEEDED');
    assert.equal(port.details.field, 'pprof.port');
    assert.match(port.message, /pprof\.port 70000 .*between 1 and 65535/);
    const unknown = rejection({ profiler: 'pprof', pprof: { host: '10.0.0.1' } });
    assert.match(unknown.message, /pprof\.host is not a known parameter/);
    const kind = rejection({ profiler: 'pprof', pprof: { kind: 'trace' } });
    assert.match(kind.message, /pprof\.kind "trace" .*profile, heap, goroutine, allocs, mutex, block/);
    assert.equal(rejection({ profiler: 'pprof', pprof: 'x' }).details.field, 'pprof');
  });

  it('refuses a path that could carry a query, a fragment or another host', () => {
    for (const path of ['debug/pprof', '/debug?seconds=9999', '/a#b', '//evil.example/x', '/a b']) {
      const error = rejection({ profiler: 'pprof', pprof: { path } });
      assert.equal(error.details.field, 'pprof.path', path);
    }
  });

  it('takes a TLS secret by name only: a path or traversal is refused', () => {
    for (const secret of ['../etc', '/etc/ssl', 'a/b', 'UPPER', '.hidden']) {
      const error = rejection({ profiler: 'pprof', pprof: { tls: { secret } } });
      assert.equal(error.details.field, 'pprof.tls.secret', secret);
      assert.match(error.message, /pprof TLS directory/);
    }
    const ok = validateRecordingParams(
      { profiler: 'pprof', pprof: { tls: { secret: 'etcd-client' } } },
      DEFAULT_LIMITS,
    );
    assert.equal(ok.pprof?.scheme, 'https', 'TLS settings imply https');
    const http = rejection({ profiler: 'pprof', pprof: { scheme: 'http', tls: { secret: 'x' } } });
    assert.equal(http.details.field, 'pprof.scheme');
  });

  it('refuses pprof settings with a profiler that does not use them', () => {
    const error = rejection({ profiler: 'perf', pprof: { port: 6060 } });
    assert.equal(error.details.field, 'pprof');
    assert.match(error.message, /only used with profiler pprof or auto, not perf/);
    assert.equal(rejection({ pprof: {} }).details.field, 'pprof');
  });

  it('shows the pprof defaults and bounds in the JSON schema', () => {
    const schema = startParamsSchema(DEFAULT_LIMITS) as {
      properties: Record<
        string,
        {
          default?: unknown;
          enum?: string[];
          properties?: Record<string, { default?: unknown; maximum?: number }>;
          additionalProperties?: boolean;
        }
      >;
    };
    assert.equal(schema.properties.profiler?.default, 'perf');
    assert.deepEqual(schema.properties.profiler?.enum, ['perf', 'pprof', 'bpftrace', 'auto', 'node']);
    assert.equal(schema.properties.pprof?.additionalProperties, false);
    assert.equal(schema.properties.pprof?.properties?.port?.default, 6060);
    assert.equal(schema.properties.pprof?.properties?.port?.maximum, 65535);
    assert.equal(schema.properties.pprof?.properties?.kind?.default, 'profile');
  });
});
