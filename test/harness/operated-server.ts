// The Furnace server as the operator configured it, run as a local process (there is no kubelet to run the
// server's Deployment): the certificate and key of the Secret the operator issued, `config.yaml` and
// `injection.yaml` of the ConfigMap it applied, the request-header CA it copied and the shared key of its
// Secret, with only the listen addresses and file paths changed. Starting it again on the same directory keeps the catalog, as the
// Deployment's PersistentVolumeClaim does when a new configuration restarts the server.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { startFurnace, type RunningProcess } from './processes.ts';

export interface Listener {
  host: string;
  port: number;
}

export interface OperatedServerOptions {
  /** The Furnace's namespace and name (its Secret is `<name>-tls`, its ConfigMap `<name>-config`). */
  namespace: string;
  name?: string;
  /** Where its files and catalog go; the same directory on a restart keeps the catalog. */
  dir: string;
  /** The user listener (UI, API, aggregated API), the recorder listener and the webhook listener. */
  user: Listener;
  recorder: Listener;
  webhook: Listener;
  /** The admin kubeconfig the server reviews tokens and reads pods with. */
  kubeconfigPath: string;
}

export interface OperatedServer {
  process: RunningProcess;
  /** The trust bundle (`ca.crt` of the TLS Secret): what sidecars, the API server and clients trust. */
  caPem: string;
  /** `config.yaml` and `injection.yaml` as the operator wrote them. */
  config: Record<string, unknown>;
  injection: Record<string, unknown>;
}

function text(data: Record<string, string> | undefined, key: string, base64 = false): string {
  const value = data?.[key] ?? '';
  return base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
}

async function readConfigMap(core: CoreV1Api, namespace: string, name: string) {
  return core.readNamespacedConfigMap({ namespace, name }).catch((): V1ConfigMap | undefined => undefined);
}

/** The shared key of the Secret `<name>-shared-key`, written to `path`, when the config names a key file. */
async function sharedKeyFile(
  core: CoreV1Api,
  options: OperatedServerOptions,
  config: Record<string, unknown>,
  path: string,
): Promise<Record<string, unknown>> {
  const security = config.security as Record<string, unknown> | undefined;
  if (security?.sharedKeyFile === undefined) return {};
  const name = `${options.name ?? 'furnace'}-shared-key`;
  const secret = await core.readNamespacedSecret({ namespace: options.namespace, name });
  await writeFile(path, text(secret.data, 'keys', true), { mode: 0o600 });
  return { security: { ...security, sharedKeyFile: path } };
}

/** Starts server/main.ts on what the operator made for the Furnace. */
export async function startOperatedServer(
  t: TestContext,
  kc: KubeConfig,
  options: OperatedServerOptions,
): Promise<OperatedServer> {
  const { namespace, dir } = options;
  const name = options.name ?? 'furnace';
  const core = kc.makeApiClient(CoreV1Api);
  const tls = await core.readNamespacedSecret({ namespace, name: `${name}-tls` });
  const configMap = await core.readNamespacedConfigMap({ namespace, name: `${name}-config` });
  const requestHeader = await readConfigMap(core, namespace, `${name}-request-header`);
  await mkdir(dir, { recursive: true });
  const file = (base: string) => join(dir, base);
  await writeFile(file('tls.crt'), text(tls.data, 'tls.crt', true));
  await writeFile(file('tls.key'), text(tls.data, 'tls.key', true), { mode: 0o600 });
  await writeFile(file('injection.yaml'), text(configMap.data, 'injection.yaml'));
  await writeFile(file('request-header-ca.crt'), text(requestHeader?.data, 'ca.crt'));
  const config = parse(text(configMap.data, 'config.yaml')) as Record<string, unknown>;
  const injection = parse(text(configMap.data, 'injection.yaml')) as Record<string, unknown>;
  const requestHeaderConfig = config.requestHeader as Record<string, unknown> | undefined;
  const security = await sharedKeyFile(core, options, config, file('shared-key'));
  const local = {
    ...config,
    ...security,
    ...(requestHeaderConfig
      ? { requestHeader: { ...requestHeaderConfig, clientCaFile: file('request-header-ca.crt') } }
      : {}),
    host: options.user.host,
    port: options.user.port,
    recorder: { host: options.recorder.host, port: options.recorder.port },
    webhook: { ...(config.webhook as object), ...options.webhook, configFile: file('injection.yaml') },
    tls: { certFile: file('tls.crt'), keyFile: file('tls.key') },
    dataDir: file('data'),
  };
  await writeFile(file('config.yaml'), stringify(local));
  const process = startFurnace(t, ['server/main.ts'], {
    FURNACE_CONFIG: file('config.yaml'),
    KUBECONFIG: options.kubeconfigPath,
  });
  return { process, caPem: text(tls.data, 'ca.crt', true), config, injection };
}
