// npm run bench:download — an artifact download through a server replica from the `s3` store against the
// same object fetched straight from the S3 server (versitygw), in one run: a 64 MiB object, rounds
// interleaved (replica, direct, replica, …) so load on the machine falls on both alike. Prints MiB/s of
// each round, the medians, their ratio (target ≥ 0.7×) and the machine with its load.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import { openCatalog } from '../../server/catalog/catalog-store.ts';
import { DEFAULT_RETENTION } from '../../server/catalog/retention.ts';
import { createS3Client } from '../../server/storage/s3-client.ts';
import { createS3Artifacts } from '../../server/storage/s3-artifacts.ts';
import { s3StorageOf } from '../harness/catalog-stores.ts';
import { startLocalServer } from '../harness/local-server.ts';
import { finishedRecordingStatus } from '../harness/recording-status.ts';
import { startS3Server } from '../harness/s3-server.ts';
import { tempDir } from '../harness/temp-dirs.ts';
import { runBench } from './bench-kit.ts';
import { median } from './machine.ts';

const OBJECT_BYTES = Number(process.env.BENCH_DOWNLOAD_MIB ?? 64) * 1024 * 1024;
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 6);
const ID = 'bench-download';
const PREFIX = 'bench/';
const MIB = 1024 * 1024;

/** Bytes of a stream and the seconds it took to read them all. */
async function drain(body: Readable, start: number): Promise<{ bytes: number; seconds: number }> {
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return { bytes, seconds: (performance.now() - start) / 1000 };
}

function throughReplica(
  url: string,
  headers: Record<string, string>,
): Promise<{ bytes: number; seconds: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode}`));
      drain(res, start).then(resolve, reject);
    });
    req.on('error', reject);
    req.end();
  });
}

await runBench('bench:download', async ({ t }) => {
  const s3 = await startS3Server(t);
  const dir = await tempDir(t, 'furnace-bench-download-');
  const dataDir = join(dir, 'data');
  const storage = s3StorageOf(s3, PREFIX);
  const artifacts = createS3Artifacts(createS3Client(storage), storage);
  const catalog = await openCatalog({ dataDir, now: Date.now, retention: DEFAULT_RETENTION, artifacts });
  const now = new Date().toISOString();
  const owner = { namespace: 'local', pod: 'bench', podUid: 'uid-bench' };
  await catalog.putMetadata(
    finishedRecordingStatus(ID, { startedAt: now, endedAt: now, artifacts: ['perf.data'] }),
    owner,
  );
  await catalog.putArtifact(ID, 'perf.data', Readable.from([randomBytes(OBJECT_BYTES)]), {
    owner,
    maxBytes: 2 * OBJECT_BYTES,
  });
  await catalog.close();
  const stored = JSON.parse(await readFile(join(dataDir, 'recordings', ID, 'recording.json'), 'utf8')) as {
    objects?: Record<string, string>;
  };
  const key = stored.objects?.['perf.data'];
  artifacts.close();
  if (key === undefined) throw new Error('the catalog named no object for perf.data');

  const configFile = join(dir, 'config.yaml');
  await writeFile(configFile, stringify({ storage: { s3: storage } }));
  const server = await startLocalServer(t, {
    localSidecar: false,
    env: { FURNACE_CONFIG: configFile, FURNACE_DATA_DIR: dataDir },
  });
  const url = `${server.baseUrl}/api/v1/recordings/${ID}/artifacts/perf.data`;
  const direct = s3.client();
  const straight = async (): Promise<{ bytes: number; seconds: number }> => {
    const start = performance.now();
    const answer = await direct.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return drain(answer.Body as Readable, start);
  };
  process.stdout.write(`object: ${OBJECT_BYTES / MIB} MiB, ${ROUNDS} rounds each, interleaved\n`);
  await throughReplica(url, server.headers);
  await straight();
  const replica: number[] = [];
  const bucket: number[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [name, fetchOnce, into] of [
      ['replica', () => throughReplica(url, server.headers), replica],
      ['direct ', straight, bucket],
    ] as const) {
      const { bytes, seconds } = await fetchOnce();
      if (bytes !== OBJECT_BYTES) throw new Error(`${name}: ${bytes} bytes, expected ${OBJECT_BYTES}`);
      into.push(bytes / MIB / seconds);
      process.stdout.write(`round ${round} ${name}: ${(bytes / MIB / seconds).toFixed(0)} MiB/s\n`);
    }
  }
  const [viaReplica, straightMedian] = [median(replica), median(bucket)];
  process.stdout.write(
    `median: through a replica ${viaReplica.toFixed(0)} MiB/s, straight from versitygw ${straightMedian.toFixed(0)} MiB/s, ` +
      `ratio ${(viaReplica / straightMedian).toFixed(2)}× (target ≥ 0.7×)\n`,
  );
});
