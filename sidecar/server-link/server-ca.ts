// The CA the sidecar trusts for the server. FURNACE_SERVER_CA was frozen into the pod when it was admitted;
// FURNACE_SERVER_CA_FILE names a file from a ConfigMap the operator keeps current, so it wins whenever it
// holds a certificate, and is read again before every registration and upload: a rotated CA (published
// there as old + new during the rotation) is trusted without restarting the pod.
import { readFile } from 'node:fs/promises';

export interface ServerCaSources {
  serverCa?: string | undefined;
  serverCaFile?: string | undefined;
}

const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

/** A reader of the current CA; undefined means the system roots. */
export function serverCaReader(
  sources: ServerCaSources,
  readText: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): () => Promise<string | undefined> {
  const { serverCa, serverCaFile } = sources;
  return async () => {
    if (serverCaFile !== undefined) {
      // A missing file is the normal case before the operator publishes the ConfigMap (optional volume).
      const current = await readText(serverCaFile).catch(() => '');
      if (current.includes(PEM_CERTIFICATE)) return current;
    }
    return serverCa;
  };
}
