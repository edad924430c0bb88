// Errors carry a string code; one table maps codes to HTTP statuses so every entry point answers alike.

export const ERROR_STATUS = {
  ERR_INVALID_PARAMETER: 400,
  ERR_LIMIT_EXCEEDED: 400,
  ERR_NO_MATCHING_PROCESS: 400,
  ERR_INVALID_ARTIFACT: 400,
  ERR_UNAUTHENTICATED: 401,
  ERR_FORBIDDEN: 403,
  ERR_NOT_FOUND: 404,
  ERR_NOT_REGISTERED: 404,
  /** A body that did not arrive within its time (an upload past recorder.uploadTimeoutSeconds). */
  ERR_REQUEST_TIMEOUT: 408,
  ERR_RECORDING_RUNNING: 409,
  ERR_PAYLOAD_TOO_LARGE: 413,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_RATE_LIMITED: 429,
  ERR_UPSTREAM_FAILED: 502,
  /** The catalog or a namespace's share of it is full; nothing of anyone else is evicted to make room. */
  ERR_QUOTA_EXCEEDED: 507,
  ERR_UPSTREAM_TIMEOUT: 504,
  ERR_UNAVAILABLE: 503,
  ERR_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class FurnaceError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'FurnaceError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** The body every Furnace API answers an error with. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export function toErrorBody(error: FurnaceError): ErrorBody {
  const body: ErrorBody = { code: error.code, message: error.message };
  if (Object.keys(error.details).length > 0) body.details = { ...error.details };
  return body;
}
