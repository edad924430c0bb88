// What a node agent may touch for one proxied request: the pod (namespace, name, UID) and its containers
// (name, runtime container ID, image), and for a start the upload token the catalog accepts for that one
// recording. The server writes it, from the Pod object it read itself, into AGENT_SCOPE_HEADER; the agent
// believes the header only on a request that carries the server's proxy token. Whatever a caller sends in
// that header is dropped by the proxy before the server writes its own. One contract for both sides.
import { FurnaceError } from './errors.ts';

/** The request header that carries the scope from the server's proxy to the agent (base64url JSON). */
export const AGENT_SCOPE_HEADER = 'x-furnace-scope';

export interface ScopeContainer {
  name: string;
  /** The runtime's container ID (64 hex digits), from `status.containerStatuses[].containerID`. */
  id: string;
  image: string;
}

export interface AgentScope {
  namespace: string;
  pod: string;
  podUid: string;
  containers: ScopeContainer[];
  /** Start requests only: the token the catalog accepts for uploads of the recording this start makes. */
  uploadToken?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const UID = /^[0-9a-fA-F-]{1,64}$/;
const CONTAINER_ID = /^[0-9a-f]{64}$/;
const MAX_CONTAINERS = 256;
/** A signed upload grant names the pod and the node (server/registry/upload-grants.ts): under 1 KiB for names of any length. */
const MAX_UPLOAD_TOKEN = 1024;

export function encodeAgentScope(scope: AgentScope): string {
  return Buffer.from(JSON.stringify(scope), 'utf8').toString('base64url');
}

function refuse(reason: string): FurnaceError {
  return new FurnaceError('ERR_INVALID_PARAMETER', `${AGENT_SCOPE_HEADER} is invalid: ${reason}`, {
    field: AGENT_SCOPE_HEADER,
  });
}

function isText(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}

function readContainer(value: unknown): ScopeContainer {
  const { name, id, image } = (value ?? {}) as Record<string, unknown>;
  if (!isText(name, NAME) || !isText(id, CONTAINER_ID) || typeof image !== 'string' || image.length > 1024)
    throw refuse('each container needs a name, a 64-hex-digit id and an image');
  return { name, id, image };
}

/** The scope of a header value, checked field by field; a FurnaceError (400) when anything is off. */
export function decodeAgentScope(header: string | string[] | undefined): AgentScope {
  if (typeof header !== 'string' || header === '') throw refuse('missing: call the agent through the server');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not base64url JSON');
  }
  const { namespace, pod, podUid, containers, uploadToken } = (value ?? {}) as Record<string, unknown>;
  if (!isText(namespace, NAME) || !isText(pod, NAME)) throw refuse('namespace and pod must be names');
  if (!isText(podUid, UID)) throw refuse('podUid must be a UID');
  if (!Array.isArray(containers) || containers.length > MAX_CONTAINERS)
    throw refuse(`containers must be a list of at most ${MAX_CONTAINERS}`);
  if (uploadToken !== undefined && (typeof uploadToken !== 'string' || uploadToken.length > MAX_UPLOAD_TOKEN))
    throw refuse('uploadToken must be a string');
  const scope: AgentScope = { namespace, pod, podUid, containers: containers.map(readContainer) };
  if (uploadToken !== undefined) scope.uploadToken = uploadToken;
  return scope;
}
