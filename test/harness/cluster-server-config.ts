// A cluster-mode Furnace server's config on loopback: its three HTTPS listeners (users, recorders,
// webhook) on free ports, with fresh development certificates written next to the config file.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  generateDevCertificates,
  type DevCertificateOptions,
  type DevCertificates,
} from '../../server/webhook/tls.ts';
import { writeCertificateFiles } from './certificate-files.ts';
import { freePort } from './ports.ts';

export interface ClusterServerConfigOptions {
  /** The user listener's address (default 127.0.0.1); the recorder and webhook listeners stay on loopback. */
  host?: string;
  /** Names and addresses of the serving certificate beyond the development defaults. */
  certificates?: DevCertificateOptions;
  /** Top-level config entries besides listeners, TLS and data (agent, requestHeader, webhook: {enabled: false}). */
  extra?: Record<string, unknown>;
}

export interface ClusterServerConfig {
  /** Path of the written config.yaml (FURNACE_CONFIG). */
  configFile: string;
  port: number;
  recorderPort: number;
  webhookPort: number;
  certs: DevCertificates;
  /** The written ca.crt of certs. */
  caFile: string;
}

/** Writes dir/config.yaml (data under dir/data) and the certificates it names. */
export async function writeClusterServerConfig(
  dir: string,
  options: ClusterServerConfigOptions = {},
): Promise<ClusterServerConfig> {
  const certs = await generateDevCertificates(options.certificates);
  const { certFile, keyFile, caFile } = await writeCertificateFiles(dir, certs);
  const [port, recorderPort, webhookPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(dir, 'config.yaml');
  const config = {
    host: options.host ?? '127.0.0.1',
    port,
    recorder: { host: '127.0.0.1', port: recorderPort },
    dataDir: `${dir}/data`,
    tls: { certFile, keyFile },
    webhook: { host: '127.0.0.1', port: webhookPort },
    ...options.extra,
  };
  await writeFile(configFile, stringify(config));
  return { configFile, port, recorderPort, webhookPort, certs, caFile };
}
