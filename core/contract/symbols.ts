// Symbol files uploaded to a namespace (docs/profilers.md, "Symbols uploaded to a namespace"): what the
// server keeps of each, its list's answer, and the paths of the user API and of the recorder's reads. A
// file is known by its namespace and its GNU build id, nothing else the uploader says. Pure.

/** A GNU build id as lower-case hex: 2 to 64 bytes (SHA-1's 20 and Go's 32 among them). */
export const BUILD_ID_PATTERN = '^[0-9a-f]{4,128}$';
export const BUILD_ID = new RegExp(BUILD_ID_PATTERN);

/** A symbol file as the server keeps it for a namespace. */
export interface SymbolFile {
  buildId: string;
  bytes: number;
  /** When it was stored (ISO 8601). */
  uploadedAt: string;
  /** When retention removes it (uploadedAt + symbols.maxAgeSeconds). */
  expiresAt: string;
}

/** The answer to an upload: the file as kept, and whether this upload stored it (false: it was there). */
export interface SymbolUpload extends SymbolFile {
  namespace: string;
  stored: boolean;
}

export interface SymbolList {
  namespace: string;
  items: SymbolFile[];
  /** Bytes the namespace's files take, and the most they may (symbols.namespaceMaxBytes). */
  bytes: number;
  maxBytes: number;
}

const symbolFileProperties = {
  buildId: { type: 'string', pattern: BUILD_ID_PATTERN },
  bytes: { type: 'integer', minimum: 0 },
  uploadedAt: { type: 'string' },
  expiresAt: { type: 'string' },
} as const;

export const symbolFileSchema = {
  type: 'object',
  required: ['buildId', 'bytes', 'uploadedAt', 'expiresAt'],
  properties: symbolFileProperties,
  additionalProperties: false,
} as const;

export const symbolUploadSchema = {
  type: 'object',
  required: ['namespace', 'buildId', 'bytes', 'uploadedAt', 'expiresAt', 'stored'],
  properties: { namespace: { type: 'string' }, stored: { type: 'boolean' }, ...symbolFileProperties },
  additionalProperties: false,
} as const;

export const symbolListSchema = {
  type: 'object',
  required: ['namespace', 'items', 'bytes', 'maxBytes'],
  properties: {
    namespace: { type: 'string' },
    items: { type: 'array', items: symbolFileSchema },
    bytes: { type: 'integer', minimum: 0 },
    maxBytes: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

/** The user API: `POST` (upload) and `GET` (list) with `?namespace=`; `DELETE <path>/<build id>?namespace=`. */
export const SYMBOLS_PATH = '/api/v1/symbols';

/**
 * The recorder's read, a debuginfod server's layout under a recording (`<base>/buildid/<id>/debuginfo`): the
 * server answers with the file of the recording's namespace, which it knows from the recorder's token.
 */
export function recordingSymbolsBase(serverUrl: string, recordingId: string): string {
  return `${serverUrl}/api/v1/recordings/${encodeURIComponent(recordingId)}/symbols`;
}

/** The subresource of `recordings` whose `create` uploads and `delete` removes a namespace's symbol files. */
export const SYMBOLS_SUBRESOURCE = 'symbols';
