// Writes every generated file under deploy/ (CRDs, base, OpenShift overlay, samples, OLM bundle):
//   node --import tsx deploy/generate.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles } from './manifests/generated-files.ts';

const root = join(import.meta.dirname, '..');
for (const file of generatedFiles()) {
  mkdirSync(dirname(join(root, file.path)), { recursive: true });
  writeFileSync(join(root, file.path), file.text);
  process.stdout.write(`wrote ${file.path}\n`);
}
