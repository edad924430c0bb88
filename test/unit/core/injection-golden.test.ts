// Golden cases: test/golden/injection/<case>.in.yaml (a pod) → <case>.out.yaml (the pod as admitted) and
// <case>.patch.json (the patch the webhook answers). A first line `# config: {...}` overrides the injection
// config for that case; a line `# reasons: a, b` states the decision's reason codes. UPDATE_GOLDEN=1 rewrites the expected files; a golden file no case uses fails.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { applyPatch } from '../../../core/injection/compute-patch.ts';
import { injectSidecar } from '../../../core/injection/inject-sidecar.ts';
import { assertNothingLost, decodePatch, reviewPodCreate, testConfig } from './injection-support.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'golden', 'injection');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SUFFIXES = ['.in.yaml', '.out.yaml', '.patch.json'] as const;

function configOverrides(text: string): Record<string, unknown> {
  const match = /^# config: (.*)$/m.exec(text);
  return match?.[1] ? (JSON.parse(match[1]) as Record<string, unknown>) : {};
}

function statedReasons(text: string): string[] | undefined {
  const match = /^# reasons: (.*)$/m.exec(text);
  return match?.[1]?.split(',').map((r) => r.trim());
}

function checkGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
  assert.equal(
    actual,
    readFileSync(path, 'utf8'),
    `${file} differs; run with UPDATE_GOLDEN=1 if the change is intended`,
  );
}

describe('injection golden files', () => {
  const files = readdirSync(GOLDEN_DIR).sort();
  const cases = files.filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length));

  it('has at least 15 cases and no file that no case uses', () => {
    assert.ok(cases.length >= 15, `only ${cases.length} golden cases`);
    const expected = new Set(cases.flatMap((c) => SUFFIXES.map((s) => `${c}${s}`)));
    const unused = files.filter((f) => !expected.has(f));
    assert.deepEqual(unused, [], `golden files that no case uses: ${unused.join(', ')}`);
  });

  for (const name of cases) {
    it(name, () => {
      const text = readFileSync(join(GOLDEN_DIR, `${name}.in.yaml`), 'utf8');
      const config = testConfig(configOverrides(text));
      const input = parse(text) as V1Pod;
      const outcome = reviewPodCreate(input, config);
      const patch = decodePatch(outcome);
      const output = applyPatch(input, patch);

      checkGolden(`${name}.patch.json`, `${JSON.stringify(patch, null, 2)}\n`);
      checkGolden(`${name}.out.yaml`, stringify(output));

      assert.equal(outcome.review.response.allowed, true);
      const reasons = statedReasons(text);
      if (reasons) assert.deepEqual(outcome.decision.reasons, reasons);
      assert.equal(outcome.review.response.patchType, patch.length > 0 ? 'JSONPatch' : undefined);
      if (outcome.decision.inject) assert.deepEqual(output, injectSidecar(input, config));
      else assert.deepEqual(patch, [], `skipped (${outcome.decision.reasons.join(', ')}) but patched`);
      assertNothingLost(input, output);

      const again = reviewPodCreate(output, config);
      assert.deepEqual(decodePatch(again), [], 'injecting the output again must not change it');
      assert.equal(again.review.response.patch, undefined);
    });
  }
});
