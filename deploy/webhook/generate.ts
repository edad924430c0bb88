// Writes deploy/webhook/mutating-webhook-configuration.yaml and validating-webhook-configuration.yaml:
// node --import tsx deploy/webhook/generate.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_MANIFEST_PATH, renderWebhookManifest } from '../../core/injection/webhook-manifest.ts';
import {
  RECORDING_WEBHOOK_MANIFEST_PATH,
  renderRecordingWebhookManifest,
} from '../../core/crd/recording-admission.ts';

const target = join(import.meta.dirname, '..', '..', WEBHOOK_MANIFEST_PATH);
writeFileSync(target, renderWebhookManifest());
process.stdout.write(`wrote ${WEBHOOK_MANIFEST_PATH}\n`);

writeFileSync(
  join(import.meta.dirname, '..', '..', RECORDING_WEBHOOK_MANIFEST_PATH),
  renderRecordingWebhookManifest(),
);
process.stdout.write(`wrote ${RECORDING_WEBHOOK_MANIFEST_PATH}\n`);
