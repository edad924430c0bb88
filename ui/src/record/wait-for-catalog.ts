// A recording the sidecar calls done has finished its upload (the sidecar says done only after it): wait
// a moment for the catalog entry to be readable, then open it; whatever files it lacks, its page says why
// (the entry's warnings). When the catalog never got it, say so with the sidecar's warnings.
import type { CatalogEntry, RecordingStatus } from '../../../core/contract/recording.ts';
import { ApiError, apiPath, getJson } from '../api/client.ts';

const ATTEMPTS = 20;
const INTERVAL_MS = 500;

export async function waitForCatalog(status: RecordingStatus): Promise<CatalogEntry> {
  const id = status.id;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      return await getJson<CatalogEntry>(apiPath`/api/v1/recordings/${id}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
  const why = status.warnings?.length ? `: ${status.warnings.join('; ')}` : '';
  throw new ApiError(
    404,
    'ERR_NOT_IN_CATALOG',
    `Recording ${id} finished, but the catalog does not have it${why}`,
  );
}
