// A container registry for image tests: Debian's docker-registry on a loopback port with htpasswd basic
// auth, over HTTP or, given a certificate, HTTPS; stopped by PID after the test.
import { writeFile } from 'node:fs/promises';
import type { TestContext } from 'node:test';
import { eventually } from './eventually.ts';
import { httpsCall } from './http.ts';
import { freePort } from './ports.ts';
import { run, startProcess } from './processes.ts';

export const USER = 'furnace';
export const PASSWORD = 'pull-secret-password';

/** The registry's serving certificate and key (paths) and the CA that signed it (PEM). */
export interface RegistryTls {
  certPath: string;
  keyPath: string;
  ca: string;
}

/**
 * Starts the registry in dir; returns its `host:port`. `host` is the address it listens on: loopback, or a
 * test node's bridge address for pods to reach. With tls it serves HTTPS only.
 */
export async function startRegistry(
  t: Pick<TestContext, 'after'>,
  dir: string,
  host = '127.0.0.1',
  tls?: RegistryTls,
): Promise<string> {
  const port = await freePort();
  const { stdout } = await run('htpasswd', ['-Bbn', USER, PASSWORD]);
  await writeFile(`${dir}/htpasswd`, stdout);
  await writeFile(
    `${dir}/registry.yml`,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${dir}/registry-data } }`,
      tls
        ? `http: { addr: "${host}:${port}", tls: { certificate: ${tls.certPath}, key: ${tls.keyPath} } }`
        : `http: { addr: "${host}:${port}" }`,
      `auth: { htpasswd: { realm: furnace-test, path: ${dir}/htpasswd } }`,
      '',
    ].join('\n'),
  );
  startProcess(t, 'docker-registry', ['serve', `${dir}/registry.yml`]);
  const status = async (url: string) =>
    tls ? (await httpsCall(url, tls.ca)).status : (await fetch(url)).status;
  await eventually(
    async () =>
      (await status(`${tls ? 'https' : 'http'}://${host}:${port}/v2/`)) === 401 ? true : undefined,
    30_000,
    'the registry to ask for credentials',
  );
  return `${host}:${port}`;
}

/** Starts the registry in dir and names an image in it that no earlier run pushed. */
export async function startRegistryWithImage(t: TestContext, dir: string, name: string) {
  const registry = await startRegistry(t, dir);
  return { registry, image: `${registry}/furnace-test/${name}:${Date.now()}` };
}

/** The `.dockerconfigjson` of a pull secret for the registry. */
export function dockerConfigJson(registry: string): string {
  return JSON.stringify({
    auths: { [registry]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } },
  });
}

/**
 * Makes an image of the files under rootfs (its tar goes to dir) and pushes it to the registry, keeping
 * no local copy, so that a sidecar has to pull it; removed after the test.
 */
export async function pushRootfsImage(t: TestContext, dir: string, rootfs: string, image: string) {
  await run('tar', ['-C', rootfs, '-cf', `${dir}/rootfs.tar`, '.']);
  await run('podman', ['import', `${dir}/rootfs.tar`, image]);
  await run('podman', ['push', '--quiet', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, image]);
  await run('podman', ['rmi', image]);
  t.after(() => run('podman', ['rmi', '--ignore', image]));
}
