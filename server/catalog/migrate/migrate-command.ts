// `catalog migrate` of the server's entry (modules/server-commands.ts): moves a single-replica install's filesystem catalog into the bucket that
// `storage.s3` names, entries into RecordingEntry objects through the kubeconfig (what a server with a
// bucket reads). Settings come from the server's own config file (FURNACE_CONFIG, or --config) and
// environment, read by the server's own readers.
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { createKubeRequest } from '../../../kube/kube-request.ts';
import { createConfigReader } from '../../config/config-reader.ts';
import { readStorage } from '../../config/config-storage.ts';
import { SERVER_ENV } from '../../config/config.ts';
import { readConfigFile } from '../../config/load-config.ts';
import { readText } from '../../../core/config/config-values.ts';
import { openFilesystemArtifacts } from '../../storage/filesystem-artifacts.ts';
import { openArtifactStore } from '../../storage/open-artifact-store.ts';
import type { StorageConfig } from '../../storage/storage-config.ts';
import { createKubeEntries } from '../kube-entries.ts';
import { migrateCatalog, readFilesystemCatalog, type MigrationSummary } from './migrate-catalog.ts';

export interface MigrateIo {
  stdout: Writable;
  stderr: Writable;
}

const USAGE = `usage: node dist/server/main.js catalog migrate [--config FILE] [--data-dir DIR]
       (in the server's image: node dist/bundle/server.mjs catalog migrate …)

Copies every recording of the filesystem catalog under dataDir into the bucket of storage.s3, then its
entry into a RecordingEntry object (through the kubeconfig: KUBECONFIG, else the pod's service account).
Run it once with the server stopped, then start the server with the same config. A re-run skips what is
already there and finishes what a cut-short run left; the source is never changed.

  --config FILE     the server's config file (default: $FURNACE_CONFIG)
  --data-dir DIR    the catalog's directory (default: the config's dataDir, else /var/lib/furnace)
`;

interface MigrateSettings {
  dataDir: string;
  storage: StorageConfig;
}

async function readSettings(
  configPath: string | undefined,
  dataDir: string | undefined,
  env: Record<string, string | undefined>,
): Promise<MigrateSettings> {
  const file = configPath ? await readConfigFile(configPath, '--config', undefined) : undefined;
  const reader = createConfigReader(file, env);
  return {
    dataDir: dataDir ?? readText(reader.get('dataDir', SERVER_ENV.dataDir), '/var/lib/furnace'),
    storage: readStorage(reader),
  };
}

function summaryLine(summary: MigrationSummary): string {
  const mib = (summary.bytes / 1024 / 1024).toFixed(1);
  return (
    `migrated ${summary.copied} of ${summary.recordings} recordings (${summary.skipped} already in the bucket), ` +
    `${summary.artifacts} artifacts, ${summary.bytes} bytes (${mib} MiB)\n`
  );
}

async function migrate(settings: MigrateSettings, io: MigrateIo): Promise<number> {
  const { s3 } = settings.storage;
  if (s3 === undefined) {
    io.stderr.write(
      'furnace catalog migrate: storage.s3.bucket is not set: the bucket to move the catalog into comes from ' +
        'the server config (storage.s3.bucket, storage.s3.endpoint, ...), as the server reads it\n',
    );
    return 2;
  }
  const { records, unreadable } = await readFilesystemCatalog(settings.dataDir, Date.now());
  for (const what of unreadable)
    io.stderr.write(`furnace catalog migrate: not an entry, left as is: ${what}\n`);
  io.stdout.write(`${records.length} recordings in ${settings.dataDir} → s3://${s3.bucket}/${s3.prefix}\n`);
  const kc = new KubeConfig();
  kc.loadFromDefault();
  const entries = createKubeEntries({
    request: createKubeRequest(kc),
    makeWatch: () => new Watch(kc),
    log: { warn: (_fields, message) => io.stderr.write(`furnace catalog migrate: ${message}\n`) },
  });
  const from = await openFilesystemArtifacts(settings.dataDir);
  const to = await openArtifactStore(settings.storage, settings.dataDir);
  try {
    const say = (line: string): boolean => io.stdout.write(`${line}\n`);
    io.stdout.write(summaryLine(await migrateCatalog({ records, from, to, entries, say })));
    return 0;
  } finally {
    to.close();
    from.close();
    await entries.stop();
  }
}

export async function run(
  argv: string[],
  io: MigrateIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (err) {
    io.stderr.write(`furnace catalog: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'migrate') {
    io.stderr.write(`furnace catalog: the one subcommand is 'migrate'\n${USAGE}`);
    return 2;
  }
  try {
    const settings = await readSettings(values.config ?? env[SERVER_ENV.config], values['data-dir'], env);
    return await migrate(settings, io);
  } catch (err) {
    io.stderr.write(`furnace catalog migrate: ${(err as Error).message}\n`);
    return 1;
  }
}
