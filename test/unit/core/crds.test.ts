import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { crdFiles, renderCrd } from '../../../core/crd/render-crds.ts';
import type { JsonSchema } from '../../../core/crd/schema-types.ts';
import { DEFAULT_IMAGES, FURNACE_CRD_NAME, RECORDING_CRD_NAME } from '../../../core/crd/resources.ts';
import { RECORDING_ENTRY_CRD_NAME } from '../../../core/crd/recording-entry-crd.ts';
import { API_GROUP, API_VERSION } from '../../../core/contract/names.ts';
import { DEFAULT_INJECTION_CONFIG } from '../../../core/injection/injection-config.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';

/** Every object schema path that neither lists properties nor says what its values are. */
function untypedObjects(schema: JsonSchema, path: string): string[] {
  const here =
    schema.type === 'object' && !schema.properties && !schema.additionalProperties && path !== '.metadata'
      ? [path]
      : [];
  const nested = [
    ...Object.entries(schema.properties ?? {}).flatMap(([k, s]) => untypedObjects(s, `${path}.${k}`)),
    ...(schema.items ? untypedObjects(schema.items, `${path}[]`) : []),
    ...(schema.additionalProperties ? untypedObjects(schema.additionalProperties, `${path}.*`) : []),
  ];
  return [...here, ...nested];
}

describe('CustomResourceDefinitions', () => {
  it('are checked in exactly as generated (run node --import tsx deploy/generate.ts after a change)', () => {
    for (const file of crdFiles()) {
      const checkedIn = readFileSync(join(PROJECT_ROOT, file.path), 'utf8');
      assert.equal(checkedIn, renderCrd(file.crd), file.path);
    }
  });

  it('name every kind in the group and version of core/crd/resources.ts, with a status subresource', () => {
    const names = crdFiles().map((f) => f.crd.metadata.name);
    assert.deepEqual(names, [FURNACE_CRD_NAME, RECORDING_CRD_NAME, RECORDING_ENTRY_CRD_NAME]);
    for (const { crd, path } of crdFiles()) {
      assert.equal(crd.spec.group, API_GROUP);
      assert.equal(path, `deploy/crds/${crd.metadata.name}.yaml`);
      assert.deepEqual(
        crd.spec.versions.map((v) => [v.name, v.served, v.storage, v.subresources]),
        [[API_VERSION, true, true, { status: {} }]],
      );
    }
  });

  it('type every object they accept (nothing is kept unvalidated)', () => {
    for (const { crd } of crdFiles()) {
      const root = crd.spec.versions[0]?.schema.openAPIV3Schema;
      assert.ok(root);
      assert.deepEqual(untypedObjects(root, ''), [], crd.metadata.name);
    }
  });

  it('default the sidecar to the image the webhook injects when unconfigured', () => {
    assert.equal(DEFAULT_IMAGES.sidecar, DEFAULT_INJECTION_CONFIG.image);
  });
});
