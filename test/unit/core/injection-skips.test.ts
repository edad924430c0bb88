// The decisions that keep a pod valid and respect its owner: explicit opt-out (and --force), Windows
// pods, and pod-level resources (the sidecar draws on the pod's budget instead of exceeding it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { decideInjection } from '../../../core/injection/decide-injection.ts';
import { describeReason } from '../../../core/injection/describe-reason.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { OPT_OUT_VALUES } from '../../../core/contract/names.ts';
import { testConfig } from './injection-support.ts';

function pod(spec: Partial<V1PodSpec> = {}, labels: Record<string, string> = { furnace: 'yes' }): V1Pod {
  return {
    metadata: { name: 'p', labels },
    spec: { containers: [{ name: 'app', image: 'app' }], ...spec },
  };
}

function osAffinity(...terms: { operator: string; values: string[] }[][]): Partial<V1PodSpec> {
  return {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: terms.map((expressions) => ({
            matchExpressions: expressions.map((e) => ({ key: 'kubernetes.io/os', ...e })),
          })),
        },
      },
    },
  };
}

describe('explicit opt-out', () => {
  it('wins over an opt-in, in the webhook and in the CLI, for every opt-out value in any case', () => {
    for (const value of OPT_OUT_VALUES) {
      const labelled = pod({}, { furnace: value.toUpperCase() });
      assert.deepEqual(decideInjection(labelled).reasons, ['pod-opted-out'], value);
      assert.deepEqual(decideInjection(labelled, { requireOptIn: false }).reasons, ['pod-opted-out']);
      // A template may opt every pod in by annotation while one pod opts out by label.
      const both: V1Pod = {
        ...labelled,
        metadata: { ...labelled.metadata, annotations: { furnace: 'true' } },
      };
      assert.deepEqual(decideInjection(both).reasons, ['pod-opted-out']);
    }
    assert.match(describeReason('pod-opted-out'), /--force/);
  });

  it('is overridden by --force (overrideOptOut), which overrides nothing else', () => {
    const out = pod({}, { furnace: 'false' });
    assert.deepEqual(decideInjection(out, { requireOptIn: false, overrideOptOut: true }), {
      inject: true,
      reasons: ['requested', 'opt-out-overridden'],
    });
    // The webhook never forces; with an opt-out overridden it still needs an opt-in.
    assert.deepEqual(decideInjection(out, { overrideOptOut: true }).reasons, ['pod-not-opted-in']);
    const windows = pod({ os: { name: 'windows' } }, { furnace: 'false' });
    assert.deepEqual(decideInjection(windows, { requireOptIn: false, overrideOptOut: true }).reasons, [
      'windows-pod',
    ]);
  });
});

describe('Windows pods', () => {
  it('are skipped by spec.os.name, by node selector or by required node affinity', () => {
    const windows: Partial<V1PodSpec>[] = [
      { os: { name: 'windows' } },
      { nodeSelector: { 'kubernetes.io/os': 'windows' } },
      { nodeSelector: { 'beta.kubernetes.io/os': 'Windows' } },
      osAffinity([{ operator: 'In', values: ['windows'] }]),
      osAffinity([{ operator: 'NotIn', values: ['linux'] }]),
      osAffinity([{ operator: 'In', values: ['windows'] }], [{ operator: 'NotIn', values: ['linux'] }]),
    ];
    for (const spec of windows) {
      assert.deepEqual(
        decideInjection(pod(spec)),
        { inject: false, reasons: ['windows-pod'] },
        JSON.stringify(spec),
      );
      assert.deepEqual(decideInjection(pod(spec), { requireOptIn: false }).reasons, ['windows-pod']);
    }
  });

  it('are only those: Linux, mixed or unconstrained pods are injected', () => {
    const linux: Partial<V1PodSpec>[] = [
      {},
      { os: { name: 'linux' } },
      { nodeSelector: { 'kubernetes.io/os': 'linux' } },
      osAffinity([{ operator: 'In', values: ['linux', 'windows'] }]),
      // Terms are ORed: one term that allows Linux nodes is enough for the pod to land on Linux.
      osAffinity([{ operator: 'In', values: ['windows'] }], [{ operator: 'In', values: ['linux'] }]),
      osAffinity([{ operator: 'Exists', values: [] }]),
    ];
    for (const spec of linux) assert.equal(decideInjection(pod(spec)).inject, true, JSON.stringify(spec));
  });

  it('that were injected already report that first', () => {
    const injected = pod({ os: { name: 'windows' } });
    injected.metadata = { ...injected.metadata, annotations: { 'furnace.hyperfoil.io/injected': '{}' } };
    assert.deepEqual(decideInjection(injected).reasons, ['already-injected-annotation']);
  });
});

describe('pod-level resources', () => {
  const config = testConfig();

  it('give the sidecar no requests or limits of the resources the pod budgets, and say so', () => {
    const budgeted = pod({ resources: { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '256Mi' } } });
    assert.deepEqual(decideInjection(budgeted).reasons, ['opted-in-label', 'shares-pod-level-resources']);
    const sidecar = injectSidecar(budgeted, config).spec?.containers.at(-1);
    assert.equal(sidecar?.name, 'furnace');
    // Both budgeted (cpu by requests and limits, memory by limits): neither request nor limit on the sidecar.
    assert.deepEqual(sidecar?.resources, {});
    const cpuOnly = pod({ resources: { requests: { cpu: '500m' } } });
    assert.deepEqual(injectSidecar(cpuOnly, config).spec?.containers.at(-1)?.resources, {
      requests: { memory: '64Mi' },
      limits: { memory: '1Gi' },
    });
  });

  it('leave the pod-level budget itself alone', () => {
    const resources = { requests: { cpu: '200m', memory: '128Mi' }, limits: { memory: '256Mi' } };
    const injected = injectSidecar(pod({ resources }), config);
    assert.deepEqual(injected.spec?.resources, resources);
  });

  it('are absent from an ordinary pod, whose sidecar keeps the configured amounts', () => {
    assert.deepEqual(decideInjection(pod()).reasons, ['opted-in-label']);
    assert.deepEqual(injectSidecar(pod(), config).spec?.containers.at(-1)?.resources, {
      requests: { cpu: '10m', memory: '64Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });
});
