// A finished recording reaches the catalog a moment after the sidecar says done: wait (up to a minute)
// until the catalog has the artifact the recording page draws, or says the recording failed.
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import { ApiError, apiPath, getJson } from '../api/client.ts';
import { awaitedArtifact } from './start-request.ts';

const ATTEMPTS = 120;
const INTERVAL_MS = 500;

export async function waitForCatalog(status: RecordingStatus): Promise<void> {
  const id = status.id;
  const awaited = awaitedArtifact(status);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      const entry = await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`);
      if (entry.artifacts.some((a) => a.name === awaited) || entry.state === 'failed') return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}
