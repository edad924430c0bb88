// Property test: 1,200 generated pods of every shape (seeded, so a failure is reproducible by its seed).
// For each: no throw, the patch applies, the result is the injected pod, injecting again changes nothing,
// and nothing the pod had is lost.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { decideInjection } from '../../../core/injection/decide-injection.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { findSidecarContainer } from '../../../core/injection/pod-shape.ts';
import { INJECTED_ANNOTATION } from '../../../core/contract/names.ts';
import { assertNothingLost, decodePatch, reviewPodCreate, testConfig } from './injection-support.ts';
import { seededRandom } from '../../harness/seeded-random.ts';

const SEED = Number(process.env.INJECTION_PROPERTY_SEED ?? 20261122);
const COUNT = 1200;

class Gen {
  readonly next: () => number;

  constructor(next: () => number) {
    this.next = next;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  name(prefix: string): string {
    return `${prefix}-${this.int(1e6).toString(36)}`;
  }
  oddCase(s: string): string {
    return [...s].map((c) => (this.chance(0.5) ? c.toUpperCase() : c)).join('');
  }
}

const OPT_IN = ['enabled', 'enable', 'true', 'yes', ' Yes ', 'no', 'false', 'disabled', ''];
const KEYS = [
  'app',
  'team',
  'example.com/owner',
  'a~b/c',
  'app.kubernetes.io/name',
  'furnace.hyperfoil.io/other',
];

function map(g: Gen, optInChance: number): Record<string, string> | undefined {
  if (g.chance(0.25)) return undefined;
  const out: Record<string, string> = {};
  for (let i = g.int(4); i > 0; i--) out[g.pick(KEYS)] = g.name('v');
  if (g.chance(optInChance)) out.furnace = g.oddCase(g.pick(OPT_IN));
  return out;
}

function container(g: Gen, name: string): V1Container {
  const c: V1Container = { name, image: `${g.name('registry.example/img')}:${g.int(10)}` };
  if (g.chance(0.4)) {
    c.env = Array.from({ length: g.int(5) }, (_, i) => ({ name: `VAR_${i}`, value: g.name('x') }));
  }
  if (g.chance(0.3)) c.ports = [{ containerPort: g.chance(0.05) ? 12380 : 1024 + g.int(6e4) }];
  if (g.chance(0.3)) c.securityContext = { runAsNonRoot: g.chance(0.5), readOnlyRootFilesystem: true };
  if (g.chance(0.3)) c.volumeMounts = [{ name: 'data', mountPath: '/data' }];
  return c;
}

function containers(g: Gen, prefix: string, min: number, max: number): V1Container[] {
  const count = min + g.int(max - min + 1);
  return Array.from({ length: count }, (_, i) => container(g, g.chance(0.02) ? 'furnace' : `${prefix}-${i}`));
}

function volumes(g: Gen): V1Volume[] | undefined {
  if (g.chance(0.3)) return undefined;
  return Array.from({ length: g.int(4) }, (_, i): V1Volume => {
    const name = g.chance(0.03) ? 'furnace-output' : `vol-${i}`;
    return g.chance(0.5) ? { name, emptyDir: {} } : { name, configMap: { name: g.name('cm') } };
  });
}

function spec(g: Gen): NonNullable<V1Pod['spec']> {
  const s: NonNullable<V1Pod['spec']> = { containers: containers(g, 'app', 1, 4) };
  if (g.chance(0.3)) {
    s.initContainers = containers(g, 'init', 1, 2).map((c) =>
      g.chance(0.5) ? { ...c, restartPolicy: 'Always' } : c,
    );
  }
  if (g.chance(0.1))
    s.ephemeralContainers = [{ name: 'debug', image: 'busybox', targetContainerName: 'app-0' }];
  const vols = volumes(g);
  if (vols) s.volumes = vols;
  if (g.chance(0.3))
    s.imagePullSecrets = Array.from({ length: 1 + g.int(2) }, () => ({ name: g.name('pull') }));
  if (g.chance(0.3)) s.securityContext = { runAsNonRoot: true, runAsUser: 1000 + g.int(1000) };
  if (g.chance(0.1)) s.hostPID = true;
  if (g.chance(0.1)) s.shareProcessNamespace = g.chance(0.5);
  if (g.chance(0.3)) s.restartPolicy = g.pick(['Always', 'OnFailure', 'Never']);
  return s;
}

function pod(g: Gen): V1Pod {
  const metadata: NonNullable<V1Pod['metadata']> = g.chance(0.5)
    ? { name: g.name('pod') }
    : { generateName: 'gen-' };
  const labels = map(g, 0.6);
  const annotations = map(g, 0.3);
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (annotations && g.chance(0.05)) annotations[INJECTED_ANNOTATION] = '{}';
  if (g.chance(0.2))
    metadata.managedFields = [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1' }];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: spec(g) };
}

describe('injection over generated pods', () => {
  it(`holds its properties for ${COUNT} pods (seed ${SEED})`, () => {
    const g = new Gen(seededRandom(SEED));
    const configs = [testConfig(), testConfig({ securityProfile: 'capabilities', mountKernelSources: true })];
    let injected = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = pod(g);
      const snapshot = structuredClone(input);
      const config = g.pick(configs);
      const where = `pod #${i} (seed ${SEED}): ${JSON.stringify(input)}`;
      const outcome = reviewPodCreate(input, config);
      assert.deepEqual(input, snapshot, `the input was modified: ${where}`);
      const patch = decodePatch(outcome);
      const output = applyPatch(input, patch);
      assertNothingLost(input, output);
      if (outcome.decision.inject) {
        injected++;
        assert.deepEqual(output, injectSidecar(input, config), where);
        assert.ok(findSidecarContainer(output), where);
        assert.equal(decideInjection(output).inject, false, where);
        assert.deepEqual(decodePatch(reviewPodCreate(output, config)), [], `not idempotent: ${where}`);
      } else {
        assert.deepEqual(patch, [], where);
      }
    }
    // The generator must exercise both branches substantially.
    assert.ok(injected > COUNT / 5 && injected < (COUNT * 4) / 5, `${injected} of ${COUNT} injected`);
  });
});
