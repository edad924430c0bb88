// Uploads a finished recording to the server catalog: metadata first, then each artifact streamed from
// disk (essential ones first, upload-plan.ts); a file the catalog refuses is skipped, and the final status
// with the warnings that say so goes last.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ARTIFACT_CONTENT_TYPES, type ArtifactName } from '../../core/contract/names.ts';
import type { RecordingStatus } from '../../core/contract/recording.ts';
import type { HttpRequest, HttpSend } from '../server-link/http-client.ts';
import { backoffDelay } from '../../core/backoff.ts';
import { describeRefusal, isRefusal, tooLarge, uploadOrder } from './upload-plan.ts';
import { UPLOAD_FAILED } from './recording-machine.ts';

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
  /**
   * The catalog has this finished recording already (it was symbolized again): its files go first and the
   * status last, so the entry says they are new (its warnings) only once every new file is in.
   */
  again?: boolean;
}

export interface UploadResult {
  uploaded: ArtifactName[];
  /** Why each file that is not in the catalog was left out, in words for the user. */
  skipped: string[];
}

/** A final answer that is not a success and not worth retrying. */
class RefusedUpload extends Error {
  readonly status: number;
  readonly body: string;

  constructor(message: string, status: number, body: string) {
    super(message);
    this.status = status;
    this.body = body;
  }
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
  let last: Error = new Error('not sent');
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
      const what = `${request.method} ${new URL(request.url).pathname} answered ${response.status}: ${response.body.slice(0, 200)}`;
      last = new RefusedUpload(what, response.status, response.body);
      if (!retryable(response.status)) break;
    } catch (error) {
      last = error as Error;
    }
    if (attempt < attempts)
      await deps.sleep(backoffDelay(attempt, deps.random(), input.baseDelayMs ?? 500, 30_000));
  }
  throw last instanceof RefusedUpload ? last : new Error(last.message);
}

function putMetadata(deps: UploadDeps, input: UploadInput, metadata: RecordingStatus): Promise<void> {
  return sendWithRetry(deps, input, () =>
    Promise.resolve({
      method: 'PUT',
      url: recordingUrl(input),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(metadata),
      timeoutMs: 30_000,
    }),
  );
}

function recordingUrl(input: UploadInput): string {
  return `${input.serverUrl}/api/v1/recordings/${encodeURIComponent(input.metadata.id)}`;
}

/** Sends one artifact; undefined when the catalog took it, else why it was not kept (413, 507). */
async function putArtifact(
  deps: UploadDeps,
  input: UploadInput,
  name: ArtifactName,
): Promise<string | undefined> {
  const path = `${input.dir}/${name}`;
  const bytes = (await stat(path)).size;
  if (bytes > input.maxArtifactBytes)
    return tooLarge(name, bytes, input.maxArtifactBytes, 'maxArtifactBytes');
  try {
    await sendWithRetry(deps, input, () =>
      Promise.resolve({
        method: 'PUT',
        url: `${recordingUrl(input)}/artifacts/${encodeURIComponent(name)}`,
        headers: { 'content-type': ARTIFACT_CONTENT_TYPES[name], 'content-length': bytes },
        body: createReadStream(path),
        timeoutMs: 120_000,
      }),
    );
    return undefined;
  } catch (error) {
    if (error instanceof RefusedUpload && isRefusal(error.status))
      return describeRefusal(name, bytes, error.status, error.body);
    throw error;
  }
}

/**
 * PUTs the metadata, then each artifact, essential ones first; a file over the limit, or one the catalog
 * refuses (413, 507), is skipped and named, and the others still go. When any was skipped, the status is
 * PUT once more with those warnings and without those files, so the catalog entry says what is missing and
 * why, and lists nothing as still arriving.
 */
export async function uploadRecording(
  deps: UploadDeps,
  input: UploadInput,
  onProgress: (fraction: number) => void,
): Promise<UploadResult> {
  if (input.again !== true) await putMetadata(deps, input, input.metadata);
  const result: UploadResult = { uploaded: [], skipped: [] };
  const names = uploadOrder(input.artifacts);
  const left = new Set<ArtifactName>();
  for (const [index, name] of names.entries()) {
    const refusal = await putArtifact(deps, input, name);
    if (refusal === undefined) result.uploaded.push(name);
    else {
      result.skipped.push(refusal);
      left.add(name);
    }
    onProgress((index + 1) / names.length);
  }
  if (result.skipped.length === 0 && input.again === true) await putMetadata(deps, input, input.metadata);
  if (result.skipped.length > 0) {
    // The status schema takes 50 warnings: room is kept for the upload's own.
    const earlier = (input.metadata.warnings ?? []).slice(0, Math.max(0, 50 - result.skipped.length));
    const warnings = [...earlier, ...result.skipped].slice(0, 50);
    // Without the files left out: the catalog then lists no file as still arriving.
    const artifacts = input.metadata.artifacts.filter((name) => !left.has(name));
    await putMetadata(deps, input, { ...input.metadata, artifacts, warnings });
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
  /** Tries per request (5; 2 for a failed recording's metadata); 1 while the recorder is stopping. */
  attempts?: number;
  /** Sent again after it was symbolized again: files first, status last (UploadInput.again). */
  again?: boolean;
}

/**
 * Uploads a recording as the catalog should keep it: a done one with every artifact, a failed one with
 * its metadata only (so the catalog shows the error). Returns whether the catalog has it, and warnings,
 * instead of throwing.
 */
export async function uploadFinishedRecording(
  deps: UploadDeps,
  config: FinishedUploadConfig,
  recording: { status: RecordingStatus; dir: string; outcome: 'done' | 'failed' },
  onProgress: (fraction: number) => void,
): Promise<{ delivered: boolean; warnings: string[] }> {
  const { status, dir, outcome } = recording;
  const final =
    outcome === 'done'
      ? // When it ended is the recording's own (the end of sampling), not the time of this attempt: an
        // upload sent again after the server came back must not stretch its duration.
        { state: 'done' as const, progress: 1, endedAt: status.endedAt ?? config.now.toISOString() }
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
        attempts: config.attempts ?? (outcome === 'done' ? 5 : 2),
        maxArtifactBytes: config.limits.maxArtifactBytes,
        ...(config.again === true ? { again: true } : {}),
      },
      onProgress,
    );
    return { delivered: true, warnings: result.skipped };
  } catch (error) {
    return { delivered: false, warnings: [`${UPLOAD_FAILED}: ${(error as Error).message}`] };
  }
}
