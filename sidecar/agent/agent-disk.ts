// What the node agent keeps on its disk beside each pod's recordings, so that a restarted agent can finish
// and deliver them (recorders.ts, AgentRecorders.recover): the pod's scope (`scope.json` in the pod's
// directory: names, UID, containers; never a token) and each recording's upload grant (`upload-grant` in
// the recording's directory, mode 0600). Both are written whole through a temporary file renamed over
// the old one, so a crash leaves the old or the new. The grant's expiry is read from its own claims: the
// agent cannot check the server's signature, but it can tell when the server will stop accepting it.
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeAgentScope, encodeAgentScope, type AgentScope } from '../../core/contract/agent-scope.ts';

export const SCOPE_FILE = 'scope.json';
export const GRANT_FILE = 'upload-grant';
/** Scopes and grants are small; anything much larger was not written by this agent. */
const MAX_FILE_BYTES = 256 * 1024;

async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function readSmall(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined || text.length > MAX_FILE_BYTES ? undefined : text;
}

/** Saves the pod's scope without its upload token (a token belongs to one recording, kept beside it). */
export async function writePodScope(podDir: string, scope: AgentScope): Promise<void> {
  const { uploadToken: _token, ...kept } = scope;
  await writeWhole(join(podDir, SCOPE_FILE), JSON.stringify({ scope: encodeAgentScope(kept) }));
}

/** The scope a previous run saved, checked as the server's header is; undefined when missing or unreadable. */
async function readPodScope(podDir: string): Promise<AgentScope | undefined> {
  const text = await readSmall(join(podDir, SCOPE_FILE));
  if (text === undefined) return undefined;
  try {
    const { scope } = JSON.parse(text) as { scope?: unknown };
    return typeof scope === 'string' ? decodeAgentScope(scope) : undefined;
  } catch {
    return undefined;
  }
}

export interface SavedPods {
  /** Each pod directory with the scope it was last recorded under. */
  pods: { dir: string; scope: AgentScope }[];
  /** Pod directories with no readable scope: nothing can say whose recordings they hold. */
  unknown: string[];
}

/** The pod directories under `podsDir` (`<dataDir>/pods`), as a previous run left them. */
export async function readSavedPods(podsDir: string): Promise<SavedPods> {
  const names = await readdir(podsDir).catch(() => [] as string[]);
  const found: SavedPods = { pods: [], unknown: [] };
  for (const name of names) {
    const dir = join(podsDir, name);
    const scope = await readPodScope(dir);
    if (scope !== undefined && scope.podUid === name) found.pods.push({ dir, scope });
    else found.unknown.push(dir);
  }
  return found;
}

export async function writeGrant(recordingDir: string, token: string): Promise<void> {
  await writeWhole(join(recordingDir, GRANT_FILE), token);
}

export async function readGrant(recordingDir: string): Promise<string | undefined> {
  const text = await readSmall(join(recordingDir, GRANT_FILE));
  const token = text?.trim();
  return token === undefined || token === '' ? undefined : token;
}

/**
 * When the server stops accepting a grant (ms since the epoch), from the expiry its signed claims carry
 * (server/registry/upload-grants.ts: `keyId.payload.mac`, the payload base64url JSON with `e`); undefined
 * when the token does not say.
 */
export function grantExpiresAt(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { e?: unknown };
    return typeof claims.e === 'number' && Number.isFinite(claims.e) ? claims.e : undefined;
  } catch {
    return undefined;
  }
}
