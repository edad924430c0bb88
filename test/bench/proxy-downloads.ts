// The proxy benchmark's large-transfer part: a 200 MB artifact through the proxy route, uploaded into
// the catalog over the recorder listener and downloaded from it, with the server's peak RSS.
import { createReadStream } from 'node:fs';
import { Agent, request } from 'node:http';
import { rssKiB } from '../harness/process-usage.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { call } from './http-load.ts';

export const ARTIFACT_BYTES = 200 * 1024 * 1024;

const fmt = (n: number, digits = 2): string => n.toFixed(digits);

async function download(
  port: number,
  path: string,
  serverPid: number,
  headers: Record<string, string>,
): Promise<{ mbps: number; bytes: number; rssBeforeMiB: number; rssPeakMiB: number }> {
  const before = await rssKiB(serverPid);
  let peak = before;
  const sampler = setInterval(() => void rssKiB(serverPid).then((kib) => (peak = Math.max(peak, kib))), 25);
  const start = performance.now();
  const bytes = await new Promise<number>((done, fail) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let total = 0;
      res.on('data', (chunk: Buffer) => (total += chunk.length));
      res.on('end', () => done(total));
    });
    req.on('error', fail);
    req.end();
  });
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, await rssKiB(serverPid));
  return { mbps: bytes / 1024 / 1024 / seconds, bytes, rssBeforeMiB: before / 1024, rssPeakMiB: peak / 1024 };
}

async function upload(port: number, path: string, token: string, file: string): Promise<number> {
  return new Promise((done, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'content-length': ARTIFACT_BYTES,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
      },
    );
    req.on('error', fail);
    createReadStream(file).pipe(req);
  });
}

export interface DownloadSetup {
  port: number;
  recorderPort: number;
  pod: string;
  serverPid: number;
  uploadToken: string;
  artifact: string;
  /** Local mode's key as a header. */
  keyed: Record<string, string>;
}

/** A 200 MB artifact through the proxy, then uploaded into the catalog and downloaded from it. */
export async function measureDownloads({
  port,
  recorderPort,
  pod,
  serverPid,
  uploadToken,
  artifact,
  keyed,
}: DownloadSetup): Promise<void> {
  const agent = new Agent();
  const viaProxy = await download(
    port,
    `/proxy/local/${pod}/recordings/x/artifacts/perf.data`,
    serverPid,
    keyed,
  );
  console.log(
    `200 MB through the proxy: ${fmt(viaProxy.mbps, 0)} MiB/s; server RSS ${fmt(viaProxy.rssBeforeMiB, 0)} → peak ${fmt(viaProxy.rssPeakMiB, 0)} MiB (growth ${fmt(viaProxy.rssPeakMiB - viaProxy.rssBeforeMiB, 0)} MiB, target ≤ 50)`,
  );

  const meta = finishedRecordingStatus('bench-1', {
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    artifacts: ['perf.data'],
  });
  // Uploads are the recorder listener's (sidecars never reach the user listener).
  await call(
    agent,
    recorderPort,
    'PUT',
    '/api/v1/recordings/bench-1',
    { authorization: `Bearer ${uploadToken}`, 'content-type': 'application/json' },
    JSON.stringify(meta),
  );
  const uploadStart = performance.now();
  const uploaded = await upload(
    recorderPort,
    '/api/v1/recordings/bench-1/artifacts/perf.data',
    uploadToken,
    artifact,
  );
  const uploadMbps = ARTIFACT_BYTES / 1024 / 1024 / ((performance.now() - uploadStart) / 1000);
  console.log(`200 MB upload into the catalog: status ${uploaded}, ${fmt(uploadMbps, 0)} MiB/s`);
  const fromCatalog = await download(
    port,
    '/api/v1/recordings/bench-1/artifacts/perf.data',
    serverPid,
    keyed,
  );
  console.log(
    `200 MB from the catalog: ${fmt(fromCatalog.mbps, 0)} MiB/s; server RSS ${fmt(fromCatalog.rssBeforeMiB, 0)} → peak ${fmt(fromCatalog.rssPeakMiB, 0)} MiB (growth ${fmt(fromCatalog.rssPeakMiB - fromCatalog.rssBeforeMiB, 0)} MiB)`,
  );
  if (viaProxy.bytes !== ARTIFACT_BYTES || fromCatalog.bytes !== ARTIFACT_BYTES)
    throw new Error('a download came back short');
}
