// Finished recordings put into a running server's catalog the way a sidecar puts them there (register
// with local mode's secret, PUT the final status, PUT each artifact with the upload token), without
// running perf: for tests of what happens after the catalog has a recording (sinks, retention).
import type { RecordingStatus } from '../../core/contract/recording.ts';
import { DEFAULT_PARAMS, type RecordingParams } from '../../core/contract/recording-params.ts';
import { exportProfile } from '../../core/export/profile-exports.ts';
import { formatFolded, parseFolded, totalSamples } from '../../core/stacks/folded.ts';

export interface RecorderLink {
  recorderUrl: string;
  uploadToken: string;
}

/** Registers as local mode's sidecar (the pod is the server's host name, namespace `local`). */
export async function registerRecorder(recorderUrl: string, secret: string): Promise<RecorderLink> {
  const response = await fetch(`${recorderUrl}/api/v1/sidecars`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ port: 1 }),
  });
  if (!response.ok) throw new Error(`registration answered ${response.status}: ${await response.text()}`);
  const { uploadToken } = (await response.json()) as { uploadToken: string };
  return { recorderUrl, uploadToken };
}

export interface FinishedRecording {
  id: string;
  folded: string;
  startedAt: string;
  durationSeconds: number;
  params?: Partial<RecordingParams>;
}

async function put(link: RecorderLink, path: string, body: string | Buffer, type: string): Promise<void> {
  const response = await fetch(`${link.recorderUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${link.uploadToken}`, 'content-type': type },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  if (!response.ok) throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
}

/** The final status, then stacks.folded, profile.pb.gz and profile.otlp.pb, as the sidecar uploads them. */
export async function uploadFinished(
  link: RecorderLink,
  recording: FinishedRecording,
  pod: string,
): Promise<void> {
  const stacks = parseFolded(recording.folded);
  const params = { ...DEFAULT_PARAMS, durationSeconds: recording.durationSeconds, ...recording.params };
  const endedAt = new Date(Date.parse(recording.startedAt) + recording.durationSeconds * 1000).toISOString();
  const artifacts = ['stacks.folded', 'profile.pb.gz', 'profile.otlp.pb'] as const;
  const status: RecordingStatus = {
    id: recording.id,
    state: 'done',
    stage: 'upload',
    progress: 1,
    params,
    profiler: 'perf',
    targets: [],
    startedAt: recording.startedAt,
    endedAt,
    artifacts: [...artifacts],
    samples: totalSamples(stacks),
  };
  await put(link, `/api/v1/recordings/${recording.id}`, JSON.stringify(status), 'application/json');
  const meta = {
    frequency: params.frequency,
    startedAtMs: Date.parse(recording.startedAt),
    durationMs: recording.durationSeconds * 1000,
    subject: { namespace: 'local', pod },
  };
  const base = `/api/v1/recordings/${recording.id}/artifacts`;
  await put(link, `${base}/stacks.folded`, formatFolded(stacks), 'text/plain');
  for (const name of ['profile.pb.gz', 'profile.otlp.pb'] as const)
    await put(link, `${base}/${name}`, exportProfile(name, stacks, meta), 'application/octet-stream');
}
