import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  OPT_IN_MATCH_CONDITION,
  buildMutatingWebhookConfiguration,
} from '../../../core/injection/webhook-configuration.ts';
import { WEBHOOK_MANIFEST_PATH, renderWebhookManifest } from '../../../core/injection/webhook-manifest.ts';
import { OPT_IN_VALUES } from '../../../core/contract/names.ts';
import { PROJECT_ROOT } from '../../harness/project-root.ts';
import {
  RECORDING_POLICY_MANIFEST_PATH,
  renderRecordingPolicyManifest,
} from '../../../core/crd/recording-admission.ts';

describe('ValidatingAdmissionPolicy of continuous Recordings', () => {
  it('is checked in exactly as generated (run deploy/webhook/generate.ts after a change)', () => {
    const checkedIn = readFileSync(join(PROJECT_ROOT, RECORDING_POLICY_MANIFEST_PATH), 'utf8');
    assert.equal(checkedIn, renderRecordingPolicyManifest());
  });
});

describe('MutatingWebhookConfiguration', () => {
  it('is checked in exactly as generated (run deploy/webhook/generate.ts after a change)', () => {
    const checkedIn = readFileSync(join(PROJECT_ROOT, WEBHOOK_MANIFEST_PATH), 'utf8');
    assert.equal(checkedIn, renderWebhookManifest());
  });

  it('never blocks pod creation and only sees pod CREATE in opted-in namespaces', () => {
    const manifest = parse(readFileSync(join(PROJECT_ROOT, WEBHOOK_MANIFEST_PATH), 'utf8')) as {
      webhooks: Record<string, unknown>[];
    };
    const webhook = manifest.webhooks[0];
    assert.ok(webhook);
    assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
    assert.equal(webhook.sideEffects, 'None');
    assert.equal(webhook.failurePolicy, 'Ignore');
    assert.equal(webhook.timeoutSeconds, 5);
    assert.equal(webhook.reinvocationPolicy, 'Never');
    assert.deepEqual(webhook.rules, [
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['pods'],
        scope: 'Namespaced',
      },
    ]);
    assert.deepEqual(webhook.namespaceSelector, {
      matchExpressions: [
        { key: 'furnace', operator: 'In', values: ['enabled'] },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['furnace', 'kube-system'] },
      ],
    });
    assert.deepEqual(webhook.matchConditions, [OPT_IN_MATCH_CONDITION]);
  });

  it('matches the label or the annotation against every opt-in value, ignoring case and blanks', () => {
    const cel = OPT_IN_MATCH_CONDITION.expression;
    for (const field of ['labels', 'annotations']) {
      assert.ok(cel.includes(`object.metadata.${field}['furnace'].trim().lowerAscii() in [`), field);
    }
    for (const value of OPT_IN_VALUES) assert.ok(cel.includes(`'${value}'`), value);
  });

  it('takes a URL and a PEM CA for local runs, and excludes the given Furnace namespace', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    const config = buildMutatingWebhookConfiguration({
      name: 'furnace-test',
      url: 'https://127.0.0.1:8443/mutate',
      caBundle: pem,
      furnaceNamespace: 'observability',
    });
    const webhook = config.webhooks?.[0];
    assert.equal(webhook?.clientConfig.url, 'https://127.0.0.1:8443/mutate');
    assert.equal(Buffer.from(webhook?.clientConfig.caBundle ?? '', 'base64').toString(), pem);
    assert.deepEqual(webhook?.namespaceSelector?.matchExpressions?.[1]?.values, [
      'observability',
      'kube-system',
    ]);
  });

  it('refuses both or neither of url and service', () => {
    const base = { name: 'x', caBundle: '', furnaceNamespace: 'furnace' };
    assert.throws(() => buildMutatingWebhookConfiguration(base), /url or service/);
    assert.throws(
      () =>
        buildMutatingWebhookConfiguration({
          ...base,
          url: 'https://a/mutate',
          service: { name: 'a', namespace: 'b' },
        }),
      /not both/,
    );
  });
});
