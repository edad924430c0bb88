// What exported profiles say about a recording: the owning workload from a pod's name, the pprof labels
// and OTel resource attributes, and the sidecar's and the merge's choice of exports, times and frequency.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogEntry } from '../../../core/contract/recording.ts';
import {
  otelResourceAttributes,
  owningWorkload,
  pprofLabels,
  samplingFrequency,
} from '../../../core/export/profile-subject.ts';
import { mergedExportMeta } from '../../../server/catalog/merged-export-meta.ts';
import { recordingExports } from '../../../sidecar/recording/export-meta.ts';
import { finishedRecordingStatus, perfParams } from '../../harness/recording-status.ts';

describe('owning workload from a pod name', () => {
  it('reads Deployment, StatefulSet, DaemonSet and Job pod names', () => {
    assert.equal(owningWorkload('checkout-api-7d9f8c6b5-x2k4q'), 'checkout-api');
    assert.equal(owningWorkload('web-5bd8c47d9b-mwq2z'), 'web');
    assert.equal(owningWorkload('postgres-0'), 'postgres');
    assert.equal(owningWorkload('kafka-broker-12'), 'kafka-broker');
    assert.equal(owningWorkload('node-exporter-q8z5t'), 'node-exporter');
  });

  it('knows none for a name no controller made', () => {
    assert.equal(owningWorkload('debug'), undefined);
    assert.equal(owningWorkload('my-laptop'), undefined, 'a host name in local mode');
    assert.equal(owningWorkload('web-abcde'), undefined, 'vowels: not a generated suffix');
    assert.equal(owningWorkload('db-007'), undefined, 'not an ordinal');
  });
});

describe('labels and resource attributes', () => {
  const subject = { namespace: 'shop', pod: 'web-0', container: 'app', service: 'web' };

  it('names them as pprof readers (Pyroscope, Parca) and the OTel semantic conventions do', () => {
    assert.deepEqual(pprofLabels(subject), {
      namespace: 'shop',
      pod: 'web-0',
      container: 'app',
      service_name: 'web',
    });
    assert.deepEqual(otelResourceAttributes(subject), {
      'k8s.namespace.name': 'shop',
      'k8s.pod.name': 'web-0',
      'k8s.container.name': 'app',
      'service.name': 'web',
    });
  });

  it('leaves out what is not known', () => {
    assert.deepEqual(pprofLabels({ namespace: 'local', pod: 'laptop' }), {
      namespace: 'local',
      pod: 'laptop',
    });
    assert.deepEqual(otelResourceAttributes({}), {});
  });

  it('takes Go’s 100 Hz for a pprof recording, the recording’s frequency otherwise', () => {
    assert.equal(samplingFrequency('pprof', 99), 100);
    assert.equal(samplingFrequency('perf', 499), 499);
    assert.equal(samplingFrequency(undefined, 49), 49);
  });
});

describe('a sidecar recording’s exports', () => {
  const where = { podNamespace: 'shop', podName: 'web-7d9f8c6b5-x2k4q' };
  const started = Date.parse('2026-03-01T12:00:00.000Z');

  it('a perf recording gets pprof and OTLP, labelled with its pod, container and workload', () => {
    const status = finishedRecordingStatus('r1', {
      profiler: 'perf',
      params: perfParams(30, { frequency: 199 }),
    });
    const exports = recordingExports(status, where, started + 4_000);
    assert.deepEqual(exports.names, ['profile.pb.gz', 'profile.otlp.pb']);
    assert.deepEqual(exports.meta, {
      frequency: 199,
      startedAtMs: started,
      durationMs: 4_000,
      subject: { namespace: 'shop', pod: where.podName, container: 'app', service: 'web' },
    });
  });

  it('counts at most the duration asked for, and names a container only when one was recorded', () => {
    const status = finishedRecordingStatus('r1', {
      params: perfParams(5),
      targets: [
        { pid: 7, comm: 'a', container: 'app' },
        { pid: 8, comm: 'b', container: 'proxy' },
      ],
    });
    const exports = recordingExports(status, where, started + 60_000);
    assert.equal(exports.meta.durationMs, 5_000, 'the 5 s asked for, not the processing after');
    assert.equal(exports.meta.subject.container, undefined);
  });

  it('a pprof CPU recording keeps the target’s own pprof and gets OTLP at 100 Hz; heap gets neither', () => {
    const cpu = finishedRecordingStatus('r1', {
      profiler: 'pprof',
      artifacts: ['profile.pb.gz'],
      params: perfParams(5, {
        profiler: 'pprof',
        pprof: { port: 6060, path: '/p', kind: 'profile', scheme: 'http' },
      }),
    });
    const exports = recordingExports(cpu, where, started + 5_000);
    assert.deepEqual(exports.names, ['profile.otlp.pb']);
    assert.equal(exports.meta.frequency, 100);
    const heap = finishedRecordingStatus('r2', {
      profiler: 'pprof',
      artifacts: ['profile.pb.gz'],
      params: perfParams(5, {
        profiler: 'pprof',
        pprof: { port: 6060, path: '/h', kind: 'heap', scheme: 'http' },
      }),
    });
    assert.deepEqual(recordingExports(heap, where, started + 5_000).names, []);
  });
});

describe('a merge’s exports', () => {
  const entry = (
    id: string,
    pod: string,
    startedAt: string,
    endedAt: string,
    frequency = 99,
  ): CatalogEntry => ({
    id,
    namespace: 'shop',
    pod,
    state: 'done',
    params: perfParams(30, { frequency, container: 'app' }),
    startedAt,
    endedAt,
    artifacts: [],
  });

  it('spans the first start to the last end, and says only what every recording shares', () => {
    const meta = mergedExportMeta([
      entry('a', 'web-0', '2026-03-01T12:00:10.000Z', '2026-03-01T12:00:40.000Z'),
      entry('b', 'web-1', '2026-03-01T12:00:00.000Z', '2026-03-01T12:00:30.000Z', 49),
    ]);
    assert.deepEqual(meta, {
      frequency: 49,
      startedAtMs: Date.parse('2026-03-01T12:00:00.000Z'),
      durationMs: 40_000,
      subject: { namespace: 'shop', container: 'app', service: 'web' },
    });
  });
});
