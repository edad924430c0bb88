// Writes deploy/webhook/mutating-webhook-configuration.yaml and recording-admission-policy.yaml:
// node --import tsx deploy/webhook/generate.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WEBHOOK_MANIFEST_PATH, renderWebhookManifest } from '../../core/injection/webhook-manifest.ts';
import {
  RECORDING_POLICY_MANIFEST_PATH,
  renderRecordingPolicyManifest,
} from '../../core/crd/recording-admission.ts';

const target = join(import.meta.dirname, '..', '..', WEBHOOK_MANIFEST_PATH);
writeFileSync(target, renderWebhookManifest());
process.stdout.write(`wrote ${WEBHOOK_MANIFEST_PATH}\n`);

writeFileSync(
  join(import.meta.dirname, '..', '..', RECORDING_POLICY_MANIFEST_PATH),
  renderRecordingPolicyManifest(),
);
process.stdout.write(`wrote ${RECORDING_POLICY_MANIFEST_PATH}\n`);
