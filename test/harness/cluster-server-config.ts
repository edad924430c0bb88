// A cluster-mode Furnace server's config on loopback: its three HTTPS listeners (users, recorders,
// webhook) on free ports, with fresh development certificates written next to the config file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateDevCertificates, type DevCertificates } from '../../server/webhook/tls.ts';
import { writeCertificateFiles } from './certificate-files.ts';
import { freePort } from './ports.ts';

export interface ClusterServerConfig {
  /** Path of the written config.yaml (FURNACE_CONFIG). */
  configFile: string;
  port: number;
  recorderPort: number;
  webhookPort: number;
  certs: DevCertificates;
}

/** Writes dir/config.yaml (data under dir/data) and the certificates it names. */
export async function writeClusterServerConfig(dir: string): Promise<ClusterServerConfig> {
  const certs = await generateDevCertificates();
  const { certFile, keyFile } = await writeCertificateFiles(dir, certs);
  const [port, recorderPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(dir, 'config.yaml');
  await writeFile(
    configFile,
    `host: 127.0.0.1\nport: ${port}\nrecorder:\n  host: 127.0.0.1\n  port: ${recorderPort}\ndataDir: ${dir}/data\ntls:\n  certFile: ${certFile}\n  keyFile: ${keyFile}\nwebhook:\n  host: 127.0.0.1\n  port: ${webhookPort}\n`,
  );
  return { configFile, port, recorderPort, webhookPort, certs };
}
