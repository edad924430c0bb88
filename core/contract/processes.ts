// `GET /processes?processPattern=&pid=&container=`: which processes a start with these settings would
// record now, so the form can show them before Start. The sidecar answers it; the server checks the
// answer against this schema before it reaches a browser.
import {
  MAX_CONTAINER_NAME,
  MAX_PID,
  MAX_PROCESS_PATTERN,
  type RecordingParams,
} from './recording-params.ts';

/** The settings of a start that choose its processes. */
export type ProcessSelection = Pick<RecordingParams, 'container' | 'processPattern' | 'pid'>;

/** The most processes one answer lists; `total` says how many matched. */
export const MAX_PROCESS_MATCHES = 50;
/** Longest command line an answer carries (cut with an ellipsis). */
export const MAX_SHOWN_CMDLINE = 256;

export interface ProcessMatch {
  pid: number;
  /** The kernel's name of the process (/proc/PID/comm). */
  comm: string;
  /** Its command line, cut to MAX_SHOWN_CMDLINE characters. */
  cmdline: string;
  container?: string;
  /** Share of one CPU over a short sample (0..100 × cores), one decimal. */
  cpuPercent: number;
}

export interface ProcessMatches {
  /** The processes a start would record now, busiest first, at most MAX_PROCESS_MATCHES. */
  processes: ProcessMatch[];
  /** How many processes matched in all. */
  total: number;
  /** Why none matched, in words (the refusal a start would get), when none did. */
  reason?: string;
}

export const processQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    processPattern: { type: 'string', minLength: 1, maxLength: MAX_PROCESS_PATTERN },
    /** A query string carries text: digits, read as a number by the recorder. */
    pid: { type: 'string', pattern: '^[1-9][0-9]{0,6}$' },
    container: { type: 'string', minLength: 1, maxLength: MAX_CONTAINER_NAME },
  },
} as const;

/** The query as it arrives (every value text). */
export interface ProcessQuery {
  processPattern?: string;
  pid?: string;
  container?: string;
}

export const processMatchesSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['processes', 'total'],
  properties: {
    processes: {
      type: 'array',
      maxItems: MAX_PROCESS_MATCHES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['pid', 'comm', 'cmdline', 'cpuPercent'],
        properties: {
          pid: { type: 'integer', minimum: 1, maximum: MAX_PID },
          comm: { type: 'string', maxLength: 256 },
          cmdline: { type: 'string', maxLength: MAX_SHOWN_CMDLINE },
          container: { type: 'string', minLength: 1, maxLength: MAX_CONTAINER_NAME },
          cpuPercent: { type: 'number', minimum: 0, maximum: 100_000 },
        },
      },
    },
    total: { type: 'integer', minimum: 0, maximum: MAX_PID },
    reason: { type: 'string', maxLength: 4096 },
  },
} as const;
