// A real S3 server for tests: the Versity S3 Gateway (versitygw) with its POSIX backend, built from Go
// modules by build-s3-server.sh and cached by version. Each call starts one on a loopback port over a
// fresh directory with fresh root credentials, creates a bucket, and stops it by PID when the test ends.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from './child-processes.ts';
import { eventually } from './eventually.ts';
import { freePort } from './ports.ts';
import { startProcess, type RunningProcess } from './processes.ts';
import { tempDir } from './temp-dirs.ts';

export interface S3Server {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Files holding the credentials, as a mounted Secret would (one value per file). */
  accessKeyFile: string;
  secretKeyFile: string;
  /** The gateway's root directory: one subdirectory per bucket, one file per object. */
  rootDir: string;
  process: RunningProcess;
  /** A client with the root credentials, path-style, for checks a test makes behind Furnace's back. */
  client(): S3Client;
}

const REGION = 'us-east-1';

/** The directory that holds the versitygw binary: $FURNACE_TEST_S3_BIN_DIR, else built (or found cached). */
export function s3BinDir(): string {
  const fromEnv = process.env.FURNACE_TEST_S3_BIN_DIR;
  if (fromEnv) return fromEnv;
  const script = join(import.meta.dirname, 'build-s3-server.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return out.trim().split('\n').at(-1) ?? '';
}

async function waitForGateway(endpoint: string, server: RunningProcess): Promise<void> {
  await eventually(
    async () => {
      if (server.child.exitCode !== null) throw new Error(`versitygw exited: ${server.output()}`);
      // Any HTTP answer (an anonymous request is refused with 403) means it is listening.
      const res = await fetch(endpoint);
      await res.arrayBuffer();
      return true;
    },
    30_000,
    `versitygw on ${endpoint}`,
  );
}

/** Starts versitygw for the length of the test, with one empty bucket named `bucket`. */
export async function startS3Server(
  t: Pick<TestContext, 'after'>,
  bucket = 'furnace-test',
): Promise<S3Server> {
  const binary = join(s3BinDir(), 'versitygw');
  const dir = await tempDir(t, 'furnace-s3-');
  const rootDir = join(dir, 'root');
  await mkdir(rootDir);
  const accessKeyId = `furnace${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const accessKeyFile = join(dir, 'access-key-id');
  const secretKeyFile = join(dir, 'secret-access-key');
  await writeFile(accessKeyFile, accessKeyId, { mode: 0o600 });
  await writeFile(secretKeyFile, secretAccessKey, { mode: 0o600 });
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  // Credentials through the environment, not argv, so they do not show in `ps`.
  const server = startProcess(t, binary, ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', rootDir], {
    cleanEnv: true,
    env: { ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey, VGW_REGION: REGION },
  });
  await waitForGateway(endpoint, server);
  const client = (): S3Client =>
    new S3Client({
      endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
  const admin = client();
  try {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    admin.destroy();
  }
  return {
    endpoint,
    region: REGION,
    bucket,
    accessKeyId,
    secretAccessKey,
    accessKeyFile,
    secretKeyFile,
    rootDir,
    process: server,
    client,
  };
}
