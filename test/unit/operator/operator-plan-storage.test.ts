// spec.storage.s3 as the operator plans it: the server's own loader reads the planned storage.s3 keys,
// the credentials Secret is mounted at the files they name, and the server is granted the shared
// RecordingEntry objects only when a bucket is configured.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ClusterRole, V1Deployment } from '@kubernetes/client-node';
import { findPlanned, furnaceOf, loadPlannedConfig, planWith } from '../../harness/furnace-plan.ts';
import { S3_CREDENTIALS_DIR } from '../../../operator/furnace/plan-storage.ts';

const s3 = {
  bucket: 'furnace-catalog',
  endpoint: 'https://s3.example.com',
  prefix: 'prod/',
  secretName: 'furnace-s3',
  accessKeyIdKey: 'AWS_ACCESS_KEY_ID',
};

function entryRules(role: V1ClusterRole): string[] {
  return (role.rules ?? []).filter((r) => r.resources?.includes('recordingentries')).flatMap((r) => r.verbs);
}

describe('spec.storage.s3 in the operator plan', () => {
  it('configures the bucket and mounts the credentials Secret where the config names them', async () => {
    const objects = planWith(furnaceOf({ storage: { s3 } }, 1), { optedInNamespaces: [] });
    const { storage } = await loadPlannedConfig(objects);
    assert.deepEqual(storage.s3, {
      bucket: 'furnace-catalog',
      endpoint: 'https://s3.example.com',
      region: 'us-east-1',
      prefix: 'prod/',
      forcePathStyle: true,
      accessKeyIdFile: `${S3_CREDENTIALS_DIR}/access-key-id`,
      secretAccessKeyFile: `${S3_CREDENTIALS_DIR}/secret-access-key`,
    });
    const pod = findPlanned<V1Deployment>(objects, 'Deployment').spec?.template.spec;
    assert.deepEqual(pod?.volumes?.find((v) => v.name === 's3-credentials')?.secret, {
      secretName: 'furnace-s3',
      items: [
        { key: 'AWS_ACCESS_KEY_ID', path: 'access-key-id' },
        { key: 'secretAccessKey', path: 'secret-access-key' },
      ],
    });
    const mount = pod?.containers[0]?.volumeMounts?.find((m) => m.name === 's3-credentials');
    assert.deepEqual(mount, { name: 's3-credentials', mountPath: S3_CREDENTIALS_DIR, readOnly: true });
    const role = findPlanned<V1ClusterRole>(objects, 'ClusterRole');
    assert.deepEqual(entryRules(role), ['get', 'list', 'watch', 'create', 'update', 'delete']);
  });

  it('keeps spec: {} as it was: no storage key, no Secret, no RecordingEntry rights', async () => {
    const objects = planWith(furnaceOf({}, 1), { optedInNamespaces: [] });
    assert.deepEqual((await loadPlannedConfig(objects)).storage, {});
    const pod = findPlanned<V1Deployment>(objects, 'Deployment').spec?.template.spec;
    assert.equal(
      pod?.volumes?.some((v) => v.name === 's3-credentials'),
      false,
    );
    assert.deepEqual(entryRules(findPlanned<V1ClusterRole>(objects, 'ClusterRole')), []);
  });
});
