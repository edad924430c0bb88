// The Furnace spec's sinks as the server reads them (`sinks`, docs/server.md "Sinks"), and the Secret
// volumes their files come from: each sink's Secret is mounted at /etc/furnace/sinks/<name>/, and the
// spec's `*Key` fields become paths of files in it. No secret value passes through the operator.
import type { V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { FurnaceSink } from '../../core/crd/resources.ts';

export const SINKS_DIR = '/etc/furnace/sinks';

function fileOf(sink: FurnaceSink, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${SINKS_DIR}/${sink.name}/${key}`;
}

function defined(values: Record<string, string | undefined>): Record<string, string> | undefined {
  const out = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** One sink of the server's config: the spec's fields, with file paths for its Secret's entries. */
function serverSink(sink: FurnaceSink): Record<string, unknown> {
  const { secretName: _secret, tls: specTls, credentials: specCredentials, ...plain } = sink;
  const tls = defined({
    caFile: fileOf(sink, specTls?.caKey),
    certFile: fileOf(sink, specTls?.certKey),
    keyFile: fileOf(sink, specTls?.keyKey),
    serverName: specTls?.serverName,
  });
  const credentials = defined({
    bearerTokenFile: fileOf(sink, specCredentials?.bearerTokenKey),
    usernameFile: fileOf(sink, specCredentials?.usernameKey),
    passwordFile: fileOf(sink, specCredentials?.passwordKey),
  });
  return { ...plain, ...(tls ? { tls } : {}), ...(credentials ? { credentials } : {}) };
}

export function serverSinks(sinks: readonly FurnaceSink[] | undefined): Record<string, unknown>[] {
  return (sinks ?? []).map(serverSink);
}

/** The Secret volume and mount of each sink that has a Secret (volume names by index: a name may be 63 long). */
export function sinkVolumes(sinks: readonly FurnaceSink[] | undefined): {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
} {
  const withSecret = (sinks ?? []).flatMap((sink, index) =>
    sink.secretName ? [{ sink, index, secretName: sink.secretName }] : [],
  );
  return {
    volumes: withSecret.map(({ index, secretName }) => ({ name: `sink-${index}`, secret: { secretName } })),
    mounts: withSecret.map(({ sink, index }) => ({
      name: `sink-${index}`,
      mountPath: `${SINKS_DIR}/${sink.name}`,
      readOnly: true,
    })),
  };
}
