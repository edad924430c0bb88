// Kubeconfig files of the test cluster for one user, as a person keeps them for kubectl and kubectl
// plugins: a bearer token (a service account's `kubectl create token`) or a client certificate.
import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ControlPlane } from './control-plane.ts';

export interface KubeconfigUser {
  token?: string;
  certPem?: string;
  keyPem?: string;
}

/** Writes a kubeconfig (mode 0600) of the cluster for the user; answers its path. */
export async function writeKubeconfig(cp: ControlPlane, path: string, user: KubeconfigUser): Promise<string> {
  const config = new KubeConfig();
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  config.loadFromOptions({
    clusters: [{ name: 'test', server: cp.url, caData: b64(cp.caPem) }],
    users: [
      {
        name: 'user',
        ...(user.token ? { token: user.token } : {}),
        ...(user.certPem && user.keyPem ? { certData: b64(user.certPem), keyData: b64(user.keyPem) } : {}),
      },
    ],
    contexts: [{ name: 'test', cluster: 'test', user: 'user' }],
    currentContext: 'test',
  });
  await writeFile(path, config.exportConfig(), { mode: 0o600 });
  return path;
}
