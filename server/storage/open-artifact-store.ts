// The artifact store a configuration asks for: `filesystem` under dataDir unless `storage.s3` is set. The
// bucket's modules (the AWS SDK, about a fifth of a server's start) load only when it is set.
import type { ArtifactStore } from './artifact-store.ts';
import { openFilesystemArtifacts } from './filesystem-artifacts.ts';
import type { StorageConfig } from './storage-config.ts';

export async function openArtifactStore(storage: StorageConfig, dataDir: string): Promise<ArtifactStore> {
  const { s3 } = storage;
  if (s3 === undefined) return openFilesystemArtifacts(dataDir);
  const [{ checkS3Credentials, createS3Client }, { createS3Artifacts }] = await Promise.all([
    import('./s3-client.ts'),
    import('./s3-artifacts.ts'),
  ]);
  await checkS3Credentials(s3);
  return createS3Artifacts(createS3Client(s3), { bucket: s3.bucket, prefix: s3.prefix });
}
