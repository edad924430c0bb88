// Uploads a finished recording to the server catalog: metadata first, then each artifact streamed from disk.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ARTIFACT_CONTENT_TYPES, type ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { HttpRequest, HttpSend } from '../server-link/http-client.ts';
import { backoffDelay } from '../../core/backoff.ts';

export interface UploadDeps {
  send: HttpSend;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** The current upload token from registration, read before every attempt (it may have been renewed). */
  token(): string | undefined;
  /** The CA to trust for the server, read before every attempt (server-ca.ts); else `ca` of the input. */
  readCa?(): Promise<string | undefined>;
}

export interface UploadInput {
  serverUrl: string;
  ca?: string;
  /** The status as the catalog should keep it; the server knows from the token which pod sent it. */
  metadata: RecordingStatus;
  dir: string;
  artifacts: readonly ArtifactName[];
  maxArtifactBytes: number;
  attempts?: number;
  baseDelayMs?: number;
}

export interface UploadResult {
  uploaded: ArtifactName[];
  skipped: string[];
}

function retryable(status: number): boolean {
  // 507: the catalog is full; trying again soon would not change that.
  return (status >= 500 && status !== 507) || status === 401 || status === 408 || status === 429;
}

async function sendWithRetry(
  deps: UploadDeps,
  input: UploadInput,
  build: () => Promise<HttpRequest>,
): Promise<void> {
  const attempts = input.attempts ?? 5;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const token = deps.token();
    try {
      if (token === undefined) throw new Error('not registered with the server yet');
      const request = await build();
      request.headers = { ...request.headers, authorization: `Bearer ${token}` };
      const ca = deps.readCa ? await deps.readCa() : input.ca;
      if (ca !== undefined) request.ca = ca;
      const response = await deps.send(request);
      if (response.status >= 200 && response.status < 300) return;
      last = `${request.method} ${new URL(request.url).pathname} answered ${response.status}: ${response.body.slice(0, 200)}`;
      if (!retryable(response.status)) break;
    } catch (error) {
      last = (error as Error).message;
    }
    if (attempt < attempts)
      await deps.sleep(backoffDelay(attempt, deps.random(), input.baseDelayMs ?? 500, 30_000));
  }
  throw new Error(last);
}

/** PUTs the metadata and then each artifact; an artifact over the size limit is skipped and named. */
export async function uploadRecording(
  deps: UploadDeps,
  input: UploadInput,
  onProgress: (fraction: number) => void,
): Promise<UploadResult> {
  const base = `${input.serverUrl}/api/v1/recordings/${encodeURIComponent(input.metadata.id)}`;
  await sendWithRetry(deps, input, () =>
    Promise.resolve({
      method: 'PUT',
      url: base,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input.metadata),
      timeoutMs: 30_000,
    }),
  );
  const result: UploadResult = { uploaded: [], skipped: [] };
  let index = 0;
  for (const name of input.artifacts) {
    index += 1;
    const path = `${input.dir}/${name}`;
    const bytes = (await stat(path)).size;
    if (bytes > input.maxArtifactBytes) {
      result.skipped.push(`${name} (${bytes} bytes, limit ${input.maxArtifactBytes})`);
      continue;
    }
    await sendWithRetry(deps, input, () =>
      Promise.resolve({
        method: 'PUT',
        url: `${base}/artifacts/${encodeURIComponent(name)}`,
        headers: { 'content-type': ARTIFACT_CONTENT_TYPES[name], 'content-length': bytes },
        body: createReadStream(path),
        timeoutMs: 120_000,
      }),
    );
    result.uploaded.push(name);
    onProgress(index / input.artifacts.length);
  }
  return result;
}

export interface FinishedUploadConfig {
  serverUrl: string;
  serverCa?: string | undefined;
  podNamespace: string;
  podName: string;
  limits: { maxArtifactBytes: number };
  now: Date;
}

/**
 * Uploads a recording as the catalog should keep it: a done one with every artifact, a failed one with
 * its metadata only (so the catalog shows the error). Returns warnings instead of throwing.
 */
export async function uploadFinishedRecording(
  deps: UploadDeps,
  config: FinishedUploadConfig,
  recording: { status: RecordingStatus; dir: string; outcome: 'done' | 'failed' },
  onProgress: (fraction: number) => void,
): Promise<string[]> {
  const { status, dir, outcome } = recording;
  const final =
    outcome === 'done'
      ? { state: 'done' as const, progress: 1, endedAt: config.now.toISOString() }
      : { artifacts: [] };
  try {
    const result = await uploadRecording(
      deps,
      {
        serverUrl: config.serverUrl,
        ...(config.serverCa === undefined ? {} : { ca: config.serverCa }),
        metadata: { ...status, ...final },
        dir,
        artifacts: outcome === 'done' ? status.artifacts : [],
        ...(outcome === 'done' ? {} : { attempts: 2 }),
        maxArtifactBytes: config.limits.maxArtifactBytes,
      },
      onProgress,
    );
    return result.skipped.map((skipped) => `not uploaded: ${skipped}`);
  } catch (error) {
    return [`upload to the server failed: ${(error as Error).message}`];
  }
}
