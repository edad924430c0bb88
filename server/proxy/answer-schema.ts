// A recorder's JSON answer is checked against the contract before it passes on: a recording status (one
// or a list) must match core's recordingStatusSchema — id pattern, artifact names from the fixed list,
// capped strings — so neither the UI nor `kubectl furnace` ever acts on a name or path a hostile or broken
// sidecar made up. Error answers must be Furnace error bodies with a bounded message.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { FurnaceError } from '../../core/contract/errors.ts';
import { processMatchesSchema } from '../../core/contract/processes.ts';
import { recordingListSchema, recordingStatusSchema } from '../../core/contract/recording.ts';

const ajv = new Ajv({ allErrors: false, strict: false });

const recorderErrorSchema = {
  type: 'object',
  required: ['message'],
  properties: {
    code: { type: 'string', maxLength: 64 },
    message: { type: 'string', maxLength: 16_384 },
    details: { type: 'object' },
  },
} as const;

export type AnswerContract = 'status' | 'list' | 'processes' | 'error';

const SCHEMAS: Record<AnswerContract, object> = {
  status: recordingStatusSchema,
  processes: processMatchesSchema,
  list: { ...recordingListSchema, additionalProperties: false },
  error: recorderErrorSchema,
};

const checks = new Map<AnswerContract, ValidateFunction>();

/** A contract's check, compiled at its first answer rather than at every server's start. */
function checkOf(contract: AnswerContract): ValidateFunction {
  let check = checks.get(contract);
  if (check === undefined) {
    check = ajv.compile(SCHEMAS[contract]);
    checks.set(contract, check);
  }
  return check;
}

/** The largest list of its kept recordings a recorder may answer. */
export const MAX_LIST_ANSWER_BYTES = 4 * 1024 * 1024;

/** Which contract a JSON answer of `rest` (the path below /proxy/:ns/:pod/) with this status must meet. */
export function answerContract(method: string, rest: string, statusCode: number): AnswerContract | undefined {
  if (statusCode >= 400) return 'error';
  if (statusCode < 200 || statusCode > 299 || statusCode === 204) return undefined;
  if (rest === 'recordings') return method === 'POST' ? 'status' : 'list';
  if (rest === 'processes') return 'processes';
  if (/^recordings\/[^/]+(\/stop|\/resymbolize)?$/.test(rest)) return 'status';
  return undefined;
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'it is not what the sidecar API defines';
  return `${error.instancePath || 'the answer'} ${error.message ?? 'is invalid'}`;
}

/**
 * The last answer that met its contract, per contract and recorder: a status poll answers the same bytes
 * again and again, and the same bytes meet the same contract, so a byte-equal answer is not parsed and
 * checked again. Only answers up to PASSED_BYTES are kept, for at most MAX_PASSED recorders.
 */
const passed = new Map<string, Buffer>();
const PASSED_BYTES = 16 * 1024;
/** At most 8 MiB kept, whatever the answers: the recorders polled at any one time are few. */
const MAX_PASSED = 512;

function notePassed(key: string, body: Buffer): void {
  if (body.length > PASSED_BYTES) return;
  if (passed.size >= MAX_PASSED && !passed.has(key)) passed.clear();
  // A copy: the answer's buffer belongs to the stream it came from.
  passed.set(key, Buffer.from(body));
}

/**
 * Why a recorder's JSON answer may not pass (undefined when it may). `recorder` names who answered
 * (namespace/pod); with it, an answer byte-equal to the recorder's last passing one passes unchecked.
 */
export function checkRecorderAnswer(
  contract: AnswerContract,
  rest: string,
  body: Buffer,
  recorder?: string,
): FurnaceError | undefined {
  const key = recorder === undefined ? undefined : `${contract} ${recorder}`;
  if (key !== undefined && passed.get(key)?.equals(body)) return undefined;
  const refusal = checkAnswer(contract, rest, body);
  if (refusal === undefined && key !== undefined) notePassed(key, body);
  return refusal;
}

function checkAnswer(contract: AnswerContract, rest: string, body: Buffer): FurnaceError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return new FurnaceError(
      'ERR_UPSTREAM_FAILED',
      `the sidecar answered /${rest} with text that is not JSON`,
    );
  }
  const check = checkOf(contract);
  if (check(parsed)) return undefined;
  return new FurnaceError(
    'ERR_UPSTREAM_FAILED',
    `the sidecar's answer to /${rest} breaks its contract: ${describe(check.errors?.[0])}`,
    { field: check.errors?.[0]?.instancePath ?? '', contract },
  );
}

/** The most of a recorder's refusal code an audit line carries. */
const MAX_REFUSAL_CODE = 64;

/**
 * The code of a recorder's refusal (an answer that met the `error` contract), fit for an audit line: the
 * recorder's own words, so hostile — control, format and separator characters go, and at most
 * MAX_REFUSAL_CODE characters stay. Undefined when it gave none. The message is never carried.
 */
export function refusalCodeOf(body: Buffer): string | undefined {
  let code: unknown;
  try {
    code = (JSON.parse(body.toString('utf8')) as { code?: unknown }).code;
  } catch {
    return undefined;
  }
  if (typeof code !== 'string') return undefined;
  const shown = [...code.replace(/[\p{C}\p{Zl}\p{Zp}]+/gu, '').trim()];
  if (shown.length === 0) return undefined;
  return shown.length > MAX_REFUSAL_CODE ? `${shown.slice(0, MAX_REFUSAL_CODE).join('')}…` : shown.join('');
}
