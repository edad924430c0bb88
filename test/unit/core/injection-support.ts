// Helpers shared by the injection tests (not a test file itself).
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import { parseInjectionConfig } from '../../../core/injection/injection-config.ts';
import type { InjectionConfig } from '../../../core/injection/injection-config.ts';
import { reviewAdmission } from '../../../core/injection/review-admission.ts';
import type { AdmissionOutcome } from '../../../core/injection/review-admission.ts';

export const TEST_SERVER_CA = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBdzCCAR2gAwIBAgIUFurnaceTestCaNotARealCertificate0wCgYIKoZIzj0E',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

export function testConfig(overrides: Record<string, unknown> = {}): InjectionConfig {
  return parseInjectionConfig({ serverCa: TEST_SERVER_CA, ...overrides });
}

/** What the API server would send for creating this pod. */
export function reviewPodCreate(pod: V1Pod, config: InjectionConfig, uid = 'test-uid'): AdmissionOutcome {
  return reviewAdmission(
    { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', object: pod },
    config,
  );
}

export function decodePatch(outcome: AdmissionOutcome): Operation[] {
  const encoded = outcome.review.response.patch;
  if (encoded === undefined) return [];
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Operation[];
}

/** Fields the injection may change in place rather than only add to. */
const MAY_CHANGE = new Set(['/spec/shareProcessNamespace']);

function pointer(path: string, key: string): string {
  return `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

/** Every leaf of `before` is still at the same place with the same value in `after`. */
export function assertNothingLost(before: unknown, after: unknown, path = ''): void {
  if (MAY_CHANGE.has(path)) return;
  if (typeof before !== 'object' || before === null) {
    assert.deepEqual(after, before, `value at ${path || '/'} changed`);
    return;
  }
  if (typeof after !== 'object' || after === null) assert.fail(`${path || '/'} was removed or replaced`);
  assert.equal(Array.isArray(after), Array.isArray(before), `${path || '/'} changed between list and map`);
  for (const [key, value] of Object.entries(before)) {
    assert.ok(Object.hasOwn(after, key), `${pointer(path, key)} was removed`);
    assertNothingLost(value, (after as Record<string, unknown>)[key], pointer(path, key));
  }
}
