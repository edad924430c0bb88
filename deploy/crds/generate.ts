// Writes deploy/crds/*.yaml: node --import tsx deploy/crds/generate.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdFiles, renderCrd } from '../../core/crd/render-crds.ts';

for (const file of crdFiles()) {
  writeFileSync(join(import.meta.dirname, '..', '..', file.path), renderCrd(file.crd));
  process.stdout.write(`wrote ${file.path}\n`);
}
