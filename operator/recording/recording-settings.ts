// How the Recording controller reaches the Furnace server, from the operator's environment (docs/operator.md
// lists the variables). Pure: read once at start-up (main.ts checks it before leader election) and by the
// controller when it starts; a bad value is a ConfigError naming the variable, its value and what is allowed.
import { ConfigError } from '../../core/config/config-error.ts';
import { isHttpUrl } from '../../core/config/config-values.ts';
import { SECRET_NAME_PATTERN } from '../../core/contract/recording-params.ts';
import { FURNACE_NAME, furnaceNames, userServiceUrl } from '../furnace/furnace-names.ts';

export const RECORDING_OPERATOR_ENV = {
  /** The server's user listener. */
  serverUrl: 'FURNACE_OPERATOR_SERVER_URL',
  /** PEM file of the CA that signs the server's certificate. */
  serverCaFile: 'FURNACE_OPERATOR_SERVER_CA_FILE',
  /** Without a CA file: `namespace/name` of the Secret whose `ca.crt` is that CA (the Furnace's TLS Secret). */
  serverCaSecret: 'FURNACE_OPERATOR_SERVER_CA_SECRET',
  /** The operator's service-account token, sent as its bearer token. */
  tokenPath: 'FURNACE_OPERATOR_TOKEN_PATH',
} as const;

export interface RecordingSettings {
  serverUrl: string;
  /** Read for every reconcile: the operator renews the CA. */
  serverCaFile?: string;
  serverCaSecret: { namespace: string; name: string };
  /** Unset: the in-cluster service-account token when there is one. */
  tokenPath?: string;
}

/** The user Service of the cluster's one Furnace, in the operator's namespace (operator/furnace/furnace-names.ts). */
export function defaultServerUrl(namespace: string): string {
  return userServiceUrl(furnaceNames(namespace, FURNACE_NAME));
}

/** The TLS Secret of that Furnace (the operator may read Secrets of its own namespace only). */
export function defaultServerCaSecret(namespace: string): string {
  return `${namespace}/${furnaceNames(namespace, FURNACE_NAME).tls}`;
}

type Env = Readonly<Record<string, string | undefined>>;
const E = RECORDING_OPERATOR_ENV;
/** A namespace's name: a DNS label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SECRET_NAME = new RegExp(SECRET_NAME_PATTERN);
const MAX_SECRET_NAME = 253;

/** `namespace/name` of a Secret, or undefined when the reference is not of that shape. */
function secretRef(ref: string): RecordingSettings['serverCaSecret'] | undefined {
  const [namespace = '', name = '', ...rest] = ref.split('/');
  const valid =
    rest.length === 0 &&
    NAMESPACE.test(namespace) &&
    SECRET_NAME.test(name) &&
    name.length <= MAX_SECRET_NAME;
  return valid ? { namespace, name } : undefined;
}

/** Throws a ConfigError for a URL that is not http(s) or a Secret that is not `namespace/name`. */
export function readRecordingSettings(env: Env, namespace: string): RecordingSettings {
  const serverUrl = env[E.serverUrl] || defaultServerUrl(namespace);
  if (!isHttpUrl(serverUrl))
    throw new ConfigError(E.serverUrl, serverUrl, 'an http(s) URL, e.g. https://localhost:8443', E.serverUrl);
  const ref = env[E.serverCaSecret] || defaultServerCaSecret(namespace);
  const serverCaSecret = secretRef(ref);
  if (!serverCaSecret)
    throw new ConfigError(
      E.serverCaSecret,
      ref,
      'namespace/name of a Secret (lower-case DNS names), e.g. furnace/furnace-tls',
      E.serverCaSecret,
    );
  const caFile = env[E.serverCaFile];
  const tokenPath = env[E.tokenPath];
  return {
    serverUrl,
    serverCaSecret,
    ...(caFile ? { serverCaFile: caFile } : {}),
    ...(tokenPath ? { tokenPath } : {}),
  };
}
