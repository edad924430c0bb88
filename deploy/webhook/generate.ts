// Writes deploy/webhook/mutating-webhook-configuration.yaml: node --import tsx deploy/webhook/generate.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_MANIFEST_PATH, renderWebhookManifest } from '../../core/injection/webhook-manifest.ts';

const target = join(import.meta.dirname, '..', '..', WEBHOOK_MANIFEST_PATH);
writeFileSync(target, renderWebhookManifest());
process.stdout.write(`wrote ${WEBHOOK_MANIFEST_PATH}\n`);
