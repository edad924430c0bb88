// A recording's artifacts as MCP resources, `furnace://recordings/<namespace>/<id>/<artifact>`: the
// folded stacks and the SVG flame graph as text (control characters replaced), pprof as a blob. Each is
// read through Furnace with the user's rights, and none larger than MAX_RESOURCE_BYTES is read. An answer
// travels as one line of JSON, and MCP clients over stdio (the SDK's among them) close the connection on
// a line longer than the SDK's read buffer: an artifact whose encoding would be longer is refused instead.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { RECORDING_ID_PATTERN } from '../../core/contract/recording.ts';
import type { ArtifactName } from '../../core/contract/names.ts';
import { printable } from '../safe-output.ts';
import { FORMATS } from '../verbs.ts';
import { OBJECT_NAME_PATTERN } from './answer-schemas.ts';
import { getEntry, openArtifact } from './furnace-reads.ts';
import type { ToolContext } from './tool-context.ts';

export const MAX_RESOURCE_BYTES = 8 * 1024 * 1024;

/**
 * The most bytes a resource's contents take as JSON: the SDK's stdio read buffer (10 MiB), less room for
 * the JSON-RPC envelope. pprof's base64 makes 4 bytes of 3, so a blob fits up to about 7.4 MiB.
 */
export const MAX_RESOURCE_MESSAGE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE - 64 * 1024;

/** The artifacts offered as resources and how each is carried. */
export const RESOURCE_ARTIFACTS: Partial<
  Record<ArtifactName, { mimeType: string; text: boolean; title: string }>
> = {
  'stacks.folded': { mimeType: 'text/plain', text: true, title: 'folded stacks' },
  'flamegraph.svg': { mimeType: 'image/svg+xml', text: true, title: 'SVG flame graph' },
  'profile.pb.gz': { mimeType: 'application/vnd.google.protobuf+gzip', text: false, title: 'pprof profile' },
};

export function resourceUri(namespace: string, id: string, artifact: string): string {
  return `furnace://recordings/${encodeURIComponent(namespace)}/${encodeURIComponent(id)}/${artifact}`;
}

function single(value: string | string[] | undefined): string {
  return typeof value === 'string' ? decodeURIComponent(value) : '';
}

async function readCapped(stream: AsyncIterable<Buffer>, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    if (bytes > MAX_RESOURCE_BYTES)
      throw new Error(
        `${what} is larger than ${MAX_RESOURCE_BYTES} bytes, the most furnace mcp reads as a resource`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readArtifact(
  context: ToolContext,
  uri: URL,
  variables: Record<string, string | string[]>,
): Promise<ReadResourceResult> {
  const namespace = single(variables.namespace);
  const id = single(variables.id);
  const artifact = single(variables.artifact) as ArtifactName;
  const kind = RESOURCE_ARTIFACTS[artifact];
  if (
    !new RegExp(OBJECT_NAME_PATTERN).test(namespace) ||
    !new RegExp(RECORDING_ID_PATTERN).test(id) ||
    kind === undefined
  )
    throw new Error(
      `${uri.href} names no artifact furnace mcp offers (${Object.keys(RESOURCE_ARTIFACTS).join(', ')})`,
    );
  const api = context.api();
  const entry = await getEntry(api, namespace, id);
  const listed = entry.artifacts.find((a) => a.name === artifact);
  if (listed === undefined) throw new Error(`recording ${id} has no ${artifact}`);
  if (listed.bytes > MAX_RESOURCE_BYTES)
    throw new Error(
      `${artifact} of ${id} has ${listed.bytes} bytes, more than the ${MAX_RESOURCE_BYTES} furnace mcp reads as a resource`,
    );
  const stream = await openArtifact(api, namespace, id, artifact);
  const bytes = await readCapped(stream, `${artifact} of ${id}`);
  const base = { uri: uri.href, mimeType: kind.mimeType };
  const content = kind.text
    ? { ...base, text: printable(bytes.toString('utf8')) }
    : { ...base, blob: bytes.toString('base64') };
  const encoded = Buffer.byteLength(JSON.stringify(content));
  if (encoded > MAX_RESOURCE_MESSAGE_BYTES)
    throw tooLargeForOneMessage(context, { namespace, id, artifact }, encoded);
  return { contents: [content] };
}

function tooLargeForOneMessage(
  context: ToolContext,
  { namespace, id, artifact }: { namespace: string; id: string; artifact: ArtifactName },
  encoded: number,
): Error {
  const format = Object.entries(FORMATS).find(([, name]) => name === artifact)?.[0] ?? artifact;
  const download = `kubectl furnace download ${id} -n ${namespace} --format ${format}${context.connectionFlags}`;
  return new Error(
    `${artifact} of ${id} takes ${encoded} bytes as a resource, more than the ${MAX_RESOURCE_MESSAGE_BYTES} one MCP message over stdio may carry; download it instead: ${download}`,
  );
}

export function registerArtifactResources(server: McpServer, context: ToolContext): void {
  const template = new ResourceTemplate('furnace://recordings/{namespace}/{id}/{artifact}', {
    list: undefined,
  });
  server.registerResource(
    'artifact',
    template,
    {
      title: 'A recording artifact',
      description:
        "A catalogued recording's folded stacks (stacks.folded), SVG flame graph (flamegraph.svg) or pprof profile " +
        '(profile.pb.gz), read with your rights. `links` lists the URIs of a recording.',
    },
    (uri, variables) => readArtifact(context, uri, variables),
  );
}
